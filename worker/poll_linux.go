package worker

import (
	"time"

	"golang.org/x/sys/unix"
)

// pollWait is ppoll(2): a nanosecond timeout, so an idle loop wakes for its
// heartbeat on time.
func pollWait(fds []unix.PollFd, wait time.Duration) (int, error) {
	if wait < 0 {
		return unix.Ppoll(fds, nil, nil)
	}
	ts := unix.NsecToTimespec(int64(wait))
	return unix.Ppoll(fds, &ts, nil)
}
