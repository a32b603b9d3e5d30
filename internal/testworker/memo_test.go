package testworker

import (
	"errors"
	"testing"
)

// Memo looks up each key once, its error included; MemoCopy hands each
// caller a copy of its own.
func TestMemo(t *testing.T) {
	calls := 0
	look := func() (int, error) { calls++; return 7, nil }
	for range 3 {
		if v, err := Memo("memo-test seven", look); v != 7 || err != nil {
			t.Fatalf("Memo = %d, %v", v, err)
		}
	}
	failed := errors.New("no such interpreter")
	for range 2 {
		if _, err := Memo("memo-test missing", func() (int, error) { calls++; return 0, failed }); err != failed {
			t.Fatalf("err = %v, want the first look-up's", err)
		}
	}
	if calls != 2 {
		t.Errorf("%d look-ups for two keys", calls)
	}

	type found struct{ Path string }
	first, _ := MemoCopy("memo-test copy", func() (*found, error) { return &found{"/usr/bin/python3"}, nil })
	first.Path = "changed by one test"
	second, _ := MemoCopy("memo-test copy", func() (*found, error) { return nil, errors.New("not asked again") })
	if second == nil || second.Path != "/usr/bin/python3" {
		t.Errorf("the second caller got %+v", second)
	}
	if none, err := MemoCopy("memo-test nil", func() (*found, error) { return nil, failed }); none != nil || err != failed {
		t.Errorf("MemoCopy of a failed look-up = %v, %v", none, err)
	}
}
