// Package workload defines primebench's CPU-bound work: trial-division
// primality tests over a reproducible list of candidates, cut into chunks,
// and the answer every strategy must reproduce exactly.
//
// It knows nothing of how the work is scheduled.
package workload

import "sync/atomic"

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
	prime, divisions, _ = isPrime(n, nil)
	return prime, divisions
}

// Gauge lets a caller stop checks in progress and see that they advance. A
// prime near 2^64 takes about two billion divisions (seconds), so without it
// one number could hold off Ctrl-C for that long, and a watchdog could not
// tell it from a stuck run.
type Gauge struct {
	// Stop, once set, makes checks give up within 2^16 divisions.
	Stop atomic.Bool
	// Ticks counts progress: one every 2^16 divisions (about 0.15 ms here).
	Ticks atomic.Uint64
	// Pause, once set, makes the check call Interrupt within 2^16
	// divisions and then carry on: a model of a global lock uses it to
	// drop and retake the lock in the middle of a number, as CPython's
	// threads do between bytecodes. Interrupt clears Pause itself.
	Pause     atomic.Bool
	Interrupt func()
}

// gaugeMask sets how often the division loop looks at its gauge: the cost is
// one predictable branch per division (measured: no difference within noise,
// see the commit that added it).
const gaugeMask = 1<<16 - 1

// isPrime is IsPrime that ticks g and gives up when g.Stop is set, reporting
// stopped; the division count is then partial and prime is false.
func isPrime(n uint64, g *Gauge) (prime bool, divisions uint64, stopped bool) {
	if n < 2 {
		return false, 0, false
	}
	if n < 4 {
		return true, 0, false
	}
	if n&1 == 0 {
		return false, 0, false
	}
	for d := uint64(3); d <= n/d; d += 2 {
		divisions++
		if n%d == 0 {
			return false, divisions, false
		}
		if divisions&gaugeMask == 0 && g != nil {
			g.Ticks.Add(1)
			if g.Stop.Load() {
				return false, divisions, true
			}
			if g.Pause.Load() {
				g.Interrupt()
			}
		}
	}
	return true, divisions, false
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

// Times is the answer of n passes over what a answers: each sum n times
// (the checksum wrapping, as it sums).
func (a Answer) Times(n uint64) Answer {
	return Answer{Numbers: a.Numbers * n, Primes: a.Primes * n, Checksum: a.Checksum * n, Divisions: a.Divisions * n}
}

// Check runs IsPrime on n and accumulates the outcome into a.
func (a *Answer) Check(n uint64) { a.CheckUntil(n, nil) }

// CheckUntil is Check that gives up when g.Stop is set: it then reports
// false and leaves a unchanged.
func (a *Answer) CheckUntil(n uint64, g *Gauge) bool {
	prime, divs, stopped := isPrime(n, g)
	if stopped {
		return false
	}
	a.Numbers++
	a.Divisions += divs
	if prime {
		a.Primes++
		a.Checksum += mix(n)
	}
	return true
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
