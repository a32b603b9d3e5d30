package testworker

import "testing"

// Sample is what a registry-wide test covers: every item in the full suite
// (scripts/test.sh, CI), and under -short the first item of each class,
// so that the edit loop (go test -short ./...) still puts every way of
// running (in-process, worker processes, a CPython lane) to the test in
// about a minute. class names an item's way of running, from its facts.
func Sample[T any](items []T, class func(T) string) []T {
	if !testing.Short() {
		return items
	}
	seen := map[string]bool{}
	var out []T
	for _, it := range items {
		if c := class(it); !seen[c] {
			seen[c] = true
			out = append(out, it)
		}
	}
	return out
}

// SkipShort skips a test that repeats, for every strategy, what a faster
// test checks once at the mechanism all of them share: it runs in the full
// suite only.
func SkipShort(t *testing.T, covered string) {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: " + covered + "; the full suite (scripts/test.sh) runs this over every strategy")
	}
}
