//go:build unix

package workerbin

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/primebench/primebench/owndir"
)

// Without a user cache directory the worker cache is a private directory
// of this user's in the temporary one; one that is a link, or another
// user's, is refused, and one of ours left open is closed.
func TestWorkerCacheIsPrivate(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	t.Setenv("TMPDIR", tmp)
	base := filepath.Join(tmp, "primebench-"+owndir.UserTag())
	check := func(t *testing.T, wantErr string) {
		t.Helper()
		dir, err := workerCache()
		if wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), wantErr) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("err = %v, want one line with %q", err, wantErr)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range []string{base, dir} {
			info, err := os.Lstat(d)
			if err != nil || info.Mode().Perm() != 0o700 || !info.IsDir() {
				t.Fatalf("%s: %v, %v", d, info.Mode(), err)
			}
		}
	}
	t.Run("new", func(t *testing.T) { check(t, "") })
	t.Run("ours, left open", func(t *testing.T) {
		os.Chmod(base, 0o777)
		check(t, "")
	})
	t.Run("a link", func(t *testing.T) {
		os.RemoveAll(base)
		elsewhere := t.TempDir()
		os.Symlink(elsewhere, base)
		check(t, "symbolic link")
		os.Remove(base)
	})
	t.Run("another user's", func(t *testing.T) {
		if os.Getuid() != 0 {
			t.Skip("only root can make a directory another user's")
		}
		os.RemoveAll(base)
		os.Mkdir(base, 0o700)
		if err := os.Chown(base, 65534, 65534); err != nil {
			t.Fatal(err)
		}
		check(t, "belongs to another user")
	})
}
