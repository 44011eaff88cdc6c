package server_test

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// streamSrc streams values: Count forever (or up to n), History the
// orders of a customer with an error (iter.Seq2), and services that call
// them and read their streams.
const streamSrc = `package stream

import (
	"errors"
	"fmt"
	"iter"
	"sync/atomic"
	"time"
)

// stopped is where Count's last stream stopped, once its yield returned
// false: -1 while none has.
var stopped atomic.Int64

func init() { stopped.Store(-1) }

// Count streams 0, 1, 2, … below n, or forever if n < 0, a value every
// pause.
//
//microfn:service timeout=20s
func Count(n int, pause time.Duration) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; n < 0 || i < n; i++ {
			if !yield(i) {
				stopped.Store(int64(i))
				return
			}
			time.Sleep(pause)
		}
	}
}

// Stopped says where the last stream of Count stopped (-1: none did).
//
//microfn:service
func Stopped() int64 { return stopped.Load() }

// Reset forgets it.
//
//microfn:service
func Reset() { stopped.Store(-1) }

// Forever streams until its timeout ends it.
//
//microfn:service timeout=400ms retry=1
func Forever() iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; ; i++ {
			if !yield(i) {
				stopped.Store(int64(i))
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// An Order is one order of a customer.
type Order struct {
	ID    string ` + "`json:\"id\"`" + `
	Cents int    ` + "`json:\"cents\"`" + `
}

// ErrNoCustomer is a customer we do not know.
var ErrNoCustomer = errors.New("no such customer")

// ErrBroken is a history that breaks after its first orders.
var ErrBroken = errors.New("the history broke")

// History streams a customer's orders.
//
//microfn:service errors=ErrNoCustomer:404
func History(customer string) iter.Seq2[Order, error] {
	return func(yield func(Order, error) bool) {
		if customer == "nobody" {
			yield(Order{}, fmt.Errorf("history of %s: %w", customer, ErrNoCustomer))
			return
		}
		for i := 1; i <= 3; i++ {
			if !yield(Order{ID: fmt.Sprintf("%s-%d", customer, i), Cents: i * 100}, nil) {
				return
			}
		}
		if customer == "broken" {
			yield(Order{}, ErrBroken)
		}
	}
}

// Total adds up the orders of a customer, reading History's stream
// through a nested call.
//
//microfn:service
func Total(customer string) string {
	sum, n := 0, 0
	for o, err := range History(customer) {
		if err != nil {
			return fmt.Sprintf("after %d: %v nocustomer=%v broken=%v", n, err, errors.Is(err, ErrNoCustomer), errors.Is(err, ErrBroken))
		}
		sum += o.Cents
		n++
	}
	return fmt.Sprint(n, " orders, ", sum)
}

// FirstTwo reads two values of an endless stream and stops.
//
//microfn:service
func FirstTwo() string {
	var got []int
	for v := range Count(-1, time.Millisecond) {
		got = append(got, v)
		if len(got) == 2 {
			break
		}
	}
	return fmt.Sprint(got)
}
`

// streamGet starts GET path with headers, and returns the response whose
// body the caller reads.
func streamGet(t *testing.T, url string, header map[string]string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// readLine reads one line within d, or fails the test.
func readLine(t *testing.T, r *bufio.Reader, d time.Duration) string {
	t.Helper()
	type line struct {
		s   string
		err error
	}
	got := make(chan line, 1)
	go func() {
		s, err := r.ReadString('\n')
		got <- line{s, err}
	}()
	select {
	case l := <-got:
		if l.err != nil {
			t.Fatalf("read a line: %v (read %q)", l.err, l.s)
		}
		return strings.TrimSuffix(l.s, "\n")
	case <-time.After(d):
		t.Fatalf("no line within %s", d)
	}
	return ""
}

// TestStream: a service that returns iter.Seq streams its values as
// newline-delimited JSON, or as server-sent events, flushed as they are
// produced (an endless stream is read line by line); a client that stops
// reading early and goes away makes the producer's yield return false; a
// nested call gets an iter.Seq that reads the stream (a loop that breaks
// stops the callee too), an iter.Seq2 carries the errors with their
// identity, an error before the first value is a problem with the status
// errors= maps, and the timeout ends a stream with an error line.
func TestStream(t *testing.T) {
	t.Parallel()
	for _, m := range callModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			in := microfntest.Start(t, map[string]string{"go.mod": "module example.com/st\n\ngo 1.23\n", "stream/stream.go": streamSrc},
				append([]server.Option{server.WithQuiet(true)}, m.opts...)...)

			// An endless stream, read incrementally, then given up.
			in.Post("/stream/Reset", "")
			resp := streamGet(t, in.URL+"/stream/Count?n=-1&pause=1ms", nil)
			if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "application/x-ndjson" {
				t.Fatalf("GET Count = %d %s", resp.StatusCode, ct)
			}
			br := bufio.NewReader(resp.Body)
			for want := 0; want < 3; want++ {
				if got := readLine(t, br, 10*time.Second); got != strconv.Itoa(want) {
					t.Fatalf("line %d = %q", want, got)
				}
			}
			resp.Body.Close() // the client goes away
			microfntest.Eventually(t, 15*time.Second, func() (bool, string) {
				s := body(in.Get("/stream/Stopped"))
				return s != "-1", "the producer did not stop: Stopped = " + s
			})

			// Server-sent events.
			resp = streamGet(t, in.URL+"/stream/History?customer=ann", map[string]string{"Accept": "text/event-stream"})
			if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
				t.Errorf("SSE content type %q", ct)
			}
			br = bufio.NewReader(resp.Body)
			var events []string
			for {
				l, err := br.ReadString('\n')
				if l = strings.TrimSpace(l); l != "" {
					events = append(events, l)
				}
				if err != nil {
					break
				}
			}
			resp.Body.Close()
			want := `data: {"id":"ann-1","cents":100}|data: {"id":"ann-2","cents":200}|data: {"id":"ann-3","cents":300}|event: end|data: null`
			if got := strings.Join(events, "|"); got != want {
				t.Errorf("SSE = %s\nwant %s", got, want)
			}

			// An error before the first value is a problem; after it, a
			// last line.
			r := in.Get("/stream/History?customer=nobody")
			if r.Status != 404 || !strings.Contains(r.Body, "no such customer") {
				t.Errorf("History(nobody) = %d %s, want 404", r.Status, r.Body)
			}
			r = in.Get("/stream/History?customer=broken")
			lines := strings.Split(strings.TrimSpace(r.Body), "\n")
			if r.Status != 200 || len(lines) != 4 || !strings.HasPrefix(lines[3], `{"microfn_error":`) || !strings.Contains(lines[3], "the history broke") {
				t.Errorf("History(broken) = %d %s", r.Status, r.Body)
			}

			// Nested calls read the stream.
			for path, want := range map[string]string{
				"/stream/Total?customer=bob":    `"3 orders, 600"`,
				"/stream/Total?customer=nobody": `"after 0: history of nobody: no such customer nocustomer=true broken=false"`,
				"/stream/Total?customer=broken": `"after 3: the history broke nocustomer=false broken=true"`,
			} {
				if r := in.Get(path); r.Status != 200 || body(r) != want {
					t.Errorf("GET %s = %d %s, want %s", path, r.Status, r.Body, want)
				}
			}
			in.Post("/stream/Reset", "")
			if r := in.Get("/stream/FirstTwo"); body(r) != `"[0 1]"` {
				t.Errorf("FirstTwo = %d %s", r.Status, r.Body)
			}
			microfntest.Eventually(t, 15*time.Second, func() (bool, string) {
				s := body(in.Get("/stream/Stopped"))
				return s != "-1", "the callee's producer did not stop after the caller's break: Stopped = " + s
			})

			// The timeout ends a stream, with an error line.
			r = in.Get("/stream/Forever")
			lines = strings.Split(strings.TrimSpace(r.Body), "\n")
			last := lines[len(lines)-1]
			var p struct {
				Err struct{ Status int } `json:"microfn_error"`
			}
			if r.Status != 200 || len(lines) < 3 || json.Unmarshal([]byte(last), &p) != nil || p.Err.Status != 504 {
				t.Errorf("Forever = %d, %d lines, last %s", r.Status, len(lines), last)
			}
		})
	}
}
