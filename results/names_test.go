package results

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestDefaultNameFits: whatever the label and workload, the name --save
// gives a file (and the temporary name it is written under) fits the file
// system, and two long labels that differ only at the end stay apart.
func TestDefaultNameFits(t *testing.T) {
	dir := t.TempDir()
	long := strings.Repeat("a", 300)
	tests := []struct{ label, spec string }{
		{"vm", "preset:quick"},
		{long, "preset:quick"},
		{long + "b", "preset:quick"},
		{strings.Repeat("é", 200), "list:/" + strings.Repeat("d/", 200) + "numbers.txt"},
		{"", "range:1-2000"},
	}
	seen := map[string]string{}
	for _, tt := range tests {
		f := sample()
		f.Machine.Label, f.Workload.Spec = tt.label, tt.spec
		name := DefaultName(f)
		if len(name) > 160 {
			t.Errorf("label %.20q...: name %d bytes long", tt.label, len(name))
		}
		if other, ok := seen[name]; ok {
			t.Errorf("labels %.20q... and %.20q... share the name %s", other, tt.label, name)
		}
		seen[name] = tt.label
		if err := WriteFile(context.Background(), filepath.Join(dir, name), f); err != nil {
			t.Errorf("cannot save under %s: %v", name, err)
		}
	}
}
