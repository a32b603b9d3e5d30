package workload

import "sort"

// Preset is a named workload that every machine builds identically.
type Preset struct {
	Name   string
	Models string // what the workload stresses, one line
	build  func(spec string) *Workload
}

// ClassicNumbers are the six 15 to 16 digit candidates of the
// ProcessPoolExecutor example in Python's concurrent.futures documentation.
var ClassicNumbers = []uint64{
	112272535095293,
	112582705942171,
	112272535095293,
	115280095190773,
	115797848077099,
	1099726899285419,
}

// classicRepeats sizes preset:classic so a serial pass takes about a second
// on a 2-core cloud machine of 2026 (about 4e8 divisions per second per core).
const classicRepeats = 16

// The quick preset is 12-digit numbers: each prime costs about 5e5 divisions,
// so chunks are heavy enough that dispatch is negligible for every strategy.
const (
	quickLo = 1_000_000_000_000
	quickHi = 1_000_000_019_999
	denseLo = 2
	denseHi = 4_000_001
	// preset:large is 128 times preset:quick: 5.31e10 divisions, measured
	// at 124 CPU-seconds on a 2026 AMD EPYC core (4.3e8 divisions/s), so a
	// run on 64 such cores lasts about 1.9 s and one on 192 about 0.65 s,
	// long against worker start-up.
	largeLo = 1_000_000_000_000
	largeHi = 1_000_002_559_999
)

var presets = map[string]Preset{
	"quick": {
		Name:   "quick",
		Models: "20,000 consecutive 12-digit numbers: even, CPU-bound work, about a second serially (the default)",
		build: func(spec string) *Workload {
			return &Workload{Spec: spec, lo: quickLo, hi: quickHi}
		},
	},
	"classic": {
		Name:   "classic",
		Models: "Python's ProcessPoolExecutor example: six 15-16 digit numbers, repeated; few, heavy, uneven items that test load balancing",
		build: func(spec string) *Workload {
			numbers := make([]uint64, 0, len(ClassicNumbers)*classicRepeats)
			for i := 0; i < classicRepeats; i++ {
				numbers = append(numbers, ClassicNumbers...)
			}
			return &Workload{Spec: spec, numbers: numbers, isList: true}
		},
	},
	"large": {
		Name:   "large",
		Models: "2,560,000 consecutive 12-digit numbers (128x quick, about 2 minutes of one core): for machines with 64 to 192 cores",
		build: func(spec string) *Workload {
			return &Workload{Spec: spec, lo: largeLo, hi: largeHi}
		},
	},
	"dense": {
		Name:   "dense",
		Models: "4 million small numbers: each check is cheap, so dispatch and scheduling overhead dominate",
		build: func(spec string) *Workload {
			return &Workload{Spec: spec, lo: denseLo, hi: denseHi}
		},
	},
}

// DefaultSpec is the workload `primebench run` uses when none is given.
const DefaultSpec = "preset:quick"

// LargeSpec is the workload to suggest when runs are too short to measure:
// sized for machines with many cores.
const LargeSpec = "preset:large"

// LookupPreset returns the preset with the given name.
func LookupPreset(name string) (Preset, bool) {
	p, ok := presets[name]
	return p, ok
}

// Presets returns every preset, sorted by name.
func Presets() []Preset {
	out := make([]Preset, 0, len(presets))
	for _, p := range presets {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// PresetNames returns the preset names, sorted.
func PresetNames() []string {
	var names []string
	for _, p := range Presets() {
		names = append(names, p.Name)
	}
	return names
}
