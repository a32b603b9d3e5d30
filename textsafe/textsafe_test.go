package textsafe

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestEscape(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"ci-vm2", "ci-vm2"},
		{"Intel(R) Xeon(R) µ ö 日本", "Intel(R) Xeon(R) µ ö 日本"},
		{"a\x1b[31mred", `a\x1b[31mred`},
		{"line\nbreak\ttab\r", `line\x0abreak\x09tab\x0d`},
		{"nul\x00del\x7f", `nul\x00del\x7f`},
		{"c1\u0085\u009b", `c1\x85\x9b`},
		{"evil\u202egnp.exe", `evil\u202egnp.exe`},
		{"iso\u2066x\u2069", `iso\u2066x\u2069`},
		{"sep\u2028", `sep\u2028`},
		{"bad\xffutf8", `bad\xffutf8`},
		{`back\x1b`, `back\x1b`},     // no control: unchanged
		{"back\\\x1b", `back\\\x1b`}, // beside one: a backslash is doubled
		{"", ""},
	} {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCopy(t *testing.T) {
	type inner struct{ Name string }
	type outer struct {
		Label string
		When  time.Time
		Ptr   *inner
		List  []inner
		Map   map[string]string
		N     float64
		Nil   *inner
	}
	now := time.Now()
	in := outer{Label: "x\x1b", When: now, Ptr: &inner{"p\x07"}, List: []inner{{"l\n"}}, Map: map[string]string{"k\x01": "v\x02"}, N: 3}
	out := Copy(in)
	if out.Label != `x\x1b` || out.Ptr.Name != `p\x07` || out.List[0].Name != `l\x0a` || out.Map[`k\x01`] != `v\x02` || out.N != 3 || !out.When.Equal(now) || out.Nil != nil {
		t.Errorf("copy %+v", out)
	}
	if in.Label != "x\x1b" || in.Ptr.Name != "p\x07" || in.List[0].Name != "l\n" {
		t.Errorf("the original changed: %+v", in)
	}
}

func TestJSON(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{`{"a":"plain"}`, `{"a":"plain"}`},
		{`{"a":"x` + "\u009b" + `31m"}`, `{"a":"x\u009b31m"}`},
		{`{"a":"` + "\u202e" + `gnp"}`, `{"a":"\u202egnp"}`},
		{`{"a":"del` + "\x7f" + `"}`, `{"a":"del\u007f"}`},
		{`{"a":"bad` + "\xff" + `"}`, `{"a":"bad\ufffd"}`},
		{`{"a":"日本 µ"}`, `{"a":"日本 µ"}`},
	} {
		got := JSON([]byte(tt.in))
		if string(got) != tt.want {
			t.Errorf("JSON(%q) = %q, want %q", tt.in, got, tt.want)
		}
		var before, after any
		if json.Unmarshal([]byte(tt.in), &before) == nil {
			if err := json.Unmarshal(got, &after); err != nil || !reflect.DeepEqual(before, after) {
				t.Errorf("JSON(%q) changed the document's meaning: %v, %v against %v", tt.in, err, after, before)
			}
		}
	}
}
