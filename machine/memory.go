package machine

// Memory is what a set of processes holds in memory at one moment, in
// bytes: resident (RSS: every page each maps, so pages forked children
// share count once per process) and proportional (PSS: each shared page
// divided among its sharers, so the sum over processes is what they hold
// together). PSSKnown is false where it was not read (or the OS has none).
type Memory struct {
	RSS, PSS uint64
	PSSKnown bool
	// Peak is the sum of each process's own peak resident memory so far
	// (Linux's VmHWM), where it was read (ReadPeaks).
	Peak uint64
}

// MemoryReadable tells whether this OS lets primebench read processes'
// memory (Linux's /proc); elsewhere the memory figures are n/a.
const MemoryReadable = memoryReadable
