// Package scan reads the values a scanned setting takes (--workers,
// --chunk, --switch-interval): one value, a list 1,2,4, a range 1-8, a
// geometric range 1-4096:x4 (each value times 4, the last one included),
// or a list mixing them (1-4,16). It parses only; what values a setting
// allows is checked by the engine.
package scan

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Max is the most values one setting may take: a range that expands to
// more is refused while it is read, before it takes memory.
const Max = 64

// Hint is how a scan is written, for error messages.
const Hint = "give a value, a list like 1,2,4, a range like 1-8 or a geometric range like 1-4096:x4"

// Uints reads a list of whole numbers and ranges of them. Repeated values
// are kept once, in the order first given.
func Uints(text string) ([]uint64, error) {
	var out []uint64
	seen := map[uint64]bool{}
	add := func(n uint64) error {
		if !seen[n] {
			if len(out) == Max {
				return fmt.Errorf("%q has more than %d values: give fewer, or a geometric range such as 1-4096:x4", text, Max)
			}
			seen[n] = true
			out = append(out, n)
		}
		return nil
	}
	for _, part := range strings.Split(text, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			return nil, fmt.Errorf("%q has an empty value: %s", text, Hint)
		}
		rng, step, stepped := strings.Cut(part, ":")
		lo, hi, isRange := strings.Cut(rng, "-")
		if isRange && lo == "" {
			return nil, fmt.Errorf("%q: %s is negative: %s", text, part, Hint)
		}
		a, err := number(text, lo)
		if err != nil {
			return nil, err
		}
		if !isRange {
			if stepped {
				return nil, fmt.Errorf("%q: a step (%s) belongs to a range such as 1-4096:x4", text, part)
			}
			if err := add(a); err != nil {
				return nil, err
			}
			continue
		}
		b, err := number(text, hi)
		if err != nil {
			return nil, err
		}
		if a > b {
			return nil, fmt.Errorf("%q: the range %s is empty: write the smaller value first", text, rng)
		}
		next := func(n uint64) uint64 { return n + 1 }
		if stepped {
			next, err = stepper(text, step, a)
			if err != nil {
				return nil, err
			}
		}
		for n := a; ; n = next(n) {
			if err := add(n); err != nil {
				return nil, err
			}
			if m := next(n); m > b || m <= n {
				if n != b && stepped {
					// The last value of a range is always scanned.
					if err := add(b); err != nil {
						return nil, err
					}
				}
				break
			}
		}
	}
	return out, nil
}

// stepper reads a range's step: xF multiplies, +S adds.
func stepper(text, step string, lo uint64) (func(uint64) uint64, error) {
	switch {
	case strings.HasPrefix(step, "x"):
		f, err := strconv.ParseUint(step[1:], 10, 64)
		if err != nil || f < 2 {
			return nil, fmt.Errorf("%q: step %s must be x and a whole factor of 2 or more, as in 1-4096:x4", text, step)
		}
		if lo == 0 {
			return nil, fmt.Errorf("%q: a geometric range cannot start at 0", text)
		}
		return func(n uint64) uint64 {
			if n > ^uint64(0)/f {
				return n // overflow: the caller stops
			}
			return n * f
		}, nil
	case strings.HasPrefix(step, "+"):
		d, err := strconv.ParseUint(step[1:], 10, 64)
		if err != nil || d < 1 {
			return nil, fmt.Errorf("%q: step %s must be + and a whole number of 1 or more, as in 2-16:+2", text, step)
		}
		return func(n uint64) uint64 { return n + d }, nil
	}
	return nil, fmt.Errorf("%q: step %q must be xF (multiply) or +S (add), as in 1-4096:x4", text, step)
}

func number(text, s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		var ne *strconv.NumError
		if errors.As(err, &ne) && ne.Err == strconv.ErrRange {
			return 0, fmt.Errorf("%q: %s is too large", text, s)
		}
		return 0, fmt.Errorf("%q: %q is not a whole number: %s", text, s, Hint)
	}
	return n, nil
}

// Ints is Uints for settings that are Go ints (worker counts).
func Ints(text string) ([]int, error) {
	us, err := Uints(text)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(us))
	for i, u := range us {
		if u > 1<<31 {
			return nil, fmt.Errorf("%q: %d is too large", text, u)
		}
		out[i] = int(u)
	}
	return out, nil
}

// Durations reads a list of durations (1ms,5ms,20ms), each as Go writes
// them. Repeated values are kept once.
func Durations(text string) ([]time.Duration, error) {
	var out []time.Duration
	for _, part := range strings.Split(text, ",") {
		part = strings.TrimSpace(part)
		d, err := time.ParseDuration(part)
		if err != nil {
			return nil, fmt.Errorf("%q: %q is not a duration: give durations such as 1ms,5ms,20ms", text, part)
		}
		if len(out) == Max {
			return nil, fmt.Errorf("%q has more than %d values: give fewer", text, Max)
		}
		if !contains(out, d) {
			out = append(out, d)
		}
	}
	return out, nil
}

func contains(ds []time.Duration, d time.Duration) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// Share reads a share written as a percentage ("2%") or a fraction
// ("0.02"): --precision, --tolerance. What range a setting allows is its
// own to check.
func Share(text string) (float64, error) {
	t := strings.TrimSpace(text)
	scale := 1.0
	if s, ok := strings.CutSuffix(t, "%"); ok {
		t, scale = strings.TrimSpace(s), 0.01
	}
	x, err := strconv.ParseFloat(t, 64)
	if err != nil || x != x {
		return 0, fmt.Errorf("%q is not a share: give a percentage such as 5%% or a fraction such as 0.05", text)
	}
	return x * scale, nil
}
