// Package provenance says which code a primebench binary is: the revision
// it was built from, so that every result file can name the code that
// measured it. The worker binary does not need it and does not import it.
package provenance

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/primebench/primebench/version"
)

// Module is primebench's module path.
const Module = "github.com/primebench/primebench"

// Commit is the revision the binary was built from, when Go recorded it
// (builds with -buildvcs=false, and go run, do not), with -dirty when the
// tree had changes.
func Commit() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	revision, modified := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			revision = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if revision != "" && modified {
		revision += "-dirty"
	}
	return revision
}

// SourceCommit is Commit, or else, for `go run` from primebench's own
// checkout, that checkout's HEAD (with -dirty if tracked files changed).
func SourceCommit(ctx context.Context) string {
	if c := Commit(); c != "" {
		return c
	}
	git := func(args ...string) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "git", args...).Output()
		return strings.TrimSpace(string(out)), err
	}
	top, err := git("rev-parse", "--show-toplevel")
	if err != nil {
		return ""
	}
	mod, err := os.ReadFile(filepath.Join(top, "go.mod"))
	if err != nil || !strings.Contains(string(mod), "module "+Module+"\n") {
		return "" // some other repository: its HEAD is not ours
	}
	head, err := git("rev-parse", "HEAD")
	if err != nil {
		return ""
	}
	if status, err := git("status", "--porcelain", "--untracked-files=no"); err == nil && status != "" {
		head += "-dirty"
	}
	return head
}

// Full is the release with the revision's first 12 characters, when known.
func Full() string {
	if c := Commit(); len(c) >= 12 {
		return version.Version + " (" + c[:12] + ")"
	}
	return version.Version
}

// ModuleVersion is primebench's version when installed from the module
// proxy ("" for a build from a checkout, which says "(devel)").
func ModuleVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Path != Module || info.Main.Version == "" || info.Main.Version == "(devel)" {
		return ""
	}
	return info.Main.Version
}
