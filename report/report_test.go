package report

import (
	"bytes"
	"encoding/csv"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/perf/benchfmt"

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
	if _, err := New("yaml"); err == nil || err.Error() != `unknown format "yaml": choose table, json, csv, markdown or gobench` {
		t.Errorf("New(yaml) = %v", err)
	}
}

func TestGoBenchReadsBackWithBenchfmt(t *testing.T) {
	f, _ := results.Load(filepath.Join("testdata", "run.json"))
	var buf bytes.Buffer
	if err := GoBench(&buf, f); err != nil {
		t.Fatal(err)
	}
	r := benchfmt.NewReader(&buf, "run.bench")
	var n int
	for r.Scan() {
		res, ok := r.Result().(*benchfmt.Result)
		if !ok {
			t.Fatalf("not a result: %+v", r.Result())
		}
		n++
		name := string(res.Name)
		if !strings.HasPrefix(name, "Prime/strategy=") || !strings.Contains(name, "/workers=") {
			t.Errorf("name %q", name)
		}
		if string(res.GetConfig("host")) != f.Machine.Name() || string(res.GetConfig("goos")) != f.Machine.OS || string(res.GetConfig("primebench-version")) != f.Machine.PrimebenchVersion {
			t.Errorf("config %+v", res.Config)
		}
		ns, ok := res.Value("sec/op")
		nps, ok2 := res.Value("numbers/s")
		if !ok || !ok2 || ns <= 0 || math.Abs(nps*ns-float64(f.Workload.Numbers)) > 1e-3*float64(f.Workload.Numbers) {
			t.Errorf("values %+v", res.Values)
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, s := range f.Strategies {
		want += len(s.Runs)
	}
	if n != want {
		t.Errorf("%d results, want one per run (%d)", n, want)
	}
}

func TestCSV(t *testing.T) {
	f, _ := results.Load(filepath.Join("testdata", "run.json"))
	var buf bytes.Buffer
	if err := CSV(&buf, f); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(f.Strategies) || rows[0][2] != "strategy" || rows[1][2] != "serial" || rows[1][12] != "1" {
		t.Errorf("rows %q", rows)
	}
}

func TestMarkdown(t *testing.T) {
	f, _ := results.Load(filepath.Join("testdata", "run.json"))
	var buf bytes.Buffer
	if err := Markdown(&buf, f); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.Contains(out, "| strategy ") || !strings.Contains(out, "|:---") && !strings.Contains(out, "|---") || !strings.Contains(out, "- machine") {
		t.Errorf("not Markdown:\n%s", out)
	}
}
