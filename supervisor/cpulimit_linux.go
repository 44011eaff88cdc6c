package supervisor

import (
	"time"

	"golang.org/x/sys/unix"
)

// limitCPU bounds the processor time of the process pid to d (at least a
// second): past it the kernel sends SIGXCPU, and SIGKILL a second later.
func limitCPU(pid int, d time.Duration) {
	secs := uint64(max(time.Second, d+time.Second-1) / time.Second)
	_ = unix.Prlimit(pid, unix.RLIMIT_CPU, &unix.Rlimit{Cur: secs, Max: secs + 1}, nil)
}
