package workload

import (
	"context"
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

func TestIsPrimeAgainstSieve(t *testing.T) {
	const limit = 1_000_000
	composite := make([]bool, limit)
	composite[0], composite[1] = true, true
	for i := 2; i*i < limit; i++ {
		if !composite[i] {
			for j := i * i; j < limit; j += i {
				composite[j] = true
			}
		}
	}
	for n := 0; n < limit; n++ {
		if got, _ := IsPrime(uint64(n)); got != !composite[n] {
			t.Fatalf("IsPrime(%d) = %v, sieve says %v", n, got, !composite[n])
		}
	}
}

func TestIsPrimeSmallCases(t *testing.T) {
	tests := []struct {
		n         uint64
		prime     bool
		divisions uint64
	}{
		{0, false, 0},
		{1, false, 0},
		{2, true, 0},
		{3, true, 0},
		{4, false, 0},
		{5, true, 0}, // 3 > 5/3: no divisor tried
		{9, false, 1},
		{25, false, 2}, // 3, then 5 divides
		{49, false, 3},
		{97, true, 4}, // 3, 5, 7, 9; 11 > 97/11
		{121, false, 5},
	}
	for _, tt := range tests {
		prime, divs := IsPrime(tt.n)
		if prime != tt.prime || divs != tt.divisions {
			t.Errorf("IsPrime(%d) = %v, %d divisions; want %v, %d", tt.n, prime, divs, tt.prime, tt.divisions)
		}
	}
}

func checkAgainstBig(t *testing.T, n uint64) {
	t.Helper()
	want := new(big.Int).SetUint64(n).ProbablyPrime(20)
	if got, _ := IsPrime(n); got != want {
		t.Errorf("IsPrime(%d) = %v, math/big says %v", n, got, want)
	}
}

// Values whose divisor search runs to about 2^32 cost seconds each.
func TestIsPrimeEdge64(t *testing.T) {
	const largestPrime32 = 4294967291
	cheap := []uint64{
		math.MaxUint64, math.MaxUint64 - 1, math.MaxUint64 - 2,
		1 << 63, 1<<63 + 1, 1<<32 + 1, 1 << 32,
		largestPrime32, largestPrime32 + 2,
		65521 * 65521, 65537 * 65537, 65521 * 65537, // squares and products near 2^32
		1000003 * 1000003, 999983 * 1000003,
	}
	for _, n := range cheap {
		checkAgainstBig(t, n)
	}
	if testing.Short() {
		t.Skip("the 64-bit cases that search divisors up to 2^32 take seconds each")
	}
	heavy := []uint64{
		math.MaxUint64 - 58,             // 18446744073709551557, the largest 64-bit prime
		largestPrime32 * largestPrime32, // square of the largest 32-bit prime: d <= n/d must reach it exactly
		largestPrime32 * 4294967279,     // product of the two largest 32-bit primes
	}
	for _, n := range heavy {
		checkAgainstBig(t, n)
	}
}

func TestIsPrimeRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3000; i++ {
		// Uniform bit lengths up to 44 keep every case under ~10 ms while
		// covering every magnitude. A random 64-bit prime would cost seconds,
		// so full-width values are made composite with a known 20-bit factor:
		// they still exercise the quotient bound and wrapping near 2^64.
		bits := 2 + rng.IntN(43)
		checkAgainstBig(t, rng.Uint64()>>(64-bits))
		factor := 3 + 2*rng.Uint64N(1<<19)
		checkAgainstBig(t, factor*(rng.Uint64()/factor))
	}
	// Squares of random primes: the loop bound must reach the root exactly.
	for i := 0; i < 200; i++ {
		p := new(big.Int).SetUint64(rng.Uint64() >> 42)
		p = p.Add(p, big.NewInt(3))
		for !p.ProbablyPrime(20) {
			p.Add(p, big.NewInt(1))
		}
		sq := p.Uint64() * p.Uint64()
		if got, _ := IsPrime(sq); got {
			t.Errorf("IsPrime(%d = %d^2) = true", sq, p.Uint64())
		}
	}
}

func TestAnswerAddIsOrderIndependent(t *testing.T) {
	w, _ := NewRange("range:1-5000", 1, 5000)
	p, _ := NewPlan(w, 97)
	var forward, backward Answer
	for i := 0; i < p.NumChunks(); i++ {
		forward.Add(p.Chunk(i).Solve())
		backward.Add(p.Chunk(p.NumChunks() - 1 - i).Solve())
	}
	if forward != backward {
		t.Fatalf("forward %+v != backward %+v", forward, backward)
	}
	if forward.Primes != 669 || forward.Numbers != 5000 {
		t.Fatalf("got %+v, want 669 primes in 5000 numbers", forward)
	}
}

func BenchmarkIsPrime(b *testing.B) {
	cases := []struct {
		name string
		n    uint64
	}{
		{"prime12", 1000000000039},
		{"prime15", 112272535095293},
		{"composite16", 1099726899285419},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var divs uint64
			for b.Loop() {
				_, d := IsPrime(c.n)
				divs += d
			}
			b.ReportMetric(float64(divs)/b.Elapsed().Seconds(), "divisions/s")
		})
	}
}

func BenchmarkSolveQuick(b *testing.B) {
	w, _ := Parse(DefaultSpec, nil)
	size, _ := AutoChunkSize(context.Background(), w, 1, TargetChunkDivisions)
	p, _ := NewPlan(w, size)
	var divs uint64
	for b.Loop() {
		divs += solve(p).Divisions
	}
	b.ReportMetric(float64(divs)/b.Elapsed().Seconds(), "divisions/s")
}
