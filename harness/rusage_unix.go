//go:build unix

package harness

import "syscall"

// cpuTimes returns user and system seconds used so far by this process and
// by its children that have been waited for (the subprocess workers).
func cpuTimes() (user, system float64) {
	var self, children syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	_ = syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	user = seconds(self.Utime) + seconds(children.Utime)
	system = seconds(self.Stime) + seconds(children.Stime)
	return user, system
}

func seconds(tv syscall.Timeval) float64 {
	return float64(tv.Sec) + float64(tv.Usec)/1e6
}
