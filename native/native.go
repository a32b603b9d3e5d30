// Package native builds primebench's is_prime in C (c/isprime.c, embedded)
// into a shared library, for the CPython lanes that call native code
// through ctypes: built with the machine's C compiler on first use into
// primebench's private cache, named by the source's hash, so a changed
// source is built again and an unchanged one never is.
package native

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/primebench/primebench/workerbin"
)

//go:embed c/isprime.c
var source []byte

// Compilers are the C compilers looked for on PATH, after $CC.
var Compilers = []string{"cc", "gcc", "clang"}

// ErrNoCompiler is a machine without a C compiler: the native lanes cannot
// run there, and say so.
var ErrNoCompiler = errors.New("no C compiler (" + strings.Join(Compilers, ", ") + " or $CC) on PATH")

// Compiler is the C compiler to build with: $CC, else the first of
// Compilers on PATH.
func Compiler() (string, error) {
	names := Compilers
	if cc := os.Getenv("CC"); cc != "" {
		names = []string{cc}
	}
	for _, name := range names {
		if path, err := exec.LookPath(name); err == nil {
			return path, nil
		}
	}
	return "", ErrNoCompiler
}

// Library returns the shared library's path, building it when the cache
// has none of this source.
func Library(ctx context.Context) (string, error) {
	dir, err := workerbin.CacheDir()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(source)
	out := filepath.Join(dir, "libprimebench-isprime-"+hex.EncodeToString(sum[:6])+suffix())
	if info, err := os.Stat(out); err == nil && info.Mode().IsRegular() {
		return out, nil
	}
	cc, err := Compiler()
	if err != nil {
		return "", err
	}
	src := filepath.Join(dir, "isprime-"+hex.EncodeToString(sum[:6])+".c")
	if err := os.WriteFile(src, source, 0o600); err != nil {
		return "", err
	}
	// Built beside its final name and renamed, so a run that stops
	// half-way leaves no half-written library for the next to load.
	tmp, err := os.CreateTemp(dir, "libprimebench-*.tmp")
	if err != nil {
		return "", err
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, cc, "-O2", "-shared", "-fPIC", "-o", tmp.Name(), src)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("%s -O2 -shared -fPIC %s failed: %s", cc, src, strings.Join(strings.Fields(string(msg)), " "))
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return "", err
	}
	return out, nil
}

func suffix() string {
	switch runtime.GOOS {
	case "darwin":
		return ".dylib"
	case "windows":
		return ".dll"
	}
	return ".so"
}
