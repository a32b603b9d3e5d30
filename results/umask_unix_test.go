//go:build unix

package results

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestSavedUnderAnyUmask saves into directories that do not exist yet under
// umasks that would leave them, or the file, unusable, and loads the file
// again. The umask is the process's: no test of this package runs in
// parallel with this one.
func TestSavedUnderAnyUmask(t *testing.T) {
	f := sample()
	for _, mask := range []int{0o777, 0o277, 0o077, 0o022, 0} {
		t.Run(fmt.Sprintf("umask_%03o", mask), func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "a", "b")
			path := filepath.Join(dir, "r.json")
			old := syscall.Umask(mask)
			err := MkdirAll(dir)
			if err == nil {
				err = WriteFile(context.Background(), path, f)
			}
			syscall.Umask(old)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range []string{dir, filepath.Dir(dir)} {
				info, err := os.Stat(d)
				if err != nil {
					t.Fatal(err)
				}
				if perm := info.Mode().Perm(); perm != 0o755 {
					t.Errorf("%s made with mode %o, want 755", d, perm)
				}
			}
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if perm := info.Mode().Perm(); perm != 0o644 {
				t.Errorf("file saved with mode %o, want 644", perm)
			}
			if _, err := Load(path); err != nil {
				t.Errorf("saved file does not load: %v", err)
			}
		})
	}
}

// TestMkdirAllLeavesWhatExists: a directory the user made keeps its mode,
// and a file in the way is an error, not replaced.
func TestMkdirAllLeavesWhatExists(t *testing.T) {
	dir := t.TempDir()
	mine := filepath.Join(dir, "mine")
	if err := os.Mkdir(mine, 0o700); err != nil {
		t.Fatal(err)
	}
	os.Chmod(mine, 0o700)
	if err := MkdirAll(filepath.Join(mine, "new")); err != nil {
		t.Fatal(err)
	}
	if info, _ := os.Stat(mine); info.Mode().Perm() != 0o700 {
		t.Errorf("existing directory's mode changed to %o", info.Mode().Perm())
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	if err := MkdirAll(filepath.Join(file, "sub")); err == nil {
		t.Error("made a directory under a file")
	}
	if err := WriteAtomic(context.Background(), filepath.Join(file, "x"), func(io.Writer) error { return nil }); err == nil {
		t.Error("wrote under a file")
	}
}
