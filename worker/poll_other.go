//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package worker

import "io"

// newPollSource: without poll(2) (Windows' anonymous pipes cannot be
// polled) the loop reads its requests on a goroutine.
func newPollSource(io.Reader, []byte) (requestSource, bool) { return nil, false }
