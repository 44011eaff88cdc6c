//go:build linux && !amd64 && !arm64

package worker

// No seccomp filter on this architecture (auditArch 0): socketFilter
// says so, and the worker warns that sockets are not restricted.
const (
	auditArch = 0
	x32Bit    = 0
)
