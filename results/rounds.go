package results

import (
	"sort"

	"github.com/primebench/primebench/summary"
)

// SlowRoundFactor: a round in which most strategies' runs took this much
// longer than their own medians was a slow moment of the machine rather
// than of any strategy.
const SlowRoundFactor = 1.25

// RoundPace is one measured round: how long its runs took against their
// strategies' medians.
type RoundPace struct {
	Round int
	// Ratios holds each strategy row's run time in this round over the
	// row's median, in the order of f.Strategies (NaN-free: rows without
	// a run in the round are left out).
	Ratios []float64
	// Median is the median of Ratios: above 1 the round was slow for most
	// strategies, whatever their positions in it.
	Median float64
	// Slow counts the rows whose run took SlowRoundFactor their median or
	// more.
	Slow int
}

// Rounds returns the file's measured rounds in order, from the runs' round
// records; nil for a file whose runs carry none (older primebench) or whose
// rows have no median.
func Rounds(f *File) []RoundPace {
	byRound := map[int][]float64{}
	for _, s := range f.Strategies {
		median := summary.Median(s.wallTimes())
		if !(median > 0) {
			continue
		}
		for _, r := range s.Runs {
			if r.Round > 0 {
				byRound[r.Round] = append(byRound[r.Round], r.WallSeconds/median)
			}
		}
	}
	var out []RoundPace
	for round, ratios := range byRound {
		slow := 0
		for _, r := range ratios {
			if r >= SlowRoundFactor {
				slow++
			}
		}
		out = append(out, RoundPace{Round: round, Ratios: ratios, Median: summary.Median(ratios), Slow: slow})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Round < out[j].Round })
	return out
}

// SlowRounds are the rounds in which more than half of the strategy rows,
// and at least two, ran SlowRoundFactor their medians or slower (with one
// row, a slow round and a slow run are the same thing, which the noise
// warnings already say).
func SlowRounds(f *File) []RoundPace {
	var slow []RoundPace
	for _, r := range Rounds(f) {
		if r.Slow >= 2 && 2*r.Slow > len(r.Ratios) {
			slow = append(slow, r)
		}
	}
	return slow
}
