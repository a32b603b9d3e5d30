//go:build darwin || freebsd

package hostid

import (
	"runtime"

	"golang.org/x/sys/unix"
)

func raw() string {
	name := "kern.hostuuid"
	if runtime.GOOS == "darwin" {
		name = "kern.bootsessionuuid"
	}
	s, err := unix.Sysctl(name)
	if err != nil {
		return ""
	}
	return trim(s)
}
