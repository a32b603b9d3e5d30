package machine

import (
	"unsafe"

	"github.com/shirou/gopsutil/v4/cpu"
	"golang.org/x/sys/windows"
)

// perCPUTimes reads Windows' per-CPU counters through gopsutil, which asks
// NtQuerySystemInformationEx for every processor group; where that class
// is missing (Wine 8 answers STATUS_NOT_IMPLEMENTED), through the older
// NtQuerySystemInformation, which covers the caller's processor group: all
// CPUs on a machine of up to 64.
func perCPUTimes() ([]cpu.TimesStat, error) {
	all, err := cpu.Times(true)
	if err == nil && len(all) > 0 {
		return all, nil
	}
	const systemProcessorPerformanceInformation = 8
	buf := make([]byte, 64*ntProcessorInfoSize)
	var n uint32
	if err := windows.NtQuerySystemInformation(systemProcessorPerformanceInformation, unsafe.Pointer(&buf[0]), uint32(len(buf)), &n); err != nil {
		return nil, err
	}
	return parseNTProcessorTimes(buf[:n])
}
