//go:build linux

package worker

import "golang.org/x/sys/unix"

// auditArch is the architecture a seccomp filter sees for the process's
// own system calls; arm64 has no x32-like ABI (x32Bit 0).
const (
	auditArch = unix.AUDIT_ARCH_AARCH64
	x32Bit    = 0
)
