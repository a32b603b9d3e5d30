//go:build unix

package owndir

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
)

// UserTag names this user's directory under the shared temporary one.
func UserTag() string { return strconv.Itoa(os.Getuid()) }

// Check refuses a directory another account could write to or swap:
// a symbolic link, one owned by someone else, or one open to others (its
// mode is then tightened if it is ours).
func Check(dir string) error {
	info, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("cannot be read: %w", errors.Unwrap(err))
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	switch {
	case info.Mode()&os.ModeSymlink != 0:
		return errors.New("is a symbolic link, not a directory of your own")
	case !info.IsDir():
		return errors.New("is not a directory")
	case !ok || int(st.Uid) != os.Getuid():
		return errors.New("belongs to another user")
	case info.Mode().Perm()&0o077 != 0:
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("is open to other users and cannot be made private: %w", errors.Unwrap(err))
		}
	}
	return nil
}

// isRoot: root keeps its state in the system's state directory.
var isRoot = func() bool { return os.Geteuid() == 0 }

// stateUnderHome: Unix keeps a user's state in ~/.local/state (XDG), but
// macOS has no such convention (its cache directory serves).
func stateUnderHome() bool { return runtime.GOOS != "darwin" }
