//go:build unix

package workerbin

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/primebench/primebench/version"
)

// TestCheckWorkerVersion: a program that is not this release's worker is
// refused in one line, whatever it prints and however long it takes.
func TestCheckWorkerVersion(t *testing.T) {
	dir := t.TempDir()
	script := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name, body, want string
	}{
		{"this release", "echo primebench-worker " + version.Version, ""},
		{"another release", "echo primebench-worker 0.0.1", "is primebench-worker 0.0.1, this is primebench " + version.Version},
		{"another program", "echo 'true (GNU coreutils) 9.1'; echo 'Copyright'", `its --version says "true (GNU coreutils) 9.1..."`},
		{"endless output", "exec yes primebench", "did not answer --version within"},
		{"silent forever", "exec sleep 60", "did not answer --version within"},
		{"leaves a child on its output", "sleep 4 & exec sleep 60", "did not answer --version within"},
		{"failing", "exit 3", "does not run as a primebench worker (exit status 3)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkWorkerVersionWithin(context.Background(), script(strings.ReplaceAll(tt.name, " ", "_"), tt.body), 2*time.Second)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want == "":
			case err == nil:
				t.Fatalf("accepted, want an error containing %q", tt.want)
			case !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") || len(err.Error()) > 300:
				t.Errorf("error %q: want one short line containing %q", err, tt.want)
			}
		})
	}
}
