// Package microfntest starts real microfn servers for tests, in the manner
// of net/http/httptest: sources go to a temporary directory, the server
// listens on a free loopback port, logs go to the test's log, and
// everything stops when the test ends.
package microfntest

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microfn/microfn/server"
)

// An Instance is a running server with its source directory.
type Instance struct {
	// URL is the server's base URL, such as http://127.0.0.1:43127.
	URL string
	// Dir holds the served sources.
	Dir string
	// Server is the server itself.
	Server *server.Server

	t    testing.TB
	logs *Logs
}

// Logs records the server's log records.
type Logs struct {
	mu      sync.Mutex // guards records
	records []Record
}

// A Record is one log record.
type Record struct {
	Level slog.Level
	Msg   string
	Attrs map[string]string
}

// Records returns a copy of the records so far.
func (l *Logs) Records() []Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Record(nil), l.records...)
}

// Count returns how many records match.
func (l *Logs) Count(match func(Record) bool) int {
	n := 0
	for _, r := range l.Records() {
		if match(r) {
			n++
		}
	}
	return n
}

// Reset forgets the records so far.
func (l *Logs) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = nil
}

// HTTPCalls counts the access lines of calls that came over HTTP.
func (l *Logs) HTTPCalls() int {
	return l.Count(func(r Record) bool { return r.Attrs["via"] == "http" })
}

type handler struct {
	logs  *Logs
	t     testing.TB
	attrs []slog.Attr
	done  *atomicBool
}

type atomicBool struct {
	mu sync.Mutex
	v  bool
}

func (b *atomicBool) get() bool { b.mu.Lock(); defer b.mu.Unlock(); return b.v }
func (b *atomicBool) set()      { b.mu.Lock(); defer b.mu.Unlock(); b.v = true }

func (h *handler) Enabled(context.Context, slog.Level) bool { return true }
func (h *handler) Handle(_ context.Context, r slog.Record) error {
	rec := Record{Level: r.Level, Msg: r.Message, Attrs: map[string]string{}}
	var b strings.Builder
	b.WriteString(r.Level.String() + " " + r.Message)
	add := func(a slog.Attr) bool {
		rec.Attrs[a.Key] = a.Value.String()
		b.WriteString(" " + a.Key + "=" + a.Value.String())
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	h.logs.mu.Lock()
	h.logs.records = append(h.logs.records, rec)
	h.logs.mu.Unlock()
	if !h.done.get() {
		h.t.Log(b.String())
	}
	return nil
}
func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	return &handler{logs: h.logs, t: h.t, attrs: append(append([]slog.Attr(nil), h.attrs...), as...), done: h.done}
}
func (h *handler) WithGroup(string) slog.Handler { return h }

// Start writes files (name → source; names may contain slashes for
// subpackages) to a temporary directory, serves it on a free loopback
// port and returns the running instance. The server stops when the test
// ends.
func Start(t testing.TB, files map[string]string, opts ...server.Option) *Instance {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		WriteFile(t, dir, name, src)
	}
	return StartDir(t, dir, opts...)
}

// EnvIsolation is the environment variable that sets the isolation of the
// servers tests start, unless a test sets it: "package" (the default),
// "shared" or "none". The test script runs the server's tests once with
// worker processes and once with "none".
const EnvIsolation = "MICROFN_TEST_ISOLATE"

// EnvTier is the environment variable that sets the tier of the servers
// tests start, unless a test sets it: "interpreted" (the default), "auto"
// or "compiled" (see server.WithTier).
const EnvTier = "MICROFN_TEST_TIER"

// StartDir serves dir as Start does.
func StartDir(t testing.TB, dir string, opts ...server.Option) *Instance {
	t.Helper()
	logs := &Logs{}
	done := &atomicBool{}
	logger := slog.New(&handler{logs: logs, t: t, done: done})
	base := []server.Option{server.WithAddr("127.0.0.1:0"), server.WithLogger(logger)}
	if iso := os.Getenv(EnvIsolation); iso != "" {
		base = append(base, server.WithIsolation(server.Isolation(iso)))
	}
	if tier := os.Getenv(EnvTier); tier != "" {
		base = append(base, server.WithTier(server.Tier(tier)))
	}
	opts = append(base, opts...)
	srv, err := server.New(dir, opts...)
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatalf("listen: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-served:
			if err != nil && !errors.Is(err, context.Canceled) {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("server did not shut down within 15s")
		}
		done.set()
	})
	in := &Instance{URL: srv.URL(), Dir: dir, Server: srv, t: t, logs: logs}
	in.waitReady()
	return in
}

// Logs returns the server's log records.
func (in *Instance) Logs() *Logs { return in.logs }

func (in *Instance) waitReady() {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(in.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	in.t.Fatalf("server at %s did not answer /healthz within 10s", in.URL)
}

// WriteFile writes src to name below dir, creating directories.
func WriteFile(t testing.TB, dir, name, src string) {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A Response is a finished HTTP exchange.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

// Get sends GET path (with its query) and returns the response.
func (in *Instance) Get(path string) Response {
	in.t.Helper()
	return in.Do(http.MethodGet, path, "", "")
}

// Post sends POST path with a JSON body.
func (in *Instance) Post(path, body string) Response {
	in.t.Helper()
	return in.Do(http.MethodPost, path, "application/json", body)
}

// Do sends a request and returns the response; transport errors fail the
// test.
func (in *Instance) Do(method, path, contentType, body string) Response {
	in.t.Helper()
	req, err := http.NewRequest(method, in.URL+path, strings.NewReader(body))
	if err != nil {
		in.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		in.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		in.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// Write writes src to name (relative to the served directory) in place.
func (in *Instance) Write(name, src string) {
	in.t.Helper()
	WriteFile(in.t, in.Dir, name, src)
}

// Remove removes name (relative to the served directory), file or tree.
func (in *Instance) Remove(name string) {
	in.t.Helper()
	if err := os.RemoveAll(filepath.Join(in.Dir, filepath.FromSlash(name))); err != nil {
		in.t.Fatal(err)
	}
}

// Eventually polls cond every few milliseconds until it reports true, and
// fails the test with cond's last explanation if that takes longer than
// timeout.
func Eventually(t testing.TB, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, why := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not true after %s: %s", timeout, why)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// WaitBody polls GET path until its body (trimmed) is want, or fails after
// timeout.
func (in *Instance) WaitBody(path, want string, timeout time.Duration) {
	in.t.Helper()
	Eventually(in.t, timeout, func() (bool, string) {
		r := in.Get(path)
		got := strings.TrimSpace(r.Body)
		return r.Status == http.StatusOK && got == want, "GET " + path + " = " + r.Header.Get("Content-Type") + " " + got + ", want " + want
	})
}
