package compare

import (
	"strconv"
	"strings"
	"testing"

	"github.com/primebench/primebench/results"
)

func TestFilter(t *testing.T) {
	file := func() *results.File {
		return &results.File{Strategies: []results.Strategy{
			{Name: "serial", Workers: 1}, {Name: "gil", Workers: 2}, {Name: "goroutines", Workers: 2}, {Name: "goroutines", Workers: 4},
		}}
	}
	for _, tt := range []struct {
		f       Filter
		want    string
		wantErr string
	}{
		{Filter{}, "serial/1 gil/2 goroutines/2 goroutines/4", ""},
		{Filter{Strategies: []string{"goroutines"}}, "goroutines/2 goroutines/4", ""},
		{Filter{Workers: []int{2}}, "gil/2 goroutines/2", ""},
		{Filter{Strategies: []string{"serial", "goroutines"}, Workers: []int{1, 4}}, "serial/1 goroutines/4", ""},
		{Filter{Strategies: []string{"gorutines"}}, "", `--strategies: no file has "gorutines": they have serial,gil,goroutines`},
		{Filter{Workers: []int{8}}, "", "--workers: no file has a row at 8 workers: they have 1 2 4"},
	} {
		inputs := []Input{{Path: "a", File: file()}, {Path: "b", File: file()}}
		err := tt.f.Apply(inputs)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%+v: %v, want %q", tt.f, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range inputs {
			var got []string
			for _, s := range in.File.Strategies {
				got = append(got, s.Name+"/"+itoa(s.Workers))
			}
			if strings.Join(got, " ") != tt.want {
				t.Errorf("%+v: %s kept %q, want %q", tt.f, in.Path, strings.Join(got, " "), tt.want)
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
