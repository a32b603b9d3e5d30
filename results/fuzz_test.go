package results

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// FuzzDecode: any bytes either load or give a one-line error; what loads can
// be summarised and written again.
func FuzzDecode(f *testing.F) {
	good, _ := json.Marshal(sample())
	f.Add(good)
	f.Add(good[:len(good)/2])
	// Figures at the edges of float64, which derived rates and sums turn
	// into infinities unless loading refuses them.
	for _, edge := range []string{"5e-324", "1e-300", "1e308", "1.7976931348623157e308", "-0", "1e12", "1.000001e12"} {
		for _, field := range []string{"wall_seconds", "cpu_seconds", "effective_cpus", "steal_share"} {
			seed := regexp.MustCompile(`"`+field+`":[^,}\]]+`).ReplaceAll(good, []byte(`"`+field+`":`+edge))
			if bytes.Equal(seed, good) && field == "wall_seconds" {
				f.Fatalf("the %s seed changed nothing: the sample's JSON no longer has the field", field)
			}
			f.Add(seed)
		}
	}
	f.Add([]byte(`{"schema_version": 2}`))
	f.Add([]byte(`{"schema_version": 1, "workload": {"spec": "x", "numbers": 1}, "machine": {"logical_cpus": 1}, "strategies": [{"name": "s", "workers": 1, "runs": [{"wall_seconds": 1e308}]}]}`))
	f.Add([]byte(`{"schema_version": 2, "workload": {"spec": "x", "numbers": 1, "checksum": "7"}, "machine": {"logical_cpus": 1, "cpu_ids": [3], "effective_cpus": 0.5}, "strategies": [{"name": "s", "workers": 1, "runs": [{"wall_seconds": 1}]}]}`))
	for _, pattern := range []string{filepath.Join("..", "report", "testdata", "*.json"), filepath.Join("testdata", "*.json")} {
		committed, _ := filepath.Glob(pattern)
		for _, path := range committed {
			if data, err := os.ReadFile(path); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Decode(data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		Summarise(file)
		var buf bytes.Buffer
		if err := Encode(&buf, file); err != nil {
			t.Fatalf("a loaded file cannot be written again: %v", err)
		}
		if _, err := Decode(buf.Bytes()); err != nil {
			t.Fatalf("a written file does not load: %v", err)
		}
	})
}
