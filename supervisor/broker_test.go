package supervisor

import (
	"io"
	"net"
	"strings"
	"testing"
)

// TestBroker: through its broker a worker accepts the connections its
// supervisor makes, and gets connections to its server and to the routes'
// servers, and to nothing else.
func TestBroker(t *testing.T) {
	t.Parallel()
	mine, theirs, err := socketPair(packetType)
	if err != nil {
		t.Fatal(err)
	}
	supConn, err := packetConn(mine)
	if err != nil {
		t.Fatal(err)
	}
	workerConn, err := packetConn(theirs)
	if err != nil {
		t.Fatal(err)
	}
	route, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer route.Close()
	go func() {
		for {
			c, err := route.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("route"))
			c.Close()
		}
	}()
	served := make(chan net.Conn, 1)
	sup := &broker{conn: supConn, serve: func(c net.Conn) { served <- c }, routes: []string{route.Addr().String()}}
	go sup.run()
	w := newBroker(workerConn)
	defer supConn.Close()
	defer workerConn.Close()

	// The supervisor's connection to the worker.
	toWorker, err := sup.connect()
	if err != nil {
		t.Fatal(err)
	}
	accepted, err := w.Accept()
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, toWorker, accepted)

	// The worker's connection to its server.
	toServer, err := w.Dial(ServerAddr)
	if err != nil {
		t.Fatal(err)
	}
	roundTrip(t, toServer, <-served)

	// A route's server.
	c, err := w.Dial(route.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(c); string(b) != "route" {
		t.Errorf("the route's server said %q", b)
	}
	c.Close()

	// Anything else is refused.
	stranger, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Close()
	if _, err := w.Dial(stranger.Addr().String()); err == nil || !strings.Contains(err.Error(), "connects only to its server and to the servers of the routes") {
		t.Errorf("dialing another address: %v", err)
	}

	w.Close()
	if _, err := w.Accept(); err != net.ErrClosed {
		t.Errorf("Accept after Close: %v", err)
	}
}

// roundTrip checks that a and b are the two ends of one connection.
func roundTrip(t *testing.T, a, b net.Conn) {
	t.Helper()
	defer a.Close()
	defer b.Close()
	go func() { _, _ = a.Write([]byte("ping")) }()
	buf := make([]byte, 4)
	if _, err := io.ReadFull(b, buf); err != nil || string(buf) != "ping" {
		t.Errorf("read %q, %v; want ping", buf, err)
	}
}
