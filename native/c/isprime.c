/*
 * primebench's is_prime in C, for the CPython lanes that call native code
 * through ctypes: the same trial division as workload.IsPrime (odd divisors
 * d while d <= n/d, each tried one counted) and the same checksum
 * (SplitMix64's finaliser of each prime, summed modulo 2^64), so every run
 * is verified against serial's answer like any other. A chunk's answer is
 * out[0..3]: numbers, primes, checksum, divisions, added to.
 */
#include <stddef.h>
#include <stdint.h>

static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xBF58476D1CE4E5B9ULL;
	x ^= x >> 27;
	x *= 0x94D049BB133111EBULL;
	x ^= x >> 31;
	return x;
}

static void check(uint64_t n, uint64_t out[4])
{
	uint64_t divisions = 0, d;
	int prime = 1;
	out[0]++;
	if (n < 2) {
		return;
	}
	if (n >= 4) {
		if ((n & 1) == 0) {
			return;
		}
		for (d = 3; d <= n / d; d += 2) {
			divisions++;
			if (n % d == 0) {
				prime = 0;
				break;
			}
		}
	}
	out[3] += divisions;
	if (prime) {
		out[1]++;
		out[2] += mix(n);
	}
}

/* primebench_range checks first..last, both included. */
void primebench_range(uint64_t first, uint64_t last, uint64_t out[4])
{
	uint64_t n;
	for (n = first;; n++) {
		check(n, out);
		if (n == last) {
			break;
		}
	}
}

/* primebench_list checks count numbers. */
void primebench_list(const uint64_t *numbers, size_t count, uint64_t out[4])
{
	size_t i;
	for (i = 0; i < count; i++) {
		check(numbers[i], out);
	}
}
