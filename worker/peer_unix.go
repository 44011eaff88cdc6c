//go:build unix

package worker

import (
	"errors"
	"io"
	"net"
	"os"

	"github.com/microfn/microfn/protocol"
)

// ServePeers reads the connections the server hands this worker on c
// (see protocol.PeersFD) until c ends.
func (h *Host) ServePeers(c *net.UnixConn) {
	for {
		m, f, err := protocol.ReceivePeer(c)
		if err != nil {
			// The server closed the socket (the worker is done), or
			// sent what it never sends.
			if !errors.Is(err, net.ErrClosed) && !errors.Is(err, io.EOF) {
				h.cfg.Logger.Warn("the server's peer connections stop", "error", err.Error())
			}
			return
		}
		h.addPeer(m, f)
	}
}

// servePeers serves the peers' socket the worker was started with, if
// it was (protocol.PeersFD), for the host of one package's worker.
func servePeers(h *Host) {
	f := os.NewFile(protocol.PeersFD, "peers")
	if f == nil {
		return
	}
	nc, err := net.FileConn(f)
	f.Close()
	uc, ok := nc.(*net.UnixConn)
	if err != nil || !ok {
		return // started without one
	}
	go h.ServePeers(uc)
}
