package results

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// PathError is a place primebench cannot write to, found before any work:
// one line saying what is wrong and how to fix it.
type PathError struct{ Msg string }

func (e *PathError) Error() string { return e.Msg }

func pathErrorf(format string, args ...any) error {
	return &PathError{Msg: fmt.Sprintf(format, args...)}
}

// CheckOutput proves a file can be written at path (what names the flag
// that gave it), before a minute of measuring rather than after: not a
// directory, in a directory that exists and takes new files of its name.
// "" and "-" (standard output) pass.
func CheckOutput(path, what string) error {
	if path == "" || path == "-" {
		return nil
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return pathErrorf("%s %s is a directory: name a file, for example %s", what, path, filepath.Join(path, "result.json"))
	}
	dir := filepath.Dir(path)
	info, err := os.Stat(dir)
	if err != nil || !info.IsDir() {
		return pathErrorf("%s %s: directory %s does not exist: create it first", what, path, dir)
	}
	// Probe with the temporary name the file will be written under: a
	// name too long for the file system fails now, not after the run.
	return probeCreate(dir, "."+filepath.Base(path)+".tmp*", what+" "+path)
}

// CheckDir proves dir takes new files, or can be made: its nearest
// existing ancestor is a directory that takes new files. Nothing is made
// until there is a file to save.
func CheckDir(dir, what string) error {
	for d := dir; ; d = filepath.Dir(d) {
		info, err := os.Stat(d)
		if err == nil {
			if !info.IsDir() {
				return pathErrorf("%s %s: %s is not a directory", what, dir, d)
			}
			return probeCreate(d, ".primebench-write-test-*", what+" "+dir)
		}
		if parent := filepath.Dir(d); parent == d {
			return pathErrorf("%s %s: no part of it exists", what, dir)
		}
	}
}

// probeCreate makes and removes a file named by pattern (os.CreateTemp's)
// in dir.
func probeCreate(dir, pattern, what string) error {
	probe, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return pathErrorf("%s: cannot create files in %s: %v", what, dir, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}
