package machine

import (
	"encoding/binary"
	"fmt"

	"github.com/shirou/gopsutil/v4/cpu"
)

// ntProcessorInfoSize is the size of Windows'
// SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION: IdleTime, KernelTime, UserTime,
// DpcTime and InterruptTime (LARGE_INTEGERs, 100 ns units), InterruptCount
// (a ULONG), padded to 8 bytes.
const ntProcessorInfoSize = 48

// parseNTProcessorTimes decodes what NtQuerySystemInformation's
// SystemProcessorPerformanceInformation class returns, one record per CPU
// of the caller's processor group, into per-CPU times in seconds. Kernel
// time includes idle time, and DPC and interrupt time, so system is kernel
// less idle and nothing is counted twice.
func parseNTProcessorTimes(b []byte) ([]cpu.TimesStat, error) {
	if len(b) == 0 || len(b)%ntProcessorInfoSize != 0 {
		return nil, fmt.Errorf("processor performance information of %d bytes: not whole records of %d", len(b), ntProcessorInfoSize)
	}
	const tick = 1e-7 // seconds per 100 ns
	out := make([]cpu.TimesStat, 0, len(b)/ntProcessorInfoSize)
	for i := 0; i+ntProcessorInfoSize <= len(b); i += ntProcessorInfoSize {
		r := b[i : i+ntProcessorInfoSize]
		idle := binary.LittleEndian.Uint64(r[0:])
		kernel := binary.LittleEndian.Uint64(r[8:])
		user := binary.LittleEndian.Uint64(r[16:])
		if kernel < idle {
			return nil, fmt.Errorf("cpu%d: kernel time %d below idle time %d", len(out), kernel, idle)
		}
		out = append(out, cpu.TimesStat{CPU: fmt.Sprintf("cpu%d", len(out)), User: float64(user) * tick,
			System: float64(kernel-idle) * tick, Idle: float64(idle) * tick})
	}
	return out, nil
}
