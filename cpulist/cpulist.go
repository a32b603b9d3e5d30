// Package cpulist reads and writes CPU lists as the kernel writes them
// ("0-3,8,10-11": cpuset.cpus, /sys/devices/system/cpu/online, taskset -c):
// the one wording of a set of CPUs for every package that shows one.
package cpulist

import (
	"slices"
	"strconv"
	"strings"
)

// Parse reads a CPU list such as "0-3,8,10-11". An empty list has no CPUs.
func Parse(text string) ([]int, error) {
	var out []int
	text = strings.TrimSpace(text)
	if text == "" {
		return nil, nil
	}
	for _, part := range strings.Split(text, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return nil, &Error{text}
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, &Error{text}
			}
		}
		if b-a > 1<<16 {
			return nil, &Error{text}
		}
		for c := a; c <= b; c++ {
			out = append(out, c)
		}
	}
	return out, nil
}

// Error is a CPU list that does not parse.
type Error struct{ Text string }

func (e *Error) Error() string { return "malformed CPU list " + strconv.Quote(e.Text) }

// Format writes CPU ids, in any order, as a CPU list: [0 1 2 3 8] is
// "0-3,8"; no ids is "".
func Format(ids []int) string {
	ids = slices.Sorted(slices.Values(ids))
	var b strings.Builder
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(ids[i]))
		if j > i {
			b.WriteByte('-')
			b.WriteString(strconv.Itoa(ids[j]))
		}
		i = j + 1
	}
	return b.String()
}
