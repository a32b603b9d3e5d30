package workload

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// FuzzParse: any spec either parses or fails with one line of *SpecError;
// list:- reads the fuzzed stdin too.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{"range:1-10", "range:10-1", "range:-", "range:18446744073709551615-18446744073709551615",
		"range:0-18446744073709551615", "preset:quick", "preset:", "list:-", "list:", ":", "range:1-2-3", "range:+1-2"} {
		f.Add(seed, "7\n# c\n\n11\n")
	}
	f.Fuzz(func(t *testing.T, spec, stdin string) {
		if strings.HasPrefix(spec, "list:") && spec != "list:-" {
			return // would read arbitrary files from this machine
		}
		w, err := Parse(spec, strings.NewReader(stdin))
		if err != nil {
			var se *SpecError
			if !errors.As(err, &se) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("Parse(%q): %T %q is not a one-line SpecError", spec, err, err)
			}
			return
		}
		if w.Len() == 0 {
			t.Fatalf("Parse(%q) gave an empty workload", spec)
		}
		// Planning never fails for a sane chunk size and never loses a number.
		p, err := NewPlan(w, 1<<40)
		if err != nil {
			t.Fatal(err)
		}
		if c := p.Chunk(p.NumChunks() - 1); c.Len() == 0 {
			t.Fatalf("empty last chunk for %q", spec)
		}
	})
}

// FuzzReadList: whatever it accepts survives a round trip through its own
// canonical form.
func FuzzReadList(f *testing.F) {
	f.Add([]byte("1\n2\n# comment\n\n  3  # three\n"))
	f.Add([]byte("18446744073709551615\r\n0"))
	f.Add([]byte("-1\n"))
	f.Add(bytes.Repeat([]byte("9"), MaxListLine+1))
	f.Fuzz(func(t *testing.T, data []byte) {
		numbers, err := ReadList(bytes.NewReader(data), "fuzz")
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		var canon bytes.Buffer
		for _, n := range numbers {
			fmt.Fprintln(&canon, n)
		}
		again, err := ReadList(&canon, "canon")
		if err != nil || len(again) != len(numbers) {
			t.Fatalf("round trip: %v, %d vs %d numbers", err, len(again), len(numbers))
		}
		for i := range again {
			if again[i] != numbers[i] {
				t.Fatalf("number %d: %d became %d", i, numbers[i], again[i])
			}
		}
	})
}
