// Package workerbin finds the primebench-worker binary the subprocess
// strategies start, building it from primebench's own checkout (go run) or
// installing it at primebench's module version when it must: whatever it
// finds must say it is of this release.
package workerbin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/primebench/primebench/owndir"
	"github.com/primebench/primebench/provenance"
	"github.com/primebench/primebench/version"
)

// Name is the worker binary's name on this OS.
func Name() string {
	if runtime.GOOS == "windows" {
		return "primebench-worker.exe"
	}
	return "primebench-worker"
}

const (
	modulePath    = provenance.Module
	workerPackage = modulePath + "/cmd/primebench-worker"
	// Env names a worker binary, as --worker does.
	Env = "PRIMEBENCH_WORKER"
)

// Error is a worker that cannot be found or is not of this release: one
// line saying what to do.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// Find returns the worker binary to start, and how it was found:
//
//  1. --worker PATH, or $PRIMEBENCH_WORKER;
//  2. primebench-worker beside primebench's own executable (go install
//     ./cmd/..., or a release archive);
//  3. built from source with `go build`, when the working directory is in
//     primebench's checkout (go run ./cmd/primebench): into the user's cache,
//     relinked only when the source changed;
//  4. primebench-worker on PATH;
//  5. `go install`ed at primebench's own module version, when primebench was
//     installed from the module proxy (go install ...@version).
//
// Whatever it finds must say it is of this release, or it is refused.
func Find(ctx context.Context, explicit string, note func(string)) (string, error) {
	how := ""
	path, err := func() (string, error) {
		if explicit == "" {
			explicit = os.Getenv(Env)
		}
		if explicit != "" {
			how = "--worker"
			return exec.LookPath(explicit)
		}
		if self, err := os.Executable(); err == nil {
			sibling := filepath.Join(filepath.Dir(self), Name())
			if info, err := os.Stat(sibling); err == nil && !info.IsDir() {
				how = "beside primebench"
				return sibling, nil
			}
		}
		if top := checkout(); top != "" {
			if _, err := exec.LookPath("go"); err == nil {
				how = "built from " + top
				note("building the worker (go build ./cmd/primebench-worker)")
				return buildWorker(ctx, top)
			}
		}
		if p, err := exec.LookPath(Name()); err == nil {
			how = "on PATH"
			return p, nil
		}
		if v := provenance.ModuleVersion(); v != "" {
			if _, err := exec.LookPath("go"); err == nil {
				how = "go install " + workerPackage + "@" + v
				note("installing the worker (" + how + ")")
				return installWorker(ctx, v)
			}
		}
		return "", errors.New("not found")
	}()
	if ctx.Err() != nil {
		return "", ctx.Err()
	}
	if err != nil {
		return "", errorf("cannot find %s (%v): install it beside primebench with `go install %s@latest`, or pass --worker PATH", Name(), err, workerPackage)
	}
	if err := checkWorkerVersion(ctx, path); err != nil {
		return "", errorf("%s (%s) %v", path, how, err)
	}
	return path, nil
}

// checkout is the root of primebench's own source tree containing the
// working directory, or "".
func checkout() string {
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			if strings.HasPrefix(string(mod), "module "+modulePath+"\n") {
				if _, err := os.Stat(filepath.Join(dir, "cmd", "primebench-worker")); err == nil {
					return dir
				}
			}
			return "" // some other module
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// CacheDir is the private directory primebench keeps what it builds in
// between runs (the worker, the native is_prime), made when missing.
func CacheDir() (string, error) { return workerCache() }

// workerCache is where built workers are kept between runs: the user's
// cache directory, or without one a directory of this user's own in the
// shared temporary one, private (0700) and checked to be, since primebench
// runs what it finds there.
func workerCache() (string, error) {
	base, err := os.UserCacheDir()
	if err == nil {
		base = filepath.Join(base, "primebench")
	} else {
		if base, err = owndir.InTemp("primebench"); err != nil {
			return "", fmt.Errorf("the worker cache: %w", err)
		}
	}
	dir := filepath.Join(base, "worker-"+version.Version)
	return dir, os.MkdirAll(dir, 0o700)
}

// buildWorker builds the checkout's worker into the cache. The go command
// compares build IDs and leaves an up-to-date binary alone, so an unchanged
// source costs a fraction of a second.
func buildWorker(ctx context.Context, top string) (string, error) {
	dir, err := workerCache()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, Name())
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/primebench-worker")
	cmd.Dir = top
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/primebench-worker failed: %s", strings.Join(strings.Fields(string(msg)), " "))
	}
	return out, nil
}

func installWorker(ctx context.Context, v string) (string, error) {
	dir, err := workerCache()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "install", workerPackage+"@"+v)
	cmd.Env = append(os.Environ(), "GOBIN="+dir)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install failed: %s", strings.Join(strings.Fields(string(msg)), " "))
	}
	return filepath.Join(dir, Name()), nil
}

// headBuffer keeps the first bytes written to it, and takes the rest
// without keeping it: what an unknown program prints is not all read
// into memory.
type headBuffer struct{ b []byte }

func (h *headBuffer) Write(p []byte) (int, error) {
	if room := 4096 - len(h.b); room > 0 {
		h.b = append(h.b, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// checkWorkerVersion refuses a worker of another release before any run
// starts (its greeting would be refused anyway, but only minutes later).
func checkWorkerVersion(ctx context.Context, path string) error {
	return checkWorkerVersionWithin(ctx, path, 10*time.Second)
}

func checkWorkerVersionWithin(ctx context.Context, path string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "--version")
	var out headBuffer
	cmd.Stdout = &out
	cmd.WaitDelay = time.Second // a child it left holding the pipe must not hold us
	if err := cmd.Run(); err != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return fmt.Errorf("is not a primebench worker: it did not answer --version within %v", limit)
		}
		return fmt.Errorf("does not run as a primebench worker (%v)", err)
	}
	fields := strings.Fields(string(out.b))
	if len(fields) < 2 || fields[0] != "primebench-worker" {
		first, _, more := strings.Cut(strings.TrimSpace(string(out.b)), "\n")
		if len(first) > 80 {
			first, more = first[:80], true
		}
		if more {
			first += "..."
		}
		return fmt.Errorf("is not a primebench worker: its --version says %q", first)
	}
	if fields[1] != version.Version {
		return fmt.Errorf("is primebench-worker %s, this is primebench %s: install the worker of the same release (go install %s@v%s)", fields[1], version.Version, workerPackage, version.Version)
	}
	return nil
}
