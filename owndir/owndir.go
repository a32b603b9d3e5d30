// Package owndir gives the directories primebench writes into when the
// user names none: each the user's own. A default under the shared
// temporary directory is one anyone could have made first (a link to a
// directory of theirs, or a directory they own), and primebench runs as
// root under Slurm and NHC: such a directory is made private (0700) and
// refused when it is a link, another user's, or cannot be closed to others.
package owndir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// SystemState is root's state directory: a check run by Slurm or NHC
// keeps its evidence under it.
var SystemState = "/var/lib/primebench"

// InTemp is a directory of this user's own in the shared temporary
// directory, name-USER, made when missing, private and checked.
func InTemp(name string) (string, error) {
	dir := filepath.Join(os.TempDir(), name+"-"+UserTag())
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("cannot make %s: %w", dir, errors.Unwrap(err))
	}
	if err := Check(dir); err != nil {
		return "", fmt.Errorf("%s %v: remove it, or set HOME to give primebench a directory of your own", dir, err)
	}
	return dir, nil
}

// State is the directory primebench keeps what kind names in by default
// (a check's evidence): under SystemState for root; the user's state
// directory ($XDG_STATE_HOME, or ~/.local/state; the cache directory where
// the OS has no state one) for others; without a home, InTemp. It is made
// when missing (0700) and checked to be the user's own and private.
func State(kind string) (string, error) {
	base := ""
	switch {
	case isRoot():
		base = SystemState
	case os.Getenv("XDG_STATE_HOME") != "" && filepath.IsAbs(os.Getenv("XDG_STATE_HOME")):
		base = filepath.Join(os.Getenv("XDG_STATE_HOME"), "primebench")
	case stateUnderHome() && os.Getenv("HOME") != "":
		base = filepath.Join(os.Getenv("HOME"), ".local", "state", "primebench")
	default:
		if cache, err := os.UserCacheDir(); err == nil {
			base = filepath.Join(cache, "primebench")
		}
	}
	if base == "" {
		dir, err := InTemp("primebench")
		if err != nil {
			return "", err
		}
		base = dir
	}
	dir := filepath.Join(base, kind)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("cannot make %s: %w", dir, errors.Unwrap(err))
	}
	for _, d := range []string{base, dir} {
		if err := Check(d); err != nil {
			return "", fmt.Errorf("%s %v: remove it, or name a directory with --save-dir", d, err)
		}
	}
	return dir, nil
}
