package hostid

import (
	"errors"
	"runtime"
	"testing"
)

func TestFromRaw(t *testing.T) {
	for _, tt := range []struct{ raw, want string }{
		{"", Unknown},
		{"  \n", Unknown},
		{"\x00\x00", Unknown},
		// sha256("primebench:0123456789abcdef0123456789abcdef")[:16]; the
		// CPython worker's test checks the same vector.
		{"0123456789abcdef0123456789abcdef", "4e8107b61165161851b2055828cba7e1"},
		{"0123456789abcdef0123456789abcdef\n", "4e8107b61165161851b2055828cba7e1"},
	} {
		got := FromRaw(tt.raw)
		if got != tt.want {
			t.Errorf("FromRaw(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
	if FromRaw("a") == FromRaw("b") || FromRaw("a") != FromRaw("a\n") {
		t.Error("ids must differ for different machines and ignore surrounding space")
	}
}

func TestSame(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{"x", "x", true}, {"x", "y", false}, {Unknown, Unknown, false}, {"", "", false}, {"x", "", false},
	} {
		if got := Same(tt.a, tt.b); got != tt.want {
			t.Errorf("Same(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func TestFirstOf(t *testing.T) {
	files := map[string]string{"/boot": "", "/etc": "abc\n", "/dbus": "def"}
	read := func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, errors.New("absent")
	}
	for _, tt := range []struct {
		paths []string
		want  string
	}{
		{[]string{"/boot", "/etc", "/dbus"}, "abc"}, // empty boot id: next
		{[]string{"/missing", "/dbus"}, "def"},
		{[]string{"/missing"}, ""},
	} {
		if got := firstOf(read, tt.paths); got != tt.want {
			t.Errorf("firstOf(%v) = %q, want %q", tt.paths, got, tt.want)
		}
	}
}

func TestThisMachineHasAnID(t *testing.T) {
	if runtime.GOOS == "linux" && !Known(ID()) {
		t.Errorf("ID() = %q on Linux, which has a boot id", ID())
	}
	if ID() != ID() {
		t.Error("ID() changes between calls")
	}
}
