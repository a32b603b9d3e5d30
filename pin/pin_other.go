//go:build !linux

package pin

// Supported: only Linux pins here.
const Supported = false

// Topologies knows nothing of the topology off Linux: each CPU a core.
func Topologies(cpus []int) []Topology {
	out := make([]Topology, len(cpus))
	for i, c := range cpus {
		out[i] = Unknown(c)
	}
	return out
}

func Thread(cpu int) ([]int, func(), error) { return nil, nil, ErrUnsupported }

func Start(cpu int, start func() error) error { return ErrUnsupported }

func Of(tid int) ([]int, error) { return nil, ErrUnsupported }
