//go:build unix && !linux

package procpool

import "syscall"

// workerSysProcAttr puts each worker in its own process group. There is no
// parent-death signal here: if primebench is killed, workers see their
// stdin close and exit after the chunk in hand.
func workerSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// ownsWorker: without /proc, a worker on this host is taken to be the child
// or its descendant (a wrapper such as taskset or sh); a worker reached over
// ssh on this same host would then have its CPU time missed.
func ownsWorker(child, pid int, host, localHost string) bool { return host == localHost }
