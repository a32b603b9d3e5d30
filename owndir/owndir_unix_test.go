//go:build unix

package owndir

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every default directory is the user's own: root's under SystemState,
// others' under their state directory, and without a home a private one in
// the shared temporary directory; a link or a directory planted there by
// another user is refused, one of ours left open is closed.
func TestDefaultsAreTheUsersOwn(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	planted := filepath.Join(tmp, "primebench-"+UserTag())
	state := func(t *testing.T) (string, error) {
		t.Helper()
		dir, err := State("checks")
		if err == nil {
			for _, d := range []string{dir, filepath.Dir(dir)} {
				if info, err := os.Lstat(d); err != nil || !info.IsDir() || info.Mode().Perm() != 0o700 {
					t.Errorf("%s: %v %v, want a private directory", d, info, err)
				}
			}
		}
		return dir, err
	}
	if isRoot() {
		SystemState = filepath.Join(tmp, "var-lib-primebench")
		t.Cleanup(func() { SystemState = "/var/lib/primebench" })
		dir, err := state(t)
		if err != nil || dir != filepath.Join(SystemState, "checks") {
			t.Fatalf("root's default %q, %v: want under %s", dir, err, SystemState)
		}
		// A state directory made first by another user is refused.
		os.RemoveAll(SystemState)
		os.MkdirAll(filepath.Join(SystemState, "checks"), 0o700)
		os.Chown(SystemState, 65534, 65534)
		if _, err := state(t); err == nil || !strings.Contains(err.Error(), "belongs to another user") {
			t.Errorf("a state directory of nobody's: %v", err)
		}
		// The rest is any other user's default.
		isRoot = func() bool { return false }
		t.Cleanup(func() { isRoot = func() bool { return os.Geteuid() == 0 } })
	}
	t.Setenv("XDG_STATE_HOME", filepath.Join(tmp, "state"))
	if dir, err := state(t); err != nil || dir != filepath.Join(tmp, "state", "primebench", "checks") {
		t.Errorf("with XDG_STATE_HOME: %q, %v", dir, err)
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("HOME", filepath.Join(tmp, "home"))
	if dir, err := state(t); err != nil || dir != filepath.Join(tmp, "home", ".local", "state", "primebench", "checks") && !strings.Contains(dir, "Caches") {
		t.Errorf("with HOME: %q, %v", dir, err)
	}
	t.Setenv("HOME", "")
	t.Setenv("XDG_CACHE_HOME", "")
	if dir, err := state(t); err != nil || dir != filepath.Join(planted, "checks") {
		t.Errorf("without a home: %q, %v, want %s", dir, err, filepath.Join(planted, "checks"))
	}
	os.RemoveAll(planted)
	os.Symlink(t.TempDir(), planted)
	if _, err := state(t); err == nil || !strings.Contains(err.Error(), "symbolic link") || strings.Contains(err.Error(), "\n") {
		t.Errorf("a planted link: %v", err)
	}
	if os.Getuid() == 0 { // only root can plant a directory as another user
		os.Remove(planted)
		os.Mkdir(planted, 0o777)
		os.Chown(planted, 65534, 65534)
		if _, err := state(t); err == nil || !strings.Contains(err.Error(), "belongs to another user") {
			t.Errorf("a directory planted by nobody: %v", err)
		}
	}
}
