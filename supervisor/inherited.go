//go:build unix

package supervisor

import (
	"os"
	"strconv"
	"syscall"
)

// closeInheritedOnExec marks every descriptor of this process above
// standard error close-on-exec, so that a worker starts with the
// descriptors its launch gives it and no other. Go opens every file and
// socket of its own close-on-exec; what lacks the flag was inherited from
// the process that started the server (a shell's or a service manager's
// open files) or opened by C code, and would otherwise pass to every
// worker. It runs before each launch, as such a descriptor may appear at
// any time.
func closeInheritedOnExec() {
	dir := "/proc/self/fd"
	if _, err := os.Stat(dir); err != nil {
		dir = "/dev/fd"
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 2 {
			continue
		}
		syscall.CloseOnExec(fd)
	}
}
