//go:build !linux

package supervisor

import "syscall"

// sysProcAttr has nothing to add outside Linux: a worker ends when its
// standard input closes, which happens when its supervisor dies.
func sysProcAttr() *syscall.SysProcAttr { return &syscall.SysProcAttr{} }
