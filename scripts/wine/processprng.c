/*
 * bcryptprimitives.dll with the one function Go's Windows runtime needs from
 * it: ProcessPrng, which Windows 10 and later export and Wine 8 does not
 * (Go 1.24 and later load it at start and die without it). It fills the
 * buffer from RtlGenRandom (advapi32's SystemFunction036), the generator
 * Windows' own ProcessPrng draws on. Built by scripts/wine-test.sh with
 * mingw-w64 into the Wine prefix's system32, only where the prefix lacks it.
 */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!RtlGenRandom(data, n)) {
            return FALSE;
        }
        data += n;
        len -= n;
    }
    return TRUE;
}
