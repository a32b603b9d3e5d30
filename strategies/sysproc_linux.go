package strategies

import "syscall"

// Workers get their own process group, so a Ctrl-C at the terminal reaches
// only the parent, which then stops them in order; and the kernel kills them
// if the parent dies without that chance (even by SIGKILL).
func workerSysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
