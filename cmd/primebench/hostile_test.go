package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/primebench/primebench/report"
	"github.com/primebench/primebench/results"
)

// hostileFile writes a copy of a committed result file whose strings (the
// label, host and CPU names, the command, a strategy's name and its
// references, a placement's host, the heartbeat's description) carry
// terminal escapes, C1 controls and bidirectional overrides.
func hostileFile(t *testing.T, dir, name, label string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "results", "ci-vm2-cpython_range-1000000000000-1000000003000_20261201-102553.json"))
	if err != nil {
		t.Fatal(err)
	}
	const evil = "\x1b]0;owned\x07\x1b[2J\u009b31m\u202egnp\u2028\x7f"
	var f map[string]any
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	m := f["machine"].(map[string]any)
	m["label"] = label + evil
	for _, key := range []string{"hostname", "cpu_model", "kernel", "hypervisor"} {
		m[key] = m[key].(string) + evil
	}
	cmd := f["command"].([]any)
	cmd[0] = "/usr/bin/python3" + evil
	renamed := "cpython-threads" + evil
	for _, s := range f["strategies"].([]any) {
		s := s.(map[string]any)
		for _, key := range []string{"name", "counterpart"} {
			if s[key] == "cpython-threads" {
				s[key] = renamed
			}
		}
		s["heartbeat"] = s["heartbeat"].(string) + evil
		if places, ok := s["placement"].([]any); ok {
			for _, p := range places {
				p.(map[string]any)["host"] = "vm" + evil
			}
		}
	}
	out, _ := json.Marshal(f)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// unsafeRune finds a character in out that acts on a terminal: a control
// other than newline, carriage return and tab (which the renderers write
// themselves), C1, a separator or a bidirectional control.
func unsafeRune(out string) (rune, bool) {
	for _, r := range out {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
		case r < 0x20 || r == 0x7f || r >= 0x80 && r < 0xa0, r == 0x2028 || r == 0x2029,
			r == 0x061c || r == 0x200e || r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return r, true
		}
	}
	return 0, false
}

// TestControlCharactersNeverReachTheTerminal: whatever a result file's
// strings carry, no rendering prints a control character of theirs: not
// the table, Markdown, CSV, JSON, gobench or the HTML page of a report or
// a comparison, not a chart, not an error.
func TestControlCharactersNeverReachTheTerminal(t *testing.T) {
	dir := t.TempDir()
	a := hostileFile(t, dir, "a.json", "a")
	b := hostileFile(t, dir, "b.json", "b")
	if f, err := results.Load(a); err != nil || !strings.Contains(f.Machine.Label, "\x1b") {
		t.Fatalf("the hostile file should load with its escapes (loading is not where they go): %v", err)
	}
	var runs [][]string
	for _, format := range report.FormatNames(false) {
		runs = append(runs, []string{"report", "--format", format, a})
	}
	for _, format := range report.FormatNames(true) {
		runs = append(runs, []string{"compare", "--format", format, a, b})
	}
	charts := t.TempDir()
	runs = append(runs, []string{"chart", "--format", "svg", "--out", charts, a, b})
	for _, args := range runs {
		r := runCLI(t, nil, args...)
		if r.code != 0 {
			t.Errorf("%v: exit %d, stderr %q", args[:3], r.code, r.stderr)
		}
		for stream, out := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
			if c, bad := unsafeRune(out); bad || !utf8.ValidString(out) {
				t.Errorf("%v: %s carries %U from the file", args[:3], stream, c)
			}
		}
		if args[0] != "chart" && !strings.Contains(r.stdout, "gnp") {
			t.Errorf("%v: the escaped strings should still be shown, got:\n%.400s", args[:3], r.stdout)
		}
	}
	svgs, _ := filepath.Glob(filepath.Join(charts, "*.svg"))
	if len(svgs) == 0 {
		t.Fatal("no charts drawn")
	}
	for _, path := range svgs {
		data, _ := os.ReadFile(path)
		if c, bad := unsafeRune(string(data)); bad {
			t.Errorf("%s carries %U from the file", filepath.Base(path), c)
		}
	}
	// An error that quotes the file is escaped too.
	broken := filepath.Join(dir, "broken.json")
	data, _ := os.ReadFile(a)
	os.WriteFile(broken, []byte(strings.Replace(string(data), `"schema_version":4`, `"schema_version":99,"primebench_version":"9\u001b[31m"`, 1)), 0o644)
	r := runCLI(t, nil, "report", broken)
	if c, bad := unsafeRune(r.stderr); r.code != exitUsage || bad {
		t.Errorf("error quoting the file: exit %d, stderr %q carries %U", r.code, r.stderr, c)
	}
}
