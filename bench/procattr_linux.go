package main

import "syscall"

// serverAttr starts a server in a process group of its own (so that
// stopping it also stops what a --peer-cmd shell started) and has the
// kernel kill it if this tool dies without stopping it (SIGKILL, a
// crash): no server outlives the benchmark.
func serverAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
