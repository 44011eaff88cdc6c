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

// connPair returns a pair of connected stream sockets: one as a net.Conn,
// the other as a file to pass to a worker.
func connPair() (net.Conn, *os.File, error) {
	mine, theirs, err := socketPair(syscall.SOCK_STREAM)
	if err != nil {
		return nil, nil, err
	}
	c, err := fileConn(mine)
	if err != nil {
		theirs.Close()
		return nil, nil, err
	}
	return c, theirs, nil
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

// sendFile sends msg with f's descriptor attached over c.
func sendFile(c *net.UnixConn, msg []byte, f *os.File) error {
	var oob []byte
	if f != nil {
		oob = syscall.UnixRights(int(f.Fd()))
	}
	_, _, err := c.WriteMsgUnix(msg, oob, nil)
	return err
}

// receive reads one message into buf from c, with the descriptor attached
// to it, if any, as a file. A message with more than one descriptor is
// refused: its descriptors are closed.
func receive(c *net.UnixConn, buf []byte) (int, *os.File, error) {
	oob := make([]byte, syscall.CmsgSpace(4*4))
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		return 0, nil, err
	}
	var fds []int
	if oobn > 0 {
		msgs, err := syscall.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			return 0, nil, fmt.Errorf("read a message: %w", err)
		}
		for _, m := range msgs {
			got, err := syscall.ParseUnixRights(&m)
			if err == nil {
				fds = append(fds, got...)
			}
		}
	}
	if len(fds) > 1 {
		for _, fd := range fds {
			syscall.Close(fd)
		}
		return 0, nil, fmt.Errorf("read a message: %d descriptors attached, want at most one", len(fds))
	}
	var f *os.File
	if len(fds) == 1 {
		f = os.NewFile(uintptr(fds[0]), "received")
	}
	return n, f, nil
}
