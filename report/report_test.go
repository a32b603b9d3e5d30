package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/primebench/primebench/results"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestTableGolden(t *testing.T) {
	f, err := results.Load(filepath.Join("testdata", "run.json"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Table(&buf, f); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "run.table.golden")
	if *update {
		os.WriteFile(golden, buf.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if buf.String() != string(want) {
		t.Errorf("table differs from %s (go test ./report -update to accept):\n%s", golden, buf.String())
	}
}

func TestTableShowsWarningsAsNotes(t *testing.T) {
	f, _ := results.Load(filepath.Join("testdata", "run.json"))
	f.Strategies[1].Runs[0].CPUShare = 0.3
	f.Conditions.BusyBefore = 0.5
	results.Summarise(f)
	var buf bytes.Buffer
	if err := Table(&buf, f); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{"got under 90% of the CPU time", "warning: the machine was already 50% busy"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestJSONReloads(t *testing.T) {
	f, _ := results.Load(filepath.Join("testdata", "run.json"))
	var buf bytes.Buffer
	if err := JSON(&buf, f); err != nil {
		t.Fatal(err)
	}
	if _, err := results.Decode(buf.Bytes()); err != nil {
		t.Fatal(err)
	}
}

func TestNew(t *testing.T) {
	for _, name := range Formats {
		if _, err := New(name); err != nil {
			t.Errorf("New(%q): %v", name, err)
		}
	}
	if _, err := New("yaml"); err == nil || err.Error() != `unknown format "yaml": choose table or json` {
		t.Errorf("New(yaml) = %v", err)
	}
}
