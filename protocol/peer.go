//go:build unix

package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
)

// PeersFD is the descriptor on which a worker gets its connections to
// the workers of other packages: a socket that keeps messages apart
// (SOCK_SEQPACKET on Linux), written by the server only. Each message is
// a PeerMessage in JSON, with the connection's descriptor attached
// (SCM_RIGHTS) unless it tells of one that is gone.
const PeersFD = 5

// Roles of a peer connection, as a PeerMessage gives them.
const (
	// PeerCaller: the worker calls the services of the message's package
	// on the connection, each call with the capability of its chain.
	PeerCaller = "caller"
	// PeerCallee: the worker serves calls of its own services that the
	// worker of the message's package makes on the connection.
	PeerCallee = "callee"
	// PeerGone: the connection ID is no longer to be used for new calls
	// (its other end's package was reloaded, or stopped): calls in
	// flight on it end as they will.
	PeerGone = "gone"
)

// A PeerMessage tells a worker of a connection to the worker of another
// package, made by the server: one socket pair per caller and callee.
type PeerMessage struct {
	// ID identifies the connection among the worker's, for a later
	// PeerGone.
	ID uint64 `json:"id"`
	// Role is PeerCaller, PeerCallee or PeerGone.
	Role string `json:"role"`
	// Package is the directory of the package at the other end ("." for
	// the served folder itself).
	Package string `json:"package"`
	// Admits are, for PeerCallee, the routes whose calls the worker
	// admits under their concurrency limits: the server admits the
	// others', and a call of one of them goes through the server.
	Admits []string `json:"admits,omitempty"`
}

// maxPeerMessage bounds a PeerMessage's JSON.
const maxPeerMessage = 4096

// SendPeer sends m on c, a worker's PeersFD as its server holds it, with
// f's descriptor attached, or none when f is nil (PeerGone). The worker
// gets a descriptor of its own: f may be closed once SendPeer returns.
func SendPeer(c *net.UnixConn, m PeerMessage, f *os.File) error {
	if (f == nil) != (m.Role == PeerGone) {
		return fmt.Errorf("send a peer message of role %q with %d descriptors", m.Role, btoi(f != nil))
	}
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var oob []byte
	if f != nil {
		oob = syscall.UnixRights(int(f.Fd()))
	}
	n, oobn, err := c.WriteMsgUnix(b, oob, nil)
	if err != nil {
		return fmt.Errorf("send a peer message: %w", err)
	}
	if n != len(b) || oobn != len(oob) {
		return errors.New("send a peer message: short write")
	}
	return nil
}

// ReceivePeer reads the next message of c, a worker's PeersFD, and the
// descriptor attached to it, as a file the caller must close; nil for
// PeerGone. A message that is not one the server sends is an error, and
// any descriptor that came with it is closed.
func ReceivePeer(c *net.UnixConn) (PeerMessage, *os.File, error) {
	var m PeerMessage
	buf := make([]byte, maxPeerMessage)
	oob := make([]byte, syscall.CmsgSpace(4*4)) // room for a few, to close any extra
	n, oobn, flags, _, err := c.ReadMsgUnix(buf, oob)
	if err != nil {
		return m, nil, err
	}
	if n == 0 && oobn == 0 {
		return m, nil, io.EOF // the other end closed the socket
	}
	fds, err := parseRights(oob[:oobn])
	if err != nil {
		return m, nil, fmt.Errorf("read a peer message: %w", err)
	}
	fail := func(err error) (PeerMessage, *os.File, error) {
		for _, fd := range fds {
			syscall.Close(fd)
		}
		return PeerMessage{}, nil, fmt.Errorf("read a peer message: %w", err)
	}
	if flags&(syscall.MSG_TRUNC|syscall.MSG_CTRUNC) != 0 {
		return fail(errors.New("message truncated"))
	}
	if err := json.Unmarshal(buf[:n], &m); err != nil {
		return fail(err)
	}
	want := 1
	if m.Role == PeerGone {
		want = 0
	} else if m.Role != PeerCaller && m.Role != PeerCallee {
		return fail(fmt.Errorf("unknown role %q", m.Role))
	}
	if len(fds) != want {
		return fail(fmt.Errorf("role %q with %d descriptors", m.Role, len(fds)))
	}
	if want == 0 {
		return m, nil, nil
	}
	syscall.CloseOnExec(fds[0])
	return m, os.NewFile(uintptr(fds[0]), "peer "+m.Package), nil
}

// parseRights returns the descriptors of the SCM_RIGHTS messages in oob.
func parseRights(oob []byte) ([]int, error) {
	if len(oob) == 0 {
		return nil, nil
	}
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err != nil {
		return nil, err
	}
	var fds []int
	for i := range msgs {
		got, err := syscall.ParseUnixRights(&msgs[i])
		if err != nil {
			return nil, err
		}
		fds = append(fds, got...)
	}
	return fds, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
