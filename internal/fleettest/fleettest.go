// Package fleettest makes synthetic fleets of result files for tests and
// benchmarks: machines of identical hardware whose runs are drawn from one
// distribution (healthy), some of them slower by a given factor, as
// primebench would have measured them.
package fleettest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"time"

	"github.com/primebench/primebench/results"
)

// Options shape a synthetic fleet.
type Options struct {
	Machines int
	Runs     int // per strategy (default 6)
	// CV is the runs' coefficient of variation (default 0.02).
	CV float64
	// Slow maps a machine's index to how much slower it runs every
	// strategy (0.2: 20% slower).
	Slow map[int]float64
	// Jitter is each machine's own offset, a standard deviation (0: the
	// machines are identical; 0.01: healthy machines differing by 1%).
	Jitter float64
	Seed   uint64
	// Hardware, when set, gives machine i's CPU model (several groups).
	Hardware func(i int) string
	// Rounds is how many files each machine has (default 1), a week
	// apart from Start (default 2026-12-01 12:00 UTC): one machine
	// measured again and again.
	Rounds int
	Start  time.Time
}

// rows are the strategies every synthetic file holds, with their
// reference wall times on 2 CPUs and whether they keep one core busy.
var rows = []struct {
	name    string
	workers int
	wall    float64
	single  bool
}{
	{"serial", 1, 1.0, true},
	{"cooperative", 2, 1.0, true},
	{"gil", 2, 1.01, true},
	{"goroutines", 2, 0.505, false},
	{"subprocess", 2, 0.52, false},
}

// Files returns the fleet's result files, summarised.
func Files(o Options) []*results.File {
	if o.Runs == 0 {
		o.Runs = 6
	}
	if o.CV == 0 {
		o.CV = 0.02
	}
	if o.Rounds == 0 {
		o.Rounds = 1
	}
	r := rand.New(rand.NewPCG(o.Seed, 17))
	created := o.Start
	if created.IsZero() {
		created = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	}
	var out []*results.File
	for i := 0; i < o.Machines; i++ {
		factor := 1 + o.Jitter*r.NormFloat64()
		if s, ok := o.Slow[i]; ok {
			factor /= 1 - s
		}
		for round := 0; round < o.Rounds; round++ {
			out = append(out, file(o, r, i, round, factor, created.Add(time.Duration(round)*7*24*time.Hour)))
		}
	}
	return out
}

// file is machine i's file of a round, made at created, its runs slower by
// factor; each round is another boot, so another machine id.
func file(o Options, r *rand.Rand, i, round int, factor float64, created time.Time) *results.File {
	family, model, stepping := 6, 106, 6
	cpu := "Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz"
	if o.Hardware != nil {
		cpu = o.Hardware(i)
	}
	f := &results.File{
		SchemaVersion: results.SchemaVersion,
		CreatedAt:     created.Add(time.Duration(i) * time.Second),
		Command:       []string{"primebench", "run", "--save", "--label", fmt.Sprintf("node%03d", i)},
		Machine: results.Machine{Label: fmt.Sprintf("node%03d", i), Hostname: fmt.Sprintf("node%03d", i), MachineID: fmt.Sprintf("%032x", i+1+round<<20),
			OS: "linux", Arch: "amd64", CPUModel: cpu, LogicalCPUs: 2, AffinityCPUs: 2, CPUIDs: []int{0, 1}, EffectiveCPUs: 2,
			GOMAXPROCS: 2, MemoryBytes: 8 << 30, GoVersion: "go1.26.8", PrimebenchVersion: "0.3.0", PerCore: true, ThreadsPerCore: 1,
			CPUFamily: &family, CPUModelNumber: &model, CPUStepping: &stepping},
		Workload:  results.Workload{Spec: "preset:quick", Numbers: 20000, Primes: 724, Checksum: 2855639107889809618, Divisions: 419000000, ChunkSize: 40, Chunks: 500},
		Reference: results.Reference{Source: results.ReferenceFromSerial, Workers: 1},
		Settings:  results.Settings{Runs: o.Runs, Warmup: 1, AutoChunk: true, Workers: []int{2}},
	}
	for _, row := range rows {
		s := results.Strategy{Name: row.name, Workers: row.workers, Models: row.name, Family: "go", Baseline: "serial", SingleCore: row.single}
		for k := 0; k < o.Runs; k++ {
			wall := row.wall * factor * (1 + o.CV*r.NormFloat64())
			cpu := wall * 2
			if row.single {
				cpu = wall
			}
			s.Runs = append(s.Runs, results.Run{WallSeconds: wall, Round: k + 1, Position: 1, CPUSeconds: &cpu,
				CoreBusy: []float64{0.9, 0.9}, CoreSteal: []float64{0, 0}})
		}
		f.Strategies = append(f.Strategies, s)
	}
	results.Summarise(f)
	return f
}

// Write writes the files into dir, named as --save names them, and returns
// their paths.
func Write(dir string, files []*results.File) ([]string, error) {
	var paths []string
	for _, f := range files {
		p := filepath.Join(dir, results.DefaultName(f))
		if err := results.WriteFile(context.Background(), p, f); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}
