package server

import (
	"context"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/microfn/microfn/protocol"
)

// FuzzNestedCalls: whatever a worker sends as a nested call, the server
// answers it without failing, and acts only for the attempts that code
// is running: a call naming an attempt of other code, one that has ended
// or one never made is refused (403); a call deeper than the limit, even
// when it claims a smaller depth than its attempt's, is 508; another is
// carried (here, where nothing serves the route and no --route names it:
// 502).
func FuzzNestedCalls(f *testing.F) {
	dir := f.TempDir()
	cfg, err := newConfig([]Option{WithQuiet(true), WithMaxDepth(8), WithWatch(false)})
	if err != nil {
		f.Fatal(err)
	}
	s := newServer(dir, cfg)
	mine, other := new(int), new(int)
	ch := chain{id: "0123456789abcdef0123456789abcdef", trace: "0123456789abcdef0123456789abcdef", span: 1, depth: 2, service: "/A"}
	live := s.attempts.add(ch, time.Now().Add(time.Hour))
	live.setOwner(mine)
	ended := s.attempts.add(ch, time.Now().Add(time.Hour))
	ended.setOwner(mine)
	s.attempts.remove(ended.id)
	foreign := s.attempts.add(ch, time.Now().Add(time.Hour))
	foreign.setOwner(other)

	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		f.Fatal(err)
	}
	conn := func(fd int) net.Conn {
		file := os.NewFile(uintptr(fd), "pair")
		defer file.Close()
		c, err := net.FileConn(file)
		if err != nil {
			f.Fatal(err)
		}
		return c
	}
	server := protocol.NewConn(conn(fds[0]), true, protocol.Options{Handler: s.nestedHandler(mine)})
	worker := protocol.NewConn(conn(fds[1]), false, protocol.Options{})
	f.Cleanup(func() { server.Close(); worker.Close() })

	f.Add(uint8(0), uint64(0), "/B", 3, int64(0), []byte(`{}`))
	f.Add(uint8(1), uint64(0), "/B", 3, int64(0), []byte(`{}`))
	f.Add(uint8(2), uint64(0), "/A", 0, int64(-1), []byte(nil))
	f.Add(uint8(3), uint64(1<<40), "", 100, int64(1), []byte(`x`))
	f.Add(uint8(0), uint64(0), "/B", 9, int64(0), []byte(`{}`))
	f.Fuzz(func(t *testing.T, which uint8, random uint64, route string, depth int, deadline int64, body []byte) {
		id := [...]uint64{live.id, ended.id, foreign.id, random}[which%4]
		depth = min(max(depth, 0), 1000)
		call := &protocol.Call{Attempt: id, Route: route, Method: http.MethodPost, Proxied: true, Chain: protocol.Chain{Depth: depth}}
		if deadline != 0 {
			call.Chain.Deadline = time.Unix(0, deadline)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		resp, err := worker.Call(ctx, call, body)
		if err != nil {
			t.Fatalf("call: %v", err)
		}
		resp.Close()
		want := http.StatusBadGateway
		switch {
		case id != live.id:
			want = http.StatusForbidden
		case max(ch.depth+1, depth) > cfg.maxDepth:
			want = http.StatusLoopDetected
		}
		if resp.Status != want {
			t.Fatalf("call naming attempt %d (live %d) at depth %d: status %d, want %d", id, live.id, depth, resp.Status, want)
		}
	})
}
