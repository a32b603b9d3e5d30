/* The C reference for primebench's serial figure: exactly the divisions of
 * workload.IsPrime (odd divisors d while d <= n/d) over a range, compiled
 * with -O2. It prints divisions per second so primebench's serial
 * divisions/s can be set against what the CPU's divider does in C. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static int is_prime(uint64_t n, uint64_t *divs) {
    if (n < 2) return 0;
    if (n < 4) return 1;
    if ((n & 1) == 0) return 0;
    for (uint64_t d = 3; d <= n / d; d += 2) {
        (*divs)++;
        if (n % d == 0) return 0;
    }
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: divloop LO HI\n");
        return 2;
    }
    uint64_t lo = strtoull(argv[1], 0, 10), hi = strtoull(argv[2], 0, 10);
    uint64_t primes = 0, divs = 0;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (uint64_t n = lo;; n++) {
        primes += is_prime(n, &divs);
        if (n == hi) break;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double secs = (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9;
    printf("%llu primes, %llu divisions, %.3f s, %.4g divisions/s\n",
           (unsigned long long)primes, (unsigned long long)divs, secs, divs / secs);
    return 0;
}
