// Package display shows what a long command is doing on one
// self-rewriting line of a terminal, so that it never sits still without
// saying why.
package display

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/primebench/primebench/textsafe"
)

// Display shows what a run is doing on one self-rewriting line of a
// terminal: the phase (preparing, reference, warm-up, run k of n, probe,
// writing), what runs in it and for how long, redrawn every half second so
// it never sits still without saying why. On anything but a terminal it
// shows nothing.
type Display struct {
	w     io.Writer
	every time.Duration
	now   func() time.Time

	mu      sync.Mutex
	text    string
	since   time.Time
	done    int
	total   int
	stop    chan struct{}
	stopped chan struct{}
	closing sync.Once
	width   int
}

// New returns a display on w when it is a terminal, or nil (on which
// every method does nothing).
func New(w io.Writer) *Display {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width < 20 {
		width = 80
	}
	return start(f, 500*time.Millisecond, width)
}

func start(w io.Writer, every time.Duration, width int) *Display {
	d := &Display{w: w, every: every, now: time.Now, stop: make(chan struct{}), stopped: make(chan struct{}), width: width}
	go d.loop()
	return d
}

func (d *Display) loop() {
	defer close(d.stopped)
	t := time.NewTicker(d.every)
	defer t.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-t.C:
			d.draw()
		}
	}
}

// Show starts a phase: text says what is happening; done and total count
// runs (total 0: no count).
func (d *Display) Show(text string, done, total int) {
	if d == nil {
		return
	}
	d.mu.Lock()
	d.text, d.since, d.done, d.total = text, d.now(), done, total
	d.mu.Unlock()
	d.draw()
}

func (d *Display) draw() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.text == "" {
		return
	}
	line := textsafe.Escape(d.text)
	if d.total > 0 {
		line = fmt.Sprintf("[%d/%d] %s", d.done, d.total, line)
	}
	line += fmt.Sprintf(" (%.1fs)", d.now().Sub(d.since).Seconds())
	if r := []rune(line); len(r) > d.width-1 {
		line = string(r[:d.width-2]) + "…"
	}
	fmt.Fprint(d.w, "\r\033[K"+line)
}

// Close clears the line; later calls do nothing.
func (d *Display) Close() {
	if d == nil {
		return
	}
	d.closing.Do(func() {
		close(d.stop)
		<-d.stopped
		d.mu.Lock()
		defer d.mu.Unlock()
		if d.text != "" {
			fmt.Fprint(d.w, "\r\033[K")
		}
	})
}
