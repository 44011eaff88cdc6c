package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// heldConn is a keep-alive connection that made one call and stays open.
type heldConn struct {
	conn   net.Conn
	status int // of its call, or 0 if the server closed it without one
	body   string
}

// holdConn opens a connection, makes one call on it and keeps it open.
func holdConn(t *testing.T, in *microfntest.Instance) *heldConn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(in.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	h := &heldConn{conn: conn}
	if _, err := io.WriteString(conn, "GET /IsEven?x=2 HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		return h // refused before the request went out
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return h
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	h.status, h.body = resp.StatusCode, string(b)
	return h
}

// TestMaxConns: past --max-conns concurrent connections, a new connection
// is answered 503 and closed; once a connection closes, a new one is
// served again.
func TestMaxConns(t *testing.T) {
	t.Parallel()
	const limit = 3
	in := microfntest.StartDir(t, "../examples/seed", server.WithQuiet(true), server.WithWatch(false), server.WithMaxConns(limit))
	var held []*heldConn
	defer func() {
		for _, h := range held {
			h.conn.Close()
		}
	}()
	served, refused := 0, 0
	for range limit + 2 {
		h := holdConn(t, in)
		held = append(held, h)
		switch h.status {
		case http.StatusOK:
			served++
		case http.StatusServiceUnavailable:
			refused++
			if !strings.Contains(h.body, "limit") {
				t.Errorf("refusal body %q does not say why", h.body)
			}
		default:
			t.Errorf("connection %d: status %d %q", len(held), h.status, h.body)
		}
	}
	// The test helper may keep an idle connection of its own, which
	// counts: at most limit of ours are served, and at least two refused.
	if served > limit || refused < 2 {
		t.Fatalf("with --max-conns %d and %d connections held open: %d served, %d refused", limit, len(held), served, refused)
	}
	for _, h := range held {
		h.conn.Close()
	}
	held = nil
	microfntest.Eventually(t, 5*time.Second, func() (bool, string) {
		h := holdConn(t, in)
		h.conn.Close()
		return h.status == http.StatusOK, fmt.Sprintf("a new connection after the others closed got %d %q", h.status, h.body)
	})
}
