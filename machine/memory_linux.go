package machine

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
)

const memoryReadable = true

var pageSize = uint64(os.Getpagesize())

// ProcessTree is roots and every process descended from them that lives
// now, each once: from each process's threads' children lists
// (/proc/PID/task/TID/children: a child is listed under the thread that
// forked it).
func ProcessTree(roots []int) []int {
	seen := map[int]bool{}
	var out []int
	queue := append([]int(nil), roots...)
	for len(queue) > 0 {
		pid := queue[0]
		queue = queue[1:]
		if pid <= 0 || seen[pid] {
			continue
		}
		seen[pid] = true
		out = append(out, pid)
		tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
		for _, t := range tasks {
			data, err := os.ReadFile(t)
			if err != nil {
				continue
			}
			for _, f := range bytes.Fields(data) {
				if child, err := strconv.Atoi(string(f)); err == nil {
					queue = append(queue, child)
				}
			}
		}
	}
	return out
}

// ReadPeaks is ReadMemory with each process's peak resident memory too
// (/proc/PID/status's VmHWM, which the kernel keeps exactly).
func ReadPeaks(pids []int) (Memory, bool) {
	m, ok := ReadMemory(pids, true)
	if !ok {
		return m, false
	}
	for _, pid := range pids {
		data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
		if hwm, found := kBField(data, "VmHWM:"); err == nil && found {
			m.Peak += hwm
		}
	}
	return m, true
}

// ResetPeak starts this process's peak resident memory (VmHWM) afresh,
// so that it says the most of one run; false where the kernel does not
// let it (before Linux 4.0).
func ResetPeak() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// ReadMemory sums the memory of pids that live: resident from
// /proc/PID/statm (cheap), and with withPSS proportional from
// /proc/PID/smaps_rollup (the kernel walks the page tables: tens of
// microseconds a process). ok is false when none could be read.
func ReadMemory(pids []int, withPSS bool) (m Memory, ok bool) {
	m.PSSKnown = withPSS
	for _, pid := range pids {
		dir := "/proc/" + strconv.Itoa(pid)
		if withPSS {
			data, err := os.ReadFile(dir + "/smaps_rollup")
			rss, rssOK := kBField(data, "Rss:")
			pss, pssOK := kBField(data, "Pss:")
			if err == nil && rssOK && pssOK {
				m.RSS, m.PSS, ok = m.RSS+rss, m.PSS+pss, true
				continue
			}
			if err == nil || !os.IsNotExist(err) {
				m.PSSKnown = false // present but unreadable: PSS is not whole
			}
		}
		data, err := os.ReadFile(dir + "/statm")
		if err != nil {
			continue // it has gone: nothing of it to count
		}
		fields := bytes.Fields(data)
		if len(fields) < 2 {
			continue
		}
		if pages, err := strconv.ParseUint(string(fields[1]), 10, 64); err == nil {
			m.RSS, ok = m.RSS+pages*pageSize, true
		}
	}
	if !ok {
		return Memory{}, false
	}
	return m, true
}

// kBField finds "Name:   1234 kB" in /proc text and returns it in bytes.
func kBField(data []byte, name string) (uint64, bool) {
	i := bytes.Index(data, []byte(name))
	if i < 0 {
		return 0, false
	}
	fields := bytes.Fields(data[i+len(name):])
	if len(fields) < 1 {
		return 0, false
	}
	n, err := strconv.ParseUint(string(fields[0]), 10, 64)
	return n * 1024, err == nil
}
