// Package hostid names the machine a process runs on, beyond its hostname:
// two cloned VMs share a hostname, and a remote host may be named like this
// one, yet each has CPUs of its own. The id is what the OS keeps per
// running system, hashed so that no raw machine identifier leaves the
// host: SHA-256 of "primebench:" and the raw value, its first 16 bytes in
// hex. "unknown" where the OS gives none.
//
// On Linux the raw value is the kernel's boot id: two containers under one
// kernel share its CPUs, and two cloned VMs differ in it even when their
// /etc/machine-id was copied; /etc/machine-id (then D-Bus's copy) is the
// fallback where /proc does not show it. Windows: the registry's
// MachineGuid. macOS: the boot session's UUID (kern.bootsessionuuid).
// FreeBSD: kern.hostuuid.
package hostid

import (
	"crypto/sha256"
	"encoding/hex"
)

// Unknown is the id of a machine whose OS gives none.
const Unknown = "unknown"

// ID returns this machine's id.
func ID() string { return FromRaw(raw()) }

// FromRaw hashes a raw identifier as ID does; Unknown for an empty one.
// The embedded CPython worker computes the same from the same sources.
func FromRaw(raw string) string {
	raw = trim(raw)
	if raw == "" {
		return Unknown
	}
	sum := sha256.Sum256([]byte("primebench:" + raw))
	return hex.EncodeToString(sum[:16])
}

// Same tells whether two ids name one machine: only when both are known.
func Same(a, b string) bool { return a == b && a != "" && a != Unknown }

// Known tells whether an id names a machine.
func Known(id string) bool { return id != "" && id != Unknown }
