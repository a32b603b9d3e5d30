package cpulist

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseAndFormat(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []int
		ok   bool
	}{
		{"0-3,8", []int{0, 1, 2, 3, 8}, true},
		{"5\n", []int{5}, true},
		{"", nil, true},
		{"0,2-3,10-11", []int{0, 2, 3, 10, 11}, true},
		{"3-1", nil, false},
		{"a", nil, false},
		{"-1", nil, false},
		{"0-99999999", nil, false},
	} {
		got, err := Parse(tt.in)
		if (err == nil) != tt.ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %v, %v", tt.in, got, err)
		}
		if tt.ok {
			if back := Format(got); back != strings.TrimSpace(tt.in) {
				t.Errorf("Format(%v) = %q, want %q", got, back, strings.TrimSpace(tt.in))
			}
		}
	}
	if got := Format([]int{5, 0, 1, 2, 8}); got != "0-2,5,8" {
		t.Errorf("Format of unsorted ids: %q", got)
	}
}
