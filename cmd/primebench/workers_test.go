package main

import (
	"reflect"
	"testing"
)

func TestParseWorkers(t *testing.T) {
	tests := []struct {
		in   string
		want []int
	}{
		{"2", []int{2}},
		{"1,2,4", []int{1, 2, 4}},
		{"1-4", []int{1, 2, 3, 4}},
		{"1-2,8", []int{1, 2, 8}},
		{"4,1,4", []int{4, 1}},
		{" 2 , 3 ", []int{2, 3}},
		{"1024", []int{1024}},
	}
	for _, tt := range tests {
		got, err := parseWorkers(tt.in)
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseWorkers(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{"", "0", "-1", "1025", "a", "1-", "-", "3-1", "1.5"} {
		if _, err := parseWorkers(bad); err == nil {
			t.Errorf("parseWorkers(%q) succeeded", bad)
		}
	}
}
