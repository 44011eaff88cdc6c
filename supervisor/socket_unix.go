//go:build unix

package supervisor

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// socketPair returns the two ends of a new pair of connected Unix sockets
// of type typ (syscall.SOCK_STREAM, or packetType): the supervisor's end,
// non-blocking for Go's poller, and the worker's, blocking, as a process's
// standard streams are (the Go runtime writes its fatal error report on a
// blocking file descriptor 2, and could lose it on a non-blocking one).
// Both are closed on exec: the child gets its end from exec.Cmd.
//
// A worker's inherited descriptors are sockets rather than pipes because
// a pipe can be opened again through /proc/self/fd/N, for writing too,
// and a socket cannot (ENXIO).
func socketPair(typ int) (mine, theirs *os.File, err error) {
	fds, err := socketpairCloexec(typ)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	if err := syscall.SetNonblock(fds[0], true); err != nil {
		syscall.Close(fds[0])
		syscall.Close(fds[1])
		return nil, nil, fmt.Errorf("socketpair: %w", err)
	}
	return os.NewFile(uintptr(fds[0]), "supervisor"), os.NewFile(uintptr(fds[1]), "worker"), nil
}

// fileConn turns a socket file into a net.Conn, and closes the file (the
// connection has a duplicate of its descriptor).
func fileConn(f *os.File) (net.Conn, error) {
	defer f.Close()
	c, err := net.FileConn(f)
	if err != nil {
		return nil, fmt.Errorf("socket %s: %w", f.Name(), err)
	}
	return c, nil
}

// packetConn turns a packet socket file into a *net.UnixConn, and closes
// the file.
func packetConn(f *os.File) (*net.UnixConn, error) {
	c, err := fileConn(f)
	if err != nil {
		return nil, err
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("socket %s is not a Unix socket", f.Name())
	}
	return uc, nil
}
