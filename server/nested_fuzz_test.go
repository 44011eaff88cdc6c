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
	s, mine, live, foreign := attemptServer(f, 2, WithMaxDepth(8))
	ended := s.attempts.add(live.chain, time.Now().Add(time.Hour))
	ended.setOwner(mine)
	s.attempts.remove(ended.id)

	worker := workerEnd(f, s, mine)

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
		case max(live.chain.depth+1, depth) > s.cfg.maxDepth:
			want = http.StatusLoopDetected
		}
		if resp.Status != want {
			t.Fatalf("call naming attempt %d (live %d) at depth %d: status %d, want %d", id, live.id, depth, resp.Status, want)
		}
	})
}

// attemptServer returns a server with two running attempts of a chain
// of /A at depth: live, owned by the code mine, and foreign, owned by
// other code.
func attemptServer(tb testing.TB, depth int, opts ...Option) (s *Server, mine any, live, foreign *attemptRecord) {
	tb.Helper()
	cfg, err := newConfig(append([]Option{WithQuiet(true), WithWatch(false)}, opts...))
	if err != nil {
		tb.Fatal(err)
	}
	s = newServer(tb.TempDir(), cfg)
	mine, other := new(int), new(int)
	ch := chain{id: "0123456789abcdef0123456789abcdef", trace: "0123456789abcdef0123456789abcdef", span: 1, depth: depth, service: "/A"}
	live = s.attempts.add(ch, time.Now().Add(time.Hour))
	live.setOwner(mine)
	foreign = s.attempts.add(ch, time.Now().Add(time.Hour))
	foreign.setOwner(other)
	return s, mine, live, foreign
}

// workerEnd returns the worker's end of a connection whose other end the
// server s serves as the connection of the code of owner.
func workerEnd(tb testing.TB, s *Server, owner any) *protocol.Conn {
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		tb.Fatal(err)
	}
	conn := func(fd int) net.Conn {
		file := os.NewFile(uintptr(fd), "pair")
		defer file.Close()
		c, err := net.FileConn(file)
		if err != nil {
			tb.Fatal(err)
		}
		return c
	}
	server := protocol.NewConn(conn(fds[0]), true, protocol.Options{Handler: s.nestedHandler(owner)})
	worker := protocol.NewConn(conn(fds[1]), false, protocol.Options{})
	tb.Cleanup(func() { server.Close(); worker.Close() })
	return worker
}

// TestDirectCallsRefused: the records of calls a worker ran itself are
// taken only for an attempt that code is running, and only as records:
// others are refused with a problem.
func TestDirectCallsRefused(t *testing.T) {
	t.Parallel()
	s, mine, live, foreign := attemptServer(t, 1)
	worker := workerEnd(t, s, mine)
	records := `[{"caller":"/A","callee":"/A","status":200,"try":1,"depth":2,"ns":1000}]`
	tests := []struct {
		name    string
		attempt uint64
		body    string
		want    int
	}{
		{"records of a live attempt", live.id, records, http.StatusNoContent},
		{"another code's attempt", foreign.id, records, http.StatusForbidden},
		{"an attempt never made", 1 << 40, records, http.StatusForbidden},
		{"not records", live.id, `{"caller":`, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			call := &protocol.Call{Attempt: tc.attempt, Route: "/A", Method: protocol.MethodCalls, ContentType: "application/json"}
			resp, err := worker.Call(ctx, call, []byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			body, _ := resp.ReadAll(0)
			if resp.Status != tc.want {
				t.Fatalf("status %d (%s), want %d", resp.Status, body, tc.want)
			}
			if tc.want != http.StatusNoContent && resp.ContentType != protocol.ProblemContentType {
				t.Errorf("refusal of type %q, want a problem: %s", resp.ContentType, body)
			}
		})
	}
}
