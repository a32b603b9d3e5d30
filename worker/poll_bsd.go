//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package worker

import (
	"time"

	"golang.org/x/sys/unix"
)

// pollWait is poll(2), whose timeout is in milliseconds: rounded up, so an
// idle loop waiting for its heartbeat wakes up to 1 ms late, never early.
func pollWait(fds []unix.PollFd, wait time.Duration) (int, error) {
	ms := -1
	if wait >= 0 {
		ms = int((wait + time.Millisecond - 1) / time.Millisecond)
	}
	return unix.Poll(fds, ms)
}
