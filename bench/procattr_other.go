//go:build !linux

package main

import "syscall"

// serverAttr starts a server in a process group of its own, so that
// stopping it also stops what a --peer-cmd shell started.
func serverAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
