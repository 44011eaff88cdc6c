//go:build linux

package protocol

import (
	"io"
	"net"
	"os"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// packetPair returns the two ends of a SOCK_SEQPACKET socket pair, as a
// server and a worker hold their PeersFD.
func packetPair(t *testing.T) (server, worker *net.UnixConn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_SEQPACKET|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) *net.UnixConn {
		f := os.NewFile(uintptr(fd), "packet")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c.(*net.UnixConn)
	}
	return conn(fds[0]), conn(fds[1])
}

// streamPair returns the two ends of a stream socket pair, as files.
func streamPair(t *testing.T) (a, b *os.File) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, b = os.NewFile(uintptr(fds[0]), "a"), os.NewFile(uintptr(fds[1]), "b")
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

func TestPeerMessages(t *testing.T) {
	t.Parallel()
	server, worker := packetPair(t)
	mine, theirs := streamPair(t)
	if err := SendPeer(server, PeerMessage{ID: 7, Role: PeerCaller, Package: "billing"}, theirs); err != nil {
		t.Fatal(err)
	}
	theirs.Close() // the worker has a descriptor of its own
	if err := SendPeer(server, PeerMessage{ID: 7, Role: PeerGone, Package: "billing"}, nil); err != nil {
		t.Fatal(err)
	}

	m, f, err := ReceivePeer(worker)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(m, PeerMessage{ID: 7, Role: PeerCaller, Package: "billing"}) || f == nil {
		t.Fatalf("ReceivePeer = %+v, %v", m, f)
	}
	defer f.Close()
	// The descriptor is a working end of the pair.
	if _, err := f.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(mine, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("read %q, %v through the received descriptor", buf, err)
	}
	if flags, err := fcntlFlags(f); err != nil || flags&syscall.FD_CLOEXEC == 0 {
		t.Fatalf("the received descriptor is not closed on exec (flags %#x, %v)", flags, err)
	}

	m, f, err = ReceivePeer(worker)
	if err != nil || f != nil || m.Role != PeerGone || m.ID != 7 {
		t.Fatalf("ReceivePeer = %+v, %v, %v; want the gone message without a descriptor", m, f, err)
	}
}

func fcntlFlags(f *os.File) (int, error) {
	r, _, errno := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_GETFD, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

func TestPeerMessagesBad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		body  string
		fds   int
		wants string
	}{
		{"not JSON", "{", 1, "read a peer message"},
		{"unknown role", `{"id":1,"role":"boss","package":"a"}`, 1, `unknown role "boss"`},
		{"caller without a descriptor", `{"id":1,"role":"caller","package":"a"}`, 0, "0 descriptors"},
		{"gone with a descriptor", `{"id":1,"role":"gone","package":"a"}`, 1, "1 descriptors"},
		{"two descriptors", `{"id":1,"role":"callee","package":"a"}`, 2, "2 descriptors"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			server, worker := packetPair(t)
			var fds []int
			for range tt.fds {
				_, b := streamPair(t)
				fds = append(fds, int(b.Fd()))
			}
			var oob []byte
			if len(fds) > 0 {
				oob = syscall.UnixRights(fds...)
			}
			if _, _, err := server.WriteMsgUnix([]byte(tt.body), oob, nil); err != nil {
				t.Fatal(err)
			}
			_, f, err := ReceivePeer(worker)
			if err == nil || !strings.Contains(err.Error(), tt.wants) || f != nil {
				t.Fatalf("ReceivePeer = %v, %v; want an error with %q", f, err, tt.wants)
			}
		})
	}
}

func TestSendPeerChecksRole(t *testing.T) {
	t.Parallel()
	server, _ := packetPair(t)
	_, b := streamPair(t)
	if err := SendPeer(server, PeerMessage{Role: PeerGone}, b); err == nil {
		t.Error("SendPeer sent a gone message with a descriptor")
	}
	if err := SendPeer(server, PeerMessage{Role: PeerCaller}, nil); err == nil {
		t.Error("SendPeer sent a caller message without a descriptor")
	}
}
