package native

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/primebench/primebench/internal/testworker"
)

// The library builds once per source and is reused: a second call finds
// it without a compiler.
func TestLibraryBuildsOnce(t *testing.T) {
	if _, err := Compiler(); errors.Is(err, ErrNoCompiler) {
		if os.Getenv(testworker.RequireTools) == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	path, err := Library(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Size() == 0 {
		t.Fatalf("%s: %v", path, err)
	}
	t.Setenv("CC", "/nonexistent/cc")
	t.Setenv("PATH", "")
	again, err := Library(context.Background())
	if err != nil || again != path {
		t.Fatalf("second call: %q, %v; want %q from the cache", again, err, path)
	}
	if info2, _ := os.Stat(path); !info2.ModTime().Equal(info.ModTime()) {
		t.Error("rebuilt an unchanged source")
	}
}

// Without a compiler the library cannot be built: one error that says so.
func TestNoCompiler(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("CC", "")
	t.Setenv("PATH", t.TempDir())
	if _, err := Library(context.Background()); !errors.Is(err, ErrNoCompiler) {
		t.Fatalf("got %v, want %v", err, ErrNoCompiler)
	}
}
