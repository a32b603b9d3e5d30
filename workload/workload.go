package workload

import (
	"context"
	"fmt"
	"math"
	"time"
)

// Workload is a named, reproducible list of candidates. A range is kept as its
// bounds, never materialised, so a large range costs no memory.
type Workload struct {
	Spec    string   // the spec it was built from, as the user gave it
	lo, hi  uint64   // a range, inclusive, when numbers is nil
	numbers []uint64 // an explicit list
	isList  bool
}

// NewRange returns the workload of every integer from lo to hi inclusive.
func NewRange(spec string, lo, hi uint64) (*Workload, error) {
	if lo > hi {
		return nil, fmt.Errorf("range %d-%d is empty: LO must not be greater than HI", lo, hi)
	}
	if lo == 0 && hi == math.MaxUint64 {
		return nil, fmt.Errorf("range %d-%d holds 2^64 numbers, more than can be counted: narrow it", lo, hi)
	}
	return &Workload{Spec: spec, lo: lo, hi: hi}, nil
}

// NewList returns the workload of the given numbers, in order.
func NewList(spec string, numbers []uint64) (*Workload, error) {
	if len(numbers) == 0 {
		return nil, fmt.Errorf("workload %q holds no numbers: give at least one", spec)
	}
	return &Workload{Spec: spec, numbers: numbers, isList: true}, nil
}

// IsList tells whether the workload is an explicit list (its chunks carry
// their numbers) rather than a range.
func (w *Workload) IsList() bool { return w.isList }

// Len is how many numbers the workload holds.
func (w *Workload) Len() uint64 {
	if w.isList {
		return uint64(len(w.numbers))
	}
	return w.hi - w.lo + 1
}

// At returns the i-th number, 0 <= i < Len().
func (w *Workload) At(i uint64) uint64 {
	if w.isList {
		return w.numbers[i]
	}
	return w.lo + i
}

// Chunk is a piece of a workload handed to a worker in one go: either the
// contiguous range First..Last (inclusive) or, for lists, explicit Numbers.
type Chunk struct {
	Index   int
	First   uint64
	Last    uint64
	Numbers []uint64
}

// IsRange tells whether the chunk is a contiguous range.
func (c Chunk) IsRange() bool { return c.Numbers == nil }

// Len is how many numbers the chunk holds.
func (c Chunk) Len() uint64 {
	if c.IsRange() {
		return c.Last - c.First + 1
	}
	return uint64(len(c.Numbers))
}

// At returns the chunk's k-th number, 0 <= k < Len().
func (c Chunk) At(k uint64) uint64 {
	if c.IsRange() {
		return c.First + k
	}
	return c.Numbers[k]
}

// Solve checks every number in the chunk.
func (c Chunk) Solve() Answer {
	a, _ := c.SolveUntil(nil)
	return a
}

// SolveUntil checks every number in the chunk unless g.Stop is set first; it
// then reports false and a partial answer that must not be used.
func (c Chunk) SolveUntil(g *Gauge) (Answer, bool) {
	var a Answer
	if c.IsRange() {
		for n := c.First; ; n++ {
			if !a.CheckUntil(n, g) {
				return a, false
			}
			if n == c.Last { // not n <= Last: Last may be MaxUint64
				break
			}
		}
		return a, true
	}
	for _, n := range c.Numbers {
		if !a.CheckUntil(n, g) {
			return a, false
		}
	}
	return a, true
}

// Plan is a workload cut into chunks of a fixed size. Chunks are made on
// demand, so a plan over a huge range is cheap.
type Plan struct {
	w    *Workload
	size uint64
	n    int // chunks in the plan: every copy's, or a prefix of them
	// base is the chunks of one pass over the workload; a plan of weak
	// scaling (Repeat) makes several passes, chunk i checking chunk
	// i mod base of the workload.
	base int
}

// MaxChunks bounds how many chunks a plan may have, so that chunk indexes stay
// small and dispatch bookkeeping stays bounded.
const MaxChunks = 1 << 31

// NewPlan cuts w into chunks of size numbers (the last may be shorter).
func NewPlan(w *Workload, size uint64) (*Plan, error) {
	if size == 0 {
		return nil, fmt.Errorf("chunk size must be at least 1")
	}
	count := w.Len() / size
	if w.Len()%size != 0 {
		count++
	}
	if count > MaxChunks {
		return nil, fmt.Errorf("chunk size %d cuts %d numbers into more than %d chunks: use a larger --chunk", size, w.Len(), uint64(MaxChunks))
	}
	return &Plan{w: w, size: size, n: int(count), base: int(count)}, nil
}

// Workload is the workload the plan cuts.
func (p *Plan) Workload() *Workload { return p.w }

// ChunkSize is the number of numbers per chunk.
func (p *Plan) ChunkSize() uint64 { return p.size }

// NumChunks is how many chunks the plan has.
func (p *Plan) NumChunks() int { return p.n }

// Chunk returns chunk i, 0 <= i < NumChunks(). List chunks share the
// workload's backing array; callers must not modify Numbers. In a plan of
// several passes (Repeat) chunk i holds the numbers of chunk i mod the
// chunks of one pass.
func (p *Plan) Chunk(i int) Chunk {
	c := p.chunkOf(i % p.base)
	c.Index = i
	return c
}

func (p *Plan) chunkOf(i int) Chunk {
	start := uint64(i) * p.size
	end := start + p.size // exclusive
	if end > p.w.Len() || end < start {
		end = p.w.Len()
	}
	if p.w.isList {
		return Chunk{Index: i, Numbers: p.w.numbers[start:end:end]}
	}
	return Chunk{Index: i, First: p.w.lo + start, Last: p.w.lo + end - 1}
}

// Prefix is the plan of the first chunks chunks (all of them if the plan
// has fewer): the same chunk boundaries, so its answer is the sum of those
// chunks' answers in the whole plan.
func (p *Plan) Prefix(chunks int) *Plan {
	q := *p
	q.n = max(1, min(chunks, p.n))
	return &q
}

// Numbers is how many numbers the plan's chunks hold: the workload's, or
// fewer for a prefix, times the passes of a repeated plan.
func (p *Plan) Numbers() uint64 {
	passes, rest := p.n/p.base, p.n%p.base
	return uint64(passes)*p.w.Len() + min(uint64(rest)*p.size, p.w.Len())
}

// MaxPasses bounds Repeat: weak scaling makes one pass per worker.
const MaxPasses = 1 << 16

// Repeat is the plan of passes passes over the workload, one after the
// other, each cut as p is: weak scaling's work for passes workers, each
// with one worker's share of serial's work. Its answer is passes times
// the workload's (every figure of an answer is a sum). p must be a whole
// plan, not a prefix.
func (p *Plan) Repeat(passes int) (*Plan, error) {
	if passes < 1 || passes > MaxPasses {
		return nil, fmt.Errorf("%d passes over the workload: give 1 to %d", passes, MaxPasses)
	}
	if p.n != p.base {
		return nil, fmt.Errorf("a prefix of a plan cannot be repeated")
	}
	if uint64(p.base)*uint64(passes) > MaxChunks {
		return nil, fmt.Errorf("%d passes of %d chunks are more than %d chunks: use a larger --chunk or fewer workers", passes, p.base, uint64(MaxChunks))
	}
	q := *p
	q.n = p.base * passes
	return &q, nil
}

// Passes is how many whole passes over the workload the plan makes, and
// the chunks of a last, partial one.
func (p *Plan) Passes() (whole, rest int) { return p.n / p.base, p.n % p.base }

// Pass is the plan of one pass over the workload, cut as p is.
func (p *Plan) Pass() *Plan {
	q := *p
	q.n = p.base
	return &q
}

// TargetChunkDivisions is the work the automatic chunk size aims at per chunk:
// about 2.5 ms at 4e8 divisions per second, long enough that dispatching a
// chunk (a channel send, a pipe write) is noise, short enough to balance load.
const TargetChunkDivisions = 1_000_000

// RemoteChunkDivisions is the target when workers are reached through a
// command such as ssh: each chunk then crosses an encrypted channel twice
// (measured on loopback, 2-vCPU AMD EPYC: efficiency 0.85-0.875 over ssh
// against 0.94-0.96 locally with 2.5 ms chunks; 0.93-0.95 against 0.955-0.97
// with 10 ms ones).
const RemoteChunkDivisions = 4 * TargetChunkDivisions

// MinChunksPerWorker is how many chunks the automatic size leaves each
// worker at least, where the workload has that many numbers: with fewer, the
// last chunks leave some workers idle while others finish, and a 64-core
// machine would measure its tail rather than its throughput.
const MinChunksPerWorker = 20

// minChunks is the floor for few workers, so uneven work still balances.
const minChunks = 64

// samplingBudget bounds the time spent sampling a workload's cost: a number
// near 2^64 costs seconds by itself, and its first 0.1 s already says that a
// chunk should hold one number.
const samplingBudget = 100 * time.Millisecond

// AutoChunkSize picks a chunk size of about target divisions from the
// divisions measured on a sample of evenly spaced numbers, so the choice is
// reproducible for a given workload (unless a single number is so heavy that
// the time budget cuts it short, in which case every chunk holds one number
// anyway). It keeps at least MinChunksPerWorker chunks per worker, for the
// largest worker count to be run, and at least 64 in all. It returns ctx's
// error if ctx ends first.
func AutoChunkSize(ctx context.Context, w *Workload, maxWorkers int, target uint64) (uint64, error) {
	// Sample blocks of consecutive numbers: a strided sample of single numbers
	// could hit only even numbers (or only multiples of 3) and misjudge the cost.
	const blocks, blockLen = 16, 16
	var g Gauge
	budget := time.AfterFunc(samplingBudget, func() { g.Stop.Store(true) })
	defer budget.Stop()
	cancel := context.AfterFunc(ctx, func() { g.Stop.Store(true) })
	defer cancel()

	n := w.Len()
	stride := n / blocks
	if stride < blockLen {
		stride = blockLen
	}
	var sampled, divs uint64
sampling:
	for start := uint64(0); start < n; start += stride {
		for i := start; i < start+blockLen && i < n; i++ {
			_, d, stopped := isPrime(w.At(i), &g)
			sampled++
			divs += d + 1 // +1: checking a number has a cost even with no division
			if stopped || divs > 8*target {
				break sampling // heavy numbers: the sample so far says enough
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	size := target * sampled / divs
	chunks := max(uint64(minChunks), uint64(MinChunksPerWorker)*uint64(max(1, maxWorkers)))
	if limit := n / chunks; size > limit { // rounding down keeps at least chunks chunks
		size = limit
	}
	return max(size, 1), nil
}
