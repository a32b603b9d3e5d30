package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"time"

	"mvdan.cc/sh/v3/shell"

	"github.com/primebench/primebench/strategies"
	"github.com/primebench/primebench/version"
)

// workerName is the worker binary's name on this OS.
func workerName() string {
	if runtime.GOOS == "windows" {
		return "primebench-worker.exe"
	}
	return "primebench-worker"
}

const (
	modulePath    = "github.com/primebench/primebench"
	workerPackage = modulePath + "/cmd/primebench-worker"
	workerEnv     = "PRIMEBENCH_WORKER"
)

// findWorker returns the worker binary to start, and how it was found:
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
func findWorker(ctx context.Context, explicit string, note func(string)) (string, error) {
	how := ""
	path, err := func() (string, error) {
		if explicit == "" {
			explicit = os.Getenv(workerEnv)
		}
		if explicit != "" {
			how = "--worker"
			return exec.LookPath(explicit)
		}
		if self, err := os.Executable(); err == nil {
			sibling := filepath.Join(filepath.Dir(self), workerName())
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
		if p, err := exec.LookPath(workerName()); err == nil {
			how = "on PATH"
			return p, nil
		}
		if v := moduleVersion(); v != "" {
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
		return "", usagef("cannot find %s (%v): install it beside primebench with `go install %s@latest`, or pass --worker PATH", workerName(), err, workerPackage)
	}
	if err := checkWorkerVersion(ctx, path); err != nil {
		return "", usagef("%s (%s) %v", path, how, err)
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

// workerCache is where built workers are kept between runs.
func workerCache() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		dir = os.TempDir()
	}
	dir = filepath.Join(dir, "primebench", "worker-"+version.Version)
	return dir, os.MkdirAll(dir, 0o755)
}

// buildWorker builds the checkout's worker into the cache. The go command
// compares build IDs and leaves an up-to-date binary alone, so an unchanged
// source costs a fraction of a second.
func buildWorker(ctx context.Context, top string) (string, error) {
	dir, err := workerCache()
	if err != nil {
		return "", err
	}
	out := filepath.Join(dir, workerName())
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, "./cmd/primebench-worker")
	cmd.Dir = top
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/primebench-worker failed: %s", oneLine(string(msg)))
	}
	return out, nil
}

// moduleVersion is primebench's version when installed from the module
// proxy ("" for a build from a checkout, which says "(devel)").
func moduleVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Path != modulePath || info.Main.Version == "" || info.Main.Version == "(devel)" {
		return ""
	}
	return info.Main.Version
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
		return "", fmt.Errorf("go install failed: %s", oneLine(string(msg)))
	}
	return filepath.Join(dir, workerName()), nil
}

// checkWorkerVersion refuses a worker of another release before any run
// starts (its greeting would be refused anyway, but only minutes later).
func checkWorkerVersion(ctx context.Context, path string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return fmt.Errorf("does not run as a primebench worker (%v)", err)
	}
	fields := strings.Fields(string(out))
	if len(fields) < 2 || fields[0] != "primebench-worker" {
		return fmt.Errorf("is not a primebench worker: it says %q", strings.TrimSpace(string(out)))
	}
	if fields[1] != version.Version {
		return fmt.Errorf("is primebench-worker %s, this is primebench %s: install the worker of the same release (go install %s@v%s)", fields[1], version.Version, workerPackage, version.Version)
	}
	return nil
}

// parseWorkerCommands splits each --worker-cmd as a POSIX shell would
// (quotes, escapes, $VARIABLES), without running a shell.
func parseWorkerCommands(texts []string) ([]strategies.WorkerCommand, error) {
	var out []strategies.WorkerCommand
	for _, text := range texts {
		argv, err := shell.Fields(text, os.Getenv)
		if err != nil {
			return nil, usagef("--worker-cmd %q: %v: write it as you would in a shell, e.g. --worker-cmd 'ssh -T host primebench-worker'", text, err)
		}
		if len(argv) == 0 {
			return nil, usagef("--worker-cmd %q is empty: give the command that starts a worker, e.g. 'ssh -T host primebench-worker'", text)
		}
		if _, err := exec.LookPath(argv[0]); err != nil {
			return nil, usagef("--worker-cmd %q: cannot run %s: %v", text, argv[0], errors.Unwrap(err))
		}
		out = append(out, strategies.WorkerCommand{Argv: argv, Label: text})
	}
	return out, nil
}
