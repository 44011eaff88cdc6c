package supervisor

import "syscall"

// sysProcAttr makes the kernel kill a worker when its supervisor dies, so
// that no worker outlives it even when the supervisor is killed with
// SIGKILL. (A worker also ends when its standard input closes.)
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: false}
}
