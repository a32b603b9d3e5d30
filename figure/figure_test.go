package figure

import (
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	good := Def{Name: "peak_rss_bytes", Label: "peak RSS", Unit: Bytes}
	if err := good.Check(); err != nil {
		t.Errorf("%+v: %v", good, err)
	}
	for _, tt := range []struct {
		d    Def
		want string
	}{
		{Def{Name: "Peak", Label: "x", Unit: Count}, "lower-case"},
		{Def{Name: "a b", Label: "x", Unit: Count}, "lower-case"},
		{Def{Name: "", Label: "x", Unit: Count}, "lower-case"},
		{Def{Name: "x", Unit: Count}, "label"},
		{Def{Name: "x", Label: strings.Repeat("l", 41), Unit: Count}, "label"},
		{Def{Name: "x", Label: "x"}, "no unit"},
	} {
		if err := tt.d.Check(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v: err %v, want %q", tt.d, err, tt.want)
		}
	}
}

func TestAddKeepsFirstDeclaration(t *testing.T) {
	a := &Def{Name: "a", Label: "A", Unit: Count}
	b := &Def{Name: "b", Label: "B", Unit: Bytes}
	other := &Def{Name: "a", Label: "another A", Unit: Count}
	defs := Add(Add(Add(nil, a), b), other)
	if len(defs) != 2 || defs[0].Label != "A" || defs[1].Name != "b" {
		t.Errorf("defs %+v", defs)
	}
	if d, ok := Find(defs, "b"); !ok || d.Unit != Bytes {
		t.Errorf("Find b = %+v, %v", d, ok)
	}
	if _, ok := Find(defs, "c"); ok {
		t.Error("found c")
	}
}
