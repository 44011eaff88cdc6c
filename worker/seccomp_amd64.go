//go:build linux

package worker

import "golang.org/x/sys/unix"

// auditArch is the architecture a seccomp filter sees for the process's
// own system calls; x32Bit marks those of the x32 ABI, which it refuses.
const (
	auditArch = unix.AUDIT_ARCH_X86_64
	x32Bit    = 0x40000000
)
