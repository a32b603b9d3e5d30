package machine

import (
	"bytes"
	"os"
	"strconv"
)

// Stopped are those of pids the kernel holds stopped (state T: SIGSTOP,
// SIGTSTP, a tty's job control; or t, a debugger's stop): processes that
// hold their work without dying, which a stall message names.
func Stopped(pids []int) []int {
	var out []int
	for _, pid := range pids {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ...: comm may hold spaces and parentheses.
		rest := stat[bytes.LastIndexByte(stat, ')')+1:]
		if f := bytes.Fields(rest); len(f) > 0 && (f[0][0] == 'T' || f[0][0] == 't') {
			out = append(out, pid)
		}
	}
	return out
}
