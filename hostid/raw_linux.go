package hostid

import "os"

// linuxSources are read in order; the first non-empty one is the machine's.
var linuxSources = []string{"/proc/sys/kernel/random/boot_id", "/etc/machine-id", "/var/lib/dbus/machine-id"}

func raw() string { return firstOf(os.ReadFile, linuxSources) }
