package compare

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Every field of compare's JSON documents, and every warning kind, is
// named in results/FORMAT.md's section on them: a new field cannot be left
// out of the contract scripts read.
func TestJSONDocumentsAreDocumented(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "results", "FORMAT.md"))
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	start := strings.Index(doc, "## compare's JSON documents")
	if start < 0 {
		t.Fatal("results/FORMAT.md has no section on compare's JSON documents")
	}
	section := doc[start:]
	section = section[:strings.Index(section[3:], "\n## ")+3]
	seen := map[reflect.Type]bool{}
	var walk func(reflect.Type)
	walk = func(ty reflect.Type) {
		for ty.Kind() == reflect.Pointer || ty.Kind() == reflect.Slice || ty.Kind() == reflect.Array {
			ty = ty.Elem()
		}
		if ty.Kind() != reflect.Struct || seen[ty] || ty.PkgPath() != reflect.TypeOf(Fleet{}).PkgPath() {
			return
		}
		seen[ty] = true
		for i := 0; i < ty.NumField(); i++ {
			f := ty.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" || name == "-" {
				continue
			}
			if !strings.Contains(section, "`"+name+"`") && !strings.Contains(section, "`"+name+"[]`") {
				t.Errorf("%s.%s (%q) is not in results/FORMAT.md's section on compare's documents", ty.Name(), f.Name, name)
			}
			walk(f.Type)
		}
	}
	for _, d := range []any{ComparisonJSON{}, FleetJSON{}, SinceJSON{}} {
		walk(reflect.TypeOf(d))
	}
	for _, k := range WarningKinds {
		if !strings.Contains(section, "`"+string(k)+"`") {
			t.Errorf("warning kind %s is not in results/FORMAT.md", k)
		}
	}
	for _, k := range []string{KindComparison, KindFleet, KindSince} {
		if !strings.Contains(section, "| `"+k+"` |") {
			t.Errorf("document kind %s has no row in results/FORMAT.md", k)
		}
	}
}
