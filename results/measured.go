package results

import "slices"

// MeasuredInOf says which runs of f measured what, from what its runs
// hold: the engine records it so for the runs it made, and a file from
// before schema 6 gets it on loading (its timed runs then measured memory
// and the timeline too: they had no runs of their own).
func MeasuredInOf(f *File) MeasuredIn {
	var m MeasuredIn
	add := func(list *[]string, name string) {
		if !slices.Contains(*list, name) {
			*list = append(*list, name)
		}
	}
	m.Timed = []string{MeasuresWall}
	for _, s := range f.Strategies {
		for _, r := range s.Runs {
			if r.CPUSeconds != nil {
				add(&m.Timed, MeasuresCPU)
			}
			if len(r.CoreBusy) > 0 {
				add(&m.Timed, MeasuresCoreBusy)
			}
			if r.StartupSeconds > 0 || len(r.WorkerStartupSeconds) > 0 {
				add(&m.Timed, MeasuresStartup)
			}
			if r.Throttling != nil {
				add(&m.Timed, MeasuresThrottle)
			}
			if r.CoreTimeline != nil {
				add(&m.Timed, MeasuresTimeline)
			}
			for _, name := range sortedKeys(r.Figures) {
				add(&m.Timed, name)
			}
		}
		if s.Probe != nil && len(s.Probe.Runs) > 0 {
			add(&m.Probe, MeasuresLag)
		}
		if s.Watched != nil {
			for _, r := range s.Watched.Runs {
				for _, name := range sortedKeys(r.Figures) {
					add(&m.Watched, name)
				}
				if r.CoreTimeline != nil {
					add(&m.Watched, MeasuresTimeline)
				}
			}
		}
	}
	return m
}

func sortedKeys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
