//go:build linux

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/creack/pty"
	"github.com/mattn/go-runewidth"

	"github.com/primebench/primebench/workerbin"
)

// On a terminal the display draws the phases on stderr while the table goes
// to stdout, and the run ends cleanly (the display is closed before the
// table and again on the way out).
func TestRunOnATerminal(t *testing.T) {
	_, worker := realBinaries(t)
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 100})
	cmd := exec.Command(os.Args[0], "run", "--strategies", "serial,subprocess", "--workload", "range:1-30000", "--runs", "2", "--warmup", "0")
	cmd.Env = append(os.Environ(), asMainEnv+"=1", workerbin.Env+"="+worker)
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &stdout, tty, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var screen bytes.Buffer
	copied := make(chan struct{})
	go func() { io.Copy(&screen, ptmx); close(copied) }()
	err = cmd.Wait()
	ptmx.Close()
	<-copied
	if err != nil {
		t.Fatalf("%v; terminal showed %q", err, screen.String())
	}
	for _, want := range []string{"preparing: ", "run 1 of 2: serial (workers=1)", "run 2 of 2: subprocess (workers=2)", "\r\033[K"} {
		if !strings.Contains(screen.String(), want) {
			t.Errorf("terminal lacks %q: %q", want, screen.String())
		}
	}
	if strings.Contains(screen.String(), "panic") || !strings.Contains(stdout.String(), "| subprocess") {
		t.Errorf("stdout %q, terminal %q", stdout.String(), screen.String())
	}
}

// On a terminal every table fits its width: report, compare and the fleet
// view of committed files, at 80, 100 and 120 columns, read back from the
// pseudo-terminal itself.
func TestTablesFitTheTerminal(t *testing.T) {
	quick, err := filepath.Glob(filepath.Join("..", "..", "results", "*_preset-quick_*.json"))
	if err != nil || len(quick) < 6 {
		t.Fatalf("committed preset:quick files: %v, %v", quick, err)
	}
	commands := [][]string{
		{"report", quick[0]},
		{"report", filepath.Join("..", "..", "report", "testdata", "interpreters.json")},
		append([]string{"compare", "--view", "columns"}, quick[:3]...),
		append([]string{"compare", "--view", "fleet"}, quick...),
		{"list"},
	}
	for _, cols := range []uint16{80, 100, 120} {
		for _, args := range commands {
			ptmx, tty, err := pty.Open()
			if err != nil {
				t.Skipf("no pseudo-terminal: %v", err)
			}
			pty.Setsize(ptmx, &pty.Winsize{Rows: 50, Cols: cols})
			cmd := exec.Command(os.Args[0], args...)
			cmd.Env = append(os.Environ(), asMainEnv+"=1")
			cmd.Stdout, cmd.Stderr, cmd.Stdin = tty, tty, tty
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			tty.Close()
			var screen bytes.Buffer
			copied := make(chan struct{})
			go func() { io.Copy(&screen, ptmx); close(copied) }()
			err = cmd.Wait()
			ptmx.Close()
			<-copied
			if err != nil {
				t.Fatalf("%v: %v; terminal showed %q", args, err, screen.String())
			}
			for _, line := range strings.Split(strings.ReplaceAll(screen.String(), "\r\n", "\n"), "\n") {
				if w := runewidth.StringWidth(line); w > int(cols) && len(strings.Fields(line)) > 1 {
					t.Errorf("%v at %d columns: a line of %d: %q", args, cols, w, line)
				}
			}
			if args[0] != "list" && !strings.Contains(screen.String(), "| ") {
				t.Errorf("%v at %d columns drew no table: %q", args, cols, screen.String())
			}
		}
	}
}
