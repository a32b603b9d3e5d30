//go:build !unix

package owndir

import (
	"errors"
	"os"
)

// UserTag names this user's directory under the temporary one (on Windows
// the temporary directory is already the user's own, in the profile).
func UserTag() string {
	if u := os.Getenv("USERNAME"); u != "" {
		return fileTag(u)
	}
	return "user"
}

// fileTag keeps letters and digits of s, for a directory name.
func fileTag(s string) string {
	out := []rune{}
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			out = append(out, r)
		}
	}
	return string(out)
}

// Check refuses a symbolic link or a non-directory; file ownership
// is the profile's ACLs' business here.
func Check(dir string) error {
	info, err := os.Lstat(dir)
	if err != nil {
		return errors.New("cannot be read")
	}
	if info.Mode()&os.ModeSymlink != 0 || !info.IsDir() {
		return errors.New("is not a directory of your own")
	}
	return nil
}

// isRoot: Windows has no root; every user keeps state of their own.
var isRoot = func() bool { return false }

// stateUnderHome: Windows keeps state in the local application data
// directory (the cache directory), not under the home.
func stateUnderHome() bool { return false }
