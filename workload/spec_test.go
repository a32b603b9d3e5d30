package workload

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	dir := t.TempDir()
	listPath := filepath.Join(dir, "numbers.txt")
	if err := os.WriteFile(listPath, []byte("# candidates\n7\n\n  11  \n12 # even\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		spec    string
		stdin   string
		wantLen uint64
		first   uint64
		last    uint64
	}{
		{spec: "range:1-10", wantLen: 10, first: 1, last: 10},
		{spec: "range:0-0", wantLen: 1, first: 0, last: 0},
		{spec: "range:18446744073709551615-18446744073709551615", wantLen: 1, first: 1<<64 - 1, last: 1<<64 - 1},
		{spec: "range:1-18446744073709551615", wantLen: 1<<64 - 1, first: 1, last: 1<<64 - 1},
		{spec: "list:" + listPath, wantLen: 3, first: 7, last: 12},
		{spec: "list:-", stdin: "5\n3\n", wantLen: 2, first: 5, last: 3},
		{spec: "preset:quick", wantLen: quickHi - quickLo + 1, first: quickLo, last: quickHi},
		{spec: "preset:classic", wantLen: uint64(6 * classicRepeats), first: ClassicNumbers[0], last: ClassicNumbers[5]},
		{spec: "preset:dense", wantLen: denseHi - denseLo + 1, first: denseLo, last: denseHi},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			w, err := Parse(tt.spec, strings.NewReader(tt.stdin))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if w.Len() != tt.wantLen || w.At(0) != tt.first || w.At(w.Len()-1) != tt.last {
				t.Fatalf("got len %d, first %d, last %d; want %d, %d, %d", w.Len(), w.At(0), w.At(w.Len()-1), tt.wantLen, tt.first, tt.last)
			}
			if w.Spec != tt.spec {
				t.Fatalf("Spec = %q, want %q", w.Spec, tt.spec)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	bad := write("bad.txt", "7\n11\nbanana\n")
	neg := write("neg.txt", "# header\n-5\n")
	big := write("big.txt", "18446744073709551616\n")
	empty := write("empty.txt", "# only a comment\n\n")
	long := write("long.txt", strings.Repeat("1", MaxListLine+10)+"\n")
	tests := []struct {
		spec string
		want string // a part of the one-line message
	}{
		{"", "has no kind"},
		{"1-10", "has no kind"},
		{"ranges:1-10", `unknown workload kind "ranges"`},
		{"range:10-1", "LO must not be greater than HI"},
		{"range:10", "needs two bounds"},
		{"range:-1-5", "LO is empty"},
		{"range:1-", "HI is empty"},
		{"range:a-5", `"a" is not a decimal integer`},
		{"range:1-18446744073709551616", "larger than the largest 64-bit"},
		{"range:0-18446744073709551615", "2^64 numbers"},
		{"range: 1-5", "is not a decimal integer"},
		{"preset:nope", `unknown preset "nope": choose one of classic, dense, quick`},
		{"list:", "names no file"},
		{"list:" + filepath.Join(dir, "missing.txt"), "no such file or directory"},
		{"list:" + dir, "is a directory"},
		{"list:" + bad, "bad.txt line 3: \"banana\" is not a decimal integer"},
		{"list:" + neg, "neg.txt line 2"},
		{"list:" + big, "big.txt line 1: \"18446744073709551616\" is larger"},
		{"list:" + empty, "holds no numbers"},
		{"list:" + long, "long.txt line 1: longer than"},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			_, err := Parse(tt.spec, strings.NewReader(""))
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want an error containing %q", tt.spec, tt.want)
			}
			var se *SpecError
			if !errors.As(err, &se) {
				t.Errorf("error %v is %T, want *SpecError", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line containing %q", err, tt.want)
			}
		})
	}
}

func TestPlanCoversWorkloadExactlyOnce(t *testing.T) {
	tests := []struct {
		w    *Workload
		size uint64
	}{
		{mustRange(t, 1, 1000), 7},
		{mustRange(t, 1, 1000), 1000},
		{mustRange(t, 1, 1000), 5000},
		{mustRange(t, 1<<64-10, 1<<64-1), 3}, // chunk bounds at the top of the range; not solved, too slow
		{mustList(t, []uint64{5, 9, 13, 17, 21}), 2},
	}
	for _, tt := range tests {
		p, err := NewPlan(tt.w, tt.size)
		if err != nil {
			t.Fatal(err)
		}
		var seen uint64
		for i := 0; i < p.NumChunks(); i++ {
			c := p.Chunk(i)
			if c.Index != i || c.Len() == 0 || c.Len() > tt.size {
				t.Fatalf("chunk %d: index %d, len %d (size %d)", i, c.Index, c.Len(), tt.size)
			}
			for j := uint64(0); j < c.Len(); j++ {
				var n uint64
				if c.IsRange() {
					n = c.First + j
				} else {
					n = c.Numbers[j]
				}
				if want := tt.w.At(seen); n != want {
					t.Fatalf("number %d is %d, want %d", seen, n, want)
				}
				seen++
			}
		}
		if seen != tt.w.Len() {
			t.Fatalf("plan covers %d numbers, workload has %d", seen, tt.w.Len())
		}
		if tt.w.Len() > 1000 || tt.w.At(0) > 1<<40 {
			continue
		}
		if got := p.Solve().Numbers; got != tt.w.Len() {
			t.Fatalf("Solve checked %d numbers, want %d", got, tt.w.Len())
		}
	}
}

func TestNewPlanRejectsTooManyChunks(t *testing.T) {
	if _, err := NewPlan(mustRange(t, 1, 1<<40), 1); err == nil {
		t.Fatal("NewPlan with 2^40 chunks succeeded")
	}
	if _, err := NewPlan(mustRange(t, 1, 10), 0); err == nil {
		t.Fatal("NewPlan with chunk size 0 succeeded")
	}
}

func TestAutoChunkSize(t *testing.T) {
	tests := []struct {
		spec     string
		min, max uint64
	}{
		{"preset:classic", 1, 1},        // each item is ~5e6 divisions already
		{"preset:quick", 20, 100},       // ~2e4 divisions per number on average
		{"preset:dense", 5_000, 70_000}, // ~60 divisions per number
		{"range:1-10", 1, 1},            // tiny: keep chunks for balancing
		{"range:1000-1999", 1, 16},      // 1000 numbers: at least 64 chunks
	}
	for _, tt := range tests {
		w, err := Parse(tt.spec, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got := AutoChunkSize(w); got < tt.min || got > tt.max {
			t.Errorf("AutoChunkSize(%s) = %d, want %d..%d", tt.spec, got, tt.min, tt.max)
		}
	}
}

func mustRange(t *testing.T, lo, hi uint64) *Workload {
	t.Helper()
	w, err := NewRange("range", lo, hi)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func mustList(t *testing.T, numbers []uint64) *Workload {
	t.Helper()
	w, err := NewList("list", numbers)
	if err != nil {
		t.Fatal(err)
	}
	return w
}
