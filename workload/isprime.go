// Package workload defines primebench's CPU-bound work: trial-division
// primality tests over a reproducible list of candidates, cut into chunks,
// and the answer every strategy must reproduce exactly.
//
// It knows nothing of how the work is scheduled.
package workload

// IsPrime reports whether n is prime by trial division and how many trial
// divisors it tested.
//
// The algorithm is the workload and must not change: result files from
// different machines are only comparable if every build performs the same
// divisions. Even numbers are rejected by a parity test (not counted as a
// division); then odd divisors d are tried while d <= n/d. The bound is
// written as a quotient rather than d*d <= n because d*d overflows near 2^64;
// on amd64 the quotient and the remainder tested in the loop body come from
// one hardware division, so one loop iteration costs one division.
func IsPrime(n uint64) (prime bool, divisions uint64) {
	if n < 2 {
		return false, 0
	}
	if n < 4 {
		return true, 0
	}
	if n&1 == 0 {
		return false, 0
	}
	for d := uint64(3); d <= n/d; d += 2 {
		divisions++
		if n%d == 0 {
			return false, divisions
		}
	}
	return true, divisions
}

// Answer is what checking a set of numbers produces. Every field is a sum, so
// answers of chunks add up in any order to the answer of the whole workload.
type Answer struct {
	Numbers   uint64 `json:"numbers"`   // numbers checked
	Primes    uint64 `json:"primes"`    // how many of them were prime
	Checksum  uint64 `json:"checksum"`  // wrapping sum of mix(p) over the primes found
	Divisions uint64 `json:"divisions"` // trial divisions performed
}

// Add accumulates other into a.
func (a *Answer) Add(other Answer) {
	a.Numbers += other.Numbers
	a.Primes += other.Primes
	a.Checksum += other.Checksum
	a.Divisions += other.Divisions
}

// Check runs IsPrime on n and accumulates the outcome into a.
func (a *Answer) Check(n uint64) {
	prime, divs := IsPrime(n)
	a.Numbers++
	a.Divisions += divs
	if prime {
		a.Primes++
		a.Checksum += mix(n)
	}
}

// mix is the SplitMix64 finaliser. Summing mixed values rather than the primes
// themselves keeps the checksum order-independent while making it unlikely
// that two different sets of primes (say, one prime lost and another found
// twice) cancel out.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
