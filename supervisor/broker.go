package supervisor

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"sync"
	"time"
)

// ServerAddr is the address a worker dials ([Broker.Dial]) for a
// connection to its server.
const ServerAddr = "supervisor:80"

// dialTimeout bounds how long the supervisor tries to connect to a
// route's server for a worker, and how long the worker waits for it.
const dialTimeout = 5 * time.Second

// maxDials bounds the connections the supervisor makes for one worker at
// once; more requests wait. It also bounds the connections a worker's
// broker holds for its listener.
const maxDials = 64

// The kinds of message on a worker's broker.
const (
	msgAccept    = 'A' // supervisor to worker: a connection the server sends calls on
	msgDial      = 'D' // worker to supervisor: connect me to an address
	msgDialReply = 'd' // supervisor to worker: the connection asked for, or why not
)

// A dialRequest asks the supervisor for a connection.
type dialRequest struct {
	ID   uint64 `json:"id"`
	Addr string `json:"addr"`
}

// A dialReply answers a dialRequest: the connection is attached to the
// message, unless Err says why there is none.
type dialReply struct {
	ID  uint64 `json:"id"`
	Err string `json:"err,omitempty"`
}

// A Broker is the worker's side of its connection broker, on file
// descriptor [BrokerFD]. A worker opens no socket of its own: the
// supervisor creates its connections and hands them over the broker.
// The Broker is the listener the worker's server accepts its calls on,
// and dials, for the worker's nested calls, its server ([ServerAddr]) or
// the servers of the routes, which the supervisor connects to for it: a
// worker may reach no other address. So the worker needs no socket(2)
// once it runs service code, and the operating system can refuse it
// every one (see package worker).
//
// It is safe for concurrent use.
type Broker struct {
	conn  *net.UnixConn
	conns chan net.Conn
	done  chan struct{} // closed once conn fails
	err   error         // why, once done is closed

	mu      sync.Mutex // guards the fields below
	closed  bool       // Close was called: Accept returns net.ErrClosed
	closedc chan struct{}
	nextID  uint64
	waiting map[uint64]chan dialResult
}

type dialResult struct {
	conn net.Conn
	err  error
}

// OpenBroker opens the worker's broker and starts reading it.
func OpenBroker() (*Broker, error) {
	c, err := packetConn(os.NewFile(BrokerFD, "broker"))
	if err != nil {
		return nil, fmt.Errorf("open the connection broker: %w", err)
	}
	return newBroker(c), nil
}

// newBroker starts reading the worker's end c of a broker.
func newBroker(c *net.UnixConn) *Broker {
	b := &Broker{conn: c, conns: make(chan net.Conn, maxDials), done: make(chan struct{}), closedc: make(chan struct{}), waiting: map[uint64]chan dialResult{}}
	go b.read()
	return b
}

// read reads the supervisor's messages until the broker fails.
func (b *Broker) read() {
	buf := make([]byte, maxMessage)
	for {
		n, f, err := receive(b.conn, buf)
		if err != nil {
			b.err = fmt.Errorf("the connection broker: %w", err)
			close(b.done)
			return
		}
		if n == 0 {
			if f != nil {
				f.Close()
			}
			continue
		}
		var conn net.Conn
		if f != nil {
			conn, err = fileConn(f)
		} else {
			err = errors.New("no connection attached")
		}
		switch buf[0] {
		case msgAccept:
			if err != nil {
				continue
			}
			select {
			case b.conns <- conn:
			case <-b.closedc:
				conn.Close()
			}
		case msgDialReply:
			var r dialReply
			if jerr := json.Unmarshal(buf[1:n], &r); jerr != nil {
				if conn != nil {
					conn.Close()
				}
				continue
			}
			if r.Err != "" {
				if conn != nil {
					conn.Close()
				}
				conn, err = nil, errors.New(r.Err)
			}
			b.mu.Lock()
			ch := b.waiting[r.ID]
			delete(b.waiting, r.ID)
			b.mu.Unlock()
			if ch == nil {
				if conn != nil {
					conn.Close() // its dialer gave up
				}
				continue
			}
			ch <- dialResult{conn, err}
		default:
			if conn != nil {
				conn.Close()
			}
		}
	}
}

// Accept returns the next connection the server sends calls on.
func (b *Broker) Accept() (net.Conn, error) {
	select {
	case c := <-b.conns:
		return c, nil
	case <-b.closedc:
		return nil, net.ErrClosed
	case <-b.done:
		return nil, b.err
	}
}

// Close stops Accept; the broker still dials.
func (b *Broker) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		close(b.closedc)
	}
	return nil
}

// Addr is the broker's address, which names no socket.
func (b *Broker) Addr() net.Addr { return brokerAddr{} }

type brokerAddr struct{}

func (brokerAddr) Network() string { return "microfn" }
func (brokerAddr) String() string  { return "broker" }

// Dial returns a connection to addr: [ServerAddr] for the worker's
// server, or the host:port of a route's server, which the supervisor
// connects to.
func (b *Broker) Dial(addr string) (net.Conn, error) {
	ch := make(chan dialResult, 1)
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	b.waiting[id] = ch
	b.mu.Unlock()
	forget := func() {
		b.mu.Lock()
		delete(b.waiting, id)
		b.mu.Unlock()
	}
	req, err := json.Marshal(dialRequest{ID: id, Addr: addr})
	if err != nil {
		forget()
		return nil, err
	}
	if _, err := b.conn.Write(append([]byte{msgDial}, req...)); err != nil {
		forget()
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	timer := time.NewTimer(dialTimeout + time.Second)
	defer timer.Stop()
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, fmt.Errorf("dial %s: %w", addr, r.err)
		}
		return r.conn, nil
	case <-b.done:
		forget()
		return nil, fmt.Errorf("dial %s: %w", addr, b.err)
	case <-timer.C:
		forget()
		return nil, fmt.Errorf("dial %s: the supervisor did not connect within %s", addr, dialTimeout+time.Second)
	}
}

// A broker is the supervisor's side of a worker's connection broker.
type broker struct {
	conn *net.UnixConn
	// serve takes the connections the worker opens to its server.
	serve func(net.Conn)
	// routes are the host:port the worker may connect to.
	routes []string
}

// connect returns a new connection to the worker: its server accepts the
// other end.
func (b *broker) connect() (net.Conn, error) {
	mine, theirs, err := connPair()
	if err != nil {
		return nil, fmt.Errorf("connect to the worker: %w", err)
	}
	defer theirs.Close()
	if err := sendFile(b.conn, []byte{msgAccept}, theirs); err != nil {
		mine.Close()
		return nil, fmt.Errorf("connect to the worker: %w", err)
	}
	return mine, nil
}

// run answers the worker's requests until the broker closes.
func (b *broker) run() {
	buf := make([]byte, maxMessage)
	busy := make(chan struct{}, maxDials)
	for {
		n, f, err := receive(b.conn, buf)
		if err != nil {
			return
		}
		if f != nil {
			f.Close() // a worker hands the supervisor no descriptor
		}
		if n == 0 || buf[0] != msgDial {
			continue
		}
		var req dialRequest
		if json.Unmarshal(buf[1:n], &req) != nil {
			continue
		}
		busy <- struct{}{}
		go func() {
			defer func() { <-busy }()
			b.dial(req)
		}()
	}
}

// dial connects the worker to the address of req, if it may reach it,
// and sends it the connection.
func (b *broker) dial(req dialRequest) {
	reply := dialReply{ID: req.ID}
	f, err := b.open(req.Addr)
	if err != nil {
		reply.Err = err.Error()
	}
	msg, _ := json.Marshal(reply)
	_ = sendFile(b.conn, append([]byte{msgDialReply}, msg...), f)
	if f != nil {
		f.Close()
	}
}

// open returns a connection to addr as a file to send the worker: a new
// connection to the server, or to a route's server.
func (b *broker) open(addr string) (*os.File, error) {
	if addr == ServerAddr && b.serve != nil {
		mine, theirs, err := connPair()
		if err != nil {
			return nil, err
		}
		b.serve(mine)
		return theirs, nil
	}
	if !slices.Contains(b.routes, addr) {
		return nil, fmt.Errorf("a worker connects only to its server and to the servers of the routes, not to %s", addr)
	}
	c, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return c.(*net.TCPConn).File()
}
