package protocol

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// socketPair returns the two ends of a connected Unix stream socket.
func socketPair(t testing.TB) (net.Conn, net.Conn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	conn := func(fd int) net.Conn {
		f := os.NewFile(uintptr(fd), "pair")
		defer f.Close()
		c, err := net.FileConn(f)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return conn(fds[0]), conn(fds[1])
}

// pair returns two connected Conns: a (odd) and b (even).
func pair(t testing.TB, ha, hb Handler, opts Options) (a, b *Conn) {
	t.Helper()
	x, y := socketPair(t)
	oa, ob := opts, opts
	oa.Handler, ob.Handler = ha, hb
	a, b = NewConn(x, true, oa), NewConn(y, false, ob)
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// echo answers each call with its route, query and body.
var echo = HandlerFunc(func(ctx context.Context, req *Request, w ReplyWriter) {
	body := fmt.Appendf(nil, "%s %s ?%s %d %s|", req.Method, req.Route, req.Query, req.Chain.Depth, req.Header)
	body = append(body, req.Body...)
	_ = w.Reply(&Reply{Status: 200, ContentType: "text/plain", Header: []Field{{"X", []byte("y")}}}, body)
})

func TestConnCalls(t *testing.T) {
	t.Parallel()
	a, b := pair(t, echo, echo, Options{MaxBody: 4 << 20})
	big := bytes.Repeat([]byte("0123456789"), 300_000) // 3 MB: several frames
	for _, c := range []struct {
		name string
		from *Conn
		call Call
		body []byte
		want string
	}{
		{"get", a, Call{Route: "/F", Method: "GET", Query: []byte("x=1"), Chain: Chain{Depth: 2}}, nil, "GET /F ?x=1 2 []|"},
		{"post", b, Call{Route: "/g/H", Method: "POST", Header: []Field{{"K", []byte("v")}}}, []byte(`{"a":1}`), `POST /g/H ? 0 [{K v}]|{"a":1}`},
		{"big body", a, Call{Route: "/Big", Method: "POST"}, big, "POST /Big ? 0 []|" + string(big)},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, err := c.from.Call(context.Background(), &c.call, c.body)
			if err != nil {
				t.Fatal(err)
			}
			got, err := r.ReadAll(0)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("body %.80q…, want %.80q…", got, c.want)
			}
			if r.Status != 200 || r.ContentType != "text/plain" || len(r.Header) != 1 || string(r.Header[0].Value) != "y" {
				t.Errorf("reply %+v", r.Reply)
			}
		})
	}
}

// TestConnConcurrent: many calls at once in both directions, each
// answered with its own body.
func TestConnConcurrent(t *testing.T) {
	t.Parallel()
	a, b := pair(t, echo, echo, Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for i := range 400 {
		from := a
		if i%2 == 1 {
			from = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := bytes.Repeat([]byte{byte('a' + i%26)}, i*97)
			r, err := from.Call(context.Background(), &Call{Route: fmt.Sprint("/S", i), Method: "POST"}, body)
			if err != nil {
				errs <- err
				return
			}
			got, err := r.ReadAll(0)
			if want := fmt.Sprintf("POST /S%d ? 0 []|%s", i, body); err != nil || string(got) != want {
				errs <- fmt.Errorf("call %d: %v, body of %d bytes, want %d", i, err, len(got), len(want))
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestConnBackpressure: a caller that does not read a streamed reply
// holds its writer at the window; reading lets it finish, and the body
// arrives whole.
func TestConnBackpressure(t *testing.T) {
	t.Parallel()
	const window = 64 << 10
	const total = 4 << 20
	var written atomic.Int64
	finished := make(chan error, 1)
	h := HandlerFunc(func(ctx context.Context, req *Request, w ReplyWriter) {
		if err := w.Start(&Reply{Status: 200}); err != nil {
			finished <- err
			return
		}
		chunk := bytes.Repeat([]byte("x"), 8<<10)
		for written.Load() < total {
			n, err := w.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				finished <- err
				return
			}
		}
		finished <- w.Close()
	})
	a, _ := pair(t, nil, h, Options{Window: window})
	r, err := a.Call(context.Background(), &Call{Route: "/Stream", Method: "GET"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The writer stops at the window: wait until it stops moving.
	deadline := time.Now().Add(5 * time.Second)
	last := int64(-1)
	for time.Now().Before(deadline) {
		n := written.Load()
		if n == last && n > 0 {
			break
		}
		last = n
		time.Sleep(20 * time.Millisecond)
	}
	if n := written.Load(); n > window {
		t.Fatalf("the writer got %d bytes ahead of a reader that read nothing; the window is %d", n, window)
	}
	got, err := r.ReadAll(0)
	if err != nil || len(got) < total {
		t.Fatalf("read %d bytes, %v; want %d", len(got), err, total)
	}
	if err := <-finished; err != nil {
		t.Fatal(err)
	}
}

// TestConnCancel: a caller that gives up cancels the callee's context,
// and one that stops reading a streamed reply makes its writer fail.
func TestConnCancel(t *testing.T) {
	t.Parallel()
	canceled := make(chan error, 2)
	h := HandlerFunc(func(ctx context.Context, req *Request, w ReplyWriter) {
		if req.Route == "/Wait" {
			<-ctx.Done()
			canceled <- context.Cause(ctx)
			return
		}
		_ = w.Start(&Reply{Status: 200})
		for {
			if _, err := w.Write(make([]byte, 16<<10)); err != nil {
				canceled <- err
				return
			}
		}
	})
	a, _ := pair(t, nil, h, Options{Window: 32 << 10})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := a.Call(ctx, &Call{Route: "/Wait"}, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("call = %v, want the deadline", err)
	}
	if err := waitErr(t, canceled); !strings.Contains(err.Error(), "canceled") {
		t.Errorf("the handler's context ended with %v", err)
	}
	r, err := a.Call(context.Background(), &Call{Route: "/Stream"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Read(make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if err := waitErr(t, canceled); err == nil {
		t.Error("the writer went on after the reader closed")
	}
}

func waitErr(t *testing.T, c chan error) error {
	t.Helper()
	select {
	case err := <-c:
		return err
	case <-time.After(10 * time.Second):
		t.Fatal("timed out")
	}
	return nil
}

// TestConnDeath: when the other end dies, calls in flight fail with
// ErrClosed and served calls see their context end.
func TestConnDeath(t *testing.T) {
	t.Parallel()
	started := make(chan struct{})
	ended := make(chan error, 1)
	h := HandlerFunc(func(ctx context.Context, req *Request, w ReplyWriter) {
		close(started)
		<-ctx.Done()
		ended <- context.Cause(ctx)
	})
	a, b := pair(t, nil, h, Options{})
	errc := make(chan error, 1)
	go func() {
		_, err := a.Call(context.Background(), &Call{Route: "/Hang"}, nil)
		errc <- err
	}()
	<-started
	b.Close()
	if err := waitErr(t, errc); !errors.Is(err, ErrClosed) {
		t.Errorf("call = %v, want ErrClosed", err)
	}
	if err := waitErr(t, ended); !errors.Is(err, ErrClosed) {
		t.Errorf("handler context ended with %v, want ErrClosed", err)
	}
	if _, err := a.Call(context.Background(), &Call{Route: "/After"}, nil); !errors.Is(err, ErrClosed) {
		t.Errorf("call after the end = %v", err)
	}
}

// TestConnLimits: a body over MaxBody is refused with 413; a handler that
// does not answer answers 500; an end without a handler answers 501.
func TestConnLimits(t *testing.T) {
	t.Parallel()
	silent := HandlerFunc(func(context.Context, *Request, ReplyWriter) {})
	a, b := pair(t, nil, silent, Options{MaxBody: 1000})
	for _, c := range []struct {
		from   *Conn
		body   []byte
		status int
	}{
		{a, make([]byte, 1001), 413},
		{a, make([]byte, 3<<20), 413},
		{a, make([]byte, 10), 500},
		{b, nil, 501},
	} {
		r, err := c.from.Call(context.Background(), &Call{Route: "/X"}, c.body)
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		if r.Status != c.status {
			t.Errorf("body of %d bytes: status %d, want %d", len(c.body), r.Status, c.status)
		}
	}
}

// TestConnGarbage: bytes that are not the protocol end the connection
// with an error, and nothing panics.
func TestConnGarbage(t *testing.T) {
	t.Parallel()
	for _, garbage := range [][]byte{
		[]byte("GET / HTTP/1.1\r\n\r\n"),
		append(helloFrame(), 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0),
		append(helloFrame(), frameBytes(frameReply, 0, 7, []byte{1, 0, 0, 0, 0})...),
		append(helloFrame(), frameBytes(frameCall, flagEnd, 2, []byte{200, 0, 0, 0})...),
		append(helloFrame(), frameBytes(frameCall, flagEnd, 0, nil)...),
	} {
		x, y := socketPair(t)
		c := NewConn(x, true, Options{Handler: echo})
		go func() { _, _ = y.Write(garbage) }()
		go func() { _, _ = io.Copy(io.Discard, y) }()
		select {
		case <-c.Done():
		case <-time.After(5 * time.Second):
			t.Fatalf("%q: the connection did not end", garbage)
		}
		if c.Err() == nil {
			t.Errorf("%q: no error", garbage)
		}
		y.Close()
	}
}

func helloFrame() []byte {
	e := encoder{}
	e.uvarint(Version)
	return frameBytes(frameHello, 0, 0, e.b)
}

func frameBytes(typ frameType, flags uint8, stream uint64, payload []byte) []byte {
	var hb [frameHeaderLen]byte
	frameHeader{length: uint32(len(payload)), typ: typ, flags: flags, stream: stream}.put(&hb)
	return append(hb[:], payload...)
}

func TestMessageRoundTrip(t *testing.T) {
	t.Parallel()
	dl := time.Unix(0, 1_700_000_000_123_456_789)
	for _, c := range []Call{
		{},
		{Attempt: 1<<63 + 5, Route: "/a/B", Method: "POST", Query: []byte("x=1&y=%20"), ContentType: "application/json", Proxied: true,
			Chain:  Chain{ID: [16]byte{1, 2}, Trace: [16]byte{3}, Span: 99, Depth: 508, Deadline: dl},
			Header: []Field{{"A", []byte("b")}, {"", nil}}, RemoteAddr: "192.0.2.1:5555", Caller: "ann"},
		{Attempt: 7, Route: "/C", Method: MethodDrain, Admit: true, Parent: 3},
	} {
		p := appendHead(nil, &c)
		p = append(p, "body"...)
		var names nameTable
		got, body, err := decodeCall(p, &names)
		if err != nil {
			t.Fatal(err)
		}
		// The second decoding on the same connection takes the names
		// from the table: the same result.
		if again, _, err := decodeCall(p, &names); err != nil || fmt.Sprint(again) != fmt.Sprint(got) {
			t.Errorf("decoded again: %v, %v; want %v", again, err, got)
		}
		if string(body) != "body" || fmt.Sprint(got) != fmt.Sprint(normalize(c)) {
			t.Errorf("round trip:\n got %+v\nwant %+v", got, c)
		}
	}
	for _, r := range []Reply{
		{Status: 429, Permanent: true, RetryAfter: 3, ContentType: "application/problem+json", Header: []Field{{"Set-Cookie", []byte("a=b")}}},
		{Status: 503, Busy: true},
		{Status: 504, Overran: true, Wait: 1500 * time.Millisecond, ContentType: ProblemContentType},
		{Status: 429, Rejected: true, RetryAfter: 1, Wait: 1<<63 - 1},
	} {
		got, body, err := decodeReply(appendHead(nil, &r), nil)
		if err != nil || len(body) != 0 || fmt.Sprint(got) != fmt.Sprint(r) {
			t.Errorf("reply round trip: %+v, %q, %v", got, body, err)
		}
	}
}

// normalize gives c the form decoding gives: empty slices are nil.
func normalize(c Call) Call {
	if len(c.Query) == 0 {
		c.Query = nil
	}
	for i := range c.Header {
		if len(c.Header[i].Value) == 0 {
			c.Header[i].Value = nil
		}
	}
	return c
}

// TestNameTableBounded: a connection keeps the names of its calls up to
// a bound, and reads every name right past it.
func TestNameTableBounded(t *testing.T) {
	t.Parallel()
	var names nameTable
	for i := range maxNames + 10 {
		want := fmt.Sprint("/r", i)
		var e encoder
		e.str(want)
		d := decoder{b: e.b, names: &names}
		if got := d.name(); got != want || d.err != nil {
			t.Fatalf("name %d = %q, %v; want %q", i, got, d.err, want)
		}
	}
	if len(names.m) != maxNames {
		t.Errorf("the table holds %d names; want the bound, %d", len(names.m), maxNames)
	}
}

// TestSend: a call Send sent is answered through its SentCall; one sent
// on a connection that has ended has failed at once.
func TestSend(t *testing.T) {
	t.Parallel()
	a, _ := pair(t, nil, echo, Options{})
	for _, closed := range []bool{false, true} {
		if closed {
			a.Close()
		}
		sc := a.Send(&Call{Route: "/r", Method: "POST"}, []byte("x"))
		select {
		case <-sc.Ready():
		case <-time.After(10 * time.Second):
			t.Fatalf("closed %v: no answer", closed)
		}
		resp, err := sc.Response()
		switch {
		case closed && (!sc.Failed() || !errors.Is(err, ErrClosed)):
			t.Errorf("Send on a closed connection: failed %v, %v; want ErrClosed", sc.Failed(), err)
		case !closed && (sc.Failed() || err != nil):
			t.Errorf("Send: failed %v, %v", sc.Failed(), err)
		case !closed:
			if b, err := resp.ReadAll(0); err != nil || !strings.HasSuffix(string(b), "|x") {
				t.Errorf("Send: body %q, %v", b, err)
			}
		}
	}
}

// TestCutPayload: small payloads are cut from one block, each with its
// own bytes and no room to grow into the next; a big one is a buffer of
// its own, and a payload that does not fit in what is left starts a new
// block.
func TestCutPayload(t *testing.T) {
	t.Parallel()
	cases := []struct {
		n        int
		newBlock bool // the payload starts a new block
	}{
		{n: 100, newBlock: true},
		{n: 0},
		{n: arenaPayload},
		{n: arenaPayload + 1, newBlock: true}, // its own buffer: the block goes on
		{n: 1},
	}
	var arena []byte
	var prev []byte
	for i, c := range cases {
		before := len(arena)
		var p []byte
		p, arena = cutPayload(arena, c.n)
		if len(p) != c.n || cap(p) != c.n {
			t.Fatalf("case %d: payload of len %d cap %d, want %d", i, len(p), cap(p), c.n)
		}
		switch {
		case c.n > arenaPayload:
			if len(arena) != before {
				t.Errorf("case %d: a big payload took %d bytes of the block", i, before-len(arena))
			}
		case c.newBlock:
			if len(arena) != arenaBlock-c.n {
				t.Errorf("case %d: %d bytes left of a new block, want %d", i, len(arena), arenaBlock-c.n)
			}
		default:
			if len(arena) != before-c.n {
				t.Errorf("case %d: %d bytes left, want %d", i, len(arena), before-c.n)
			}
		}
		for j := range p {
			p[j] = byte(i + 1)
		}
		if c.n > 0 && c.n <= arenaPayload {
			prev = p
		}
	}
	if prev[0] != byte(len(cases)) {
		t.Errorf("the last small payload was overwritten")
	}
	// A payload that does not fit in what is left starts a new block.
	arena = arena[:10]
	p, rest := cutPayload(arena, 11)
	if len(rest) != arenaBlock-11 || &p[0] == &arena[0] {
		t.Errorf("a payload of 11 bytes with 10 left: %d left, want a new block", len(rest))
	}
}
