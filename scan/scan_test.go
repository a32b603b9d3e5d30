package scan

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestUints(t *testing.T) {
	tests := []struct {
		in   string
		want []uint64
	}{
		{"2", []uint64{2}},
		{"1,2,4", []uint64{1, 2, 4}},
		{"1-4", []uint64{1, 2, 3, 4}},
		{"1-2,8", []uint64{1, 2, 8}},
		{"4,1,4", []uint64{4, 1}},
		{" 2 , 3 ", []uint64{2, 3}},
		{"1-4096:x8", []uint64{1, 8, 64, 512, 4096}},
		{"1-5:x2", []uint64{1, 2, 4, 5}},
		{"2-9:+3", []uint64{2, 5, 8, 9}},
		{"0", []uint64{0}},
		{"18446744073709551615", []uint64{18446744073709551615}},
		{"1-18446744073709551615:x65536", []uint64{1, 1 << 16, 1 << 32, 1 << 48, 18446744073709551615}},
	}
	for _, tt := range tests {
		got, err := Uints(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Uints(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for bad, want := range map[string]string{
		"":                     "empty value",
		"-1":                   "negative",
		"a":                    "not a whole number",
		"1-":                   "not a whole number",
		"3-1":                  "empty",
		"1.5":                  "not a whole number",
		"1-4096":               "more than 64 values",
		"4:x2":                 "belongs to a range",
		"1-8:x1":               "factor of 2 or more",
		"0-8:x2":               "cannot start at 0",
		"1-8:y":                "must be xF",
		"99999999999999999999": "too large",
	} {
		if _, err := Uints(bad); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Uints(%q) = %v, want an error containing %q", bad, err, want)
		}
	}
}

func TestDurations(t *testing.T) {
	got, err := Durations("1ms, 5ms,1ms,20ms")
	if err != nil || !reflect.DeepEqual(got, []time.Duration{time.Millisecond, 5 * time.Millisecond, 20 * time.Millisecond}) {
		t.Errorf("Durations = %v, %v", got, err)
	}
	if _, err := Durations("5ms,soon"); err == nil || !strings.Contains(err.Error(), `"soon" is not a duration`) {
		t.Errorf("err = %v", err)
	}
}
