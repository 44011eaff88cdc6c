package protocol

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// countingGo returns an Options.Go that counts the functions it runs.
func countingGo(n *atomic.Int64) func(func()) {
	return func(f func()) {
		n.Add(1)
		go f()
	}
}

// TestInlineRunsOnReader: with Options.Inline, calls made one at a time
// run on the reader, without Options.Go; without it, each goes to Go.
func TestInlineRunsOnReader(t *testing.T) {
	t.Parallel()
	const calls = 50
	for _, c := range []struct {
		name   string
		inline bool
		// most calls are handed to Go (want false: few are; a call may
		// run long on a loaded machine, and its route then goes to Go)
		most bool
	}{
		{"go", false, true},
		{"inline", true, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var gone atomic.Int64
			a, _ := pair(t, nil, echo, Options{Inline: c.inline, Go: countingGo(&gone)})
			for i := range calls {
				// A route per call: one found slow changes no other.
				route := fmt.Sprint("/F", i)
				r, err := a.Call(context.Background(), &Call{Route: route, Method: "GET"}, nil)
				if err != nil {
					t.Fatal(err)
				}
				got, err := r.ReadAll(0)
				if want := "GET " + route + " ? 0 []|"; err != nil || string(got) != want {
					t.Fatalf("call %d = %q, %v; want %q", i, got, err, want)
				}
			}
			if n := gone.Load(); (n >= calls/2) != c.most {
				t.Errorf("%d of %d calls were handed to Options.Go", n, calls)
			}
		})
	}
}

// TestInlineBlockedHandler: a handler run inline that blocks does not
// stop the connection: other calls are answered meanwhile (the watchdog
// hands the reading on), its route then goes to Options.Go, and its own
// answer comes once it returns.
func TestInlineBlockedHandler(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	h := HandlerFunc(func(ctx context.Context, req *Request, w ReplyWriter) {
		if req.Route == "/Block" {
			started <- struct{}{}
			<-release
		}
		echo(ctx, req, w)
	})
	a, b := pair(t, nil, h, Options{Inline: true})
	blocked := make(chan error, 1)
	go func() {
		r, err := a.Call(context.Background(), &Call{Route: "/Block", Method: "GET"}, nil)
		if err == nil {
			_, err = r.ReadAll(0)
		}
		blocked <- err
	}()
	<-started
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			r, err := a.Call(ctx, &Call{Route: fmt.Sprint("/Other", i%3), Method: "GET"}, nil)
			if err == nil {
				_, err = r.ReadAll(0)
			}
			if err != nil {
				errs <- fmt.Errorf("call %d while a handler blocks: %w", i, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if inlineOK(b, "/Block") {
		t.Error("the route of the blocked handler still runs inline")
	}
	close(release)
	if err := waitErr(t, blocked); err != nil {
		t.Errorf("the blocked call: %v", err)
	}
}

// TestInlineNeedReader: a handler run inline that waits for what only
// the reader brings hands the reading on at once. The watchdog ticks
// once an hour here: these calls end only thanks to the hand-over.
func TestInlineNeedReader(t *testing.T) {
	t.Parallel()
	const window = 16 << 10
	big := bytes.Repeat([]byte("z"), 5*window)
	for _, c := range []struct {
		name  string
		route string
		want  string
	}{
		// The handler calls the caller back and waits for its answer.
		{"call back", "/Back", "GET /Echo ? 0 []|"},
		// The handler's answer exceeds the caller's window: it waits
		// for grants.
		{"answer over the window", "/Big", string(big)},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var b *Conn
			h := HandlerFunc(func(ctx context.Context, req *Request, w ReplyWriter) {
				var body []byte
				switch req.Route {
				case "/Back":
					r, err := b.Call(ctx, &Call{Route: "/Echo", Method: "GET"}, nil)
					if err == nil {
						body, err = r.ReadAll(0)
					}
					if err != nil {
						body = []byte(err.Error())
					}
				case "/Big":
					body = big
				}
				_ = w.Reply(&Reply{Status: 200}, body)
			})
			opts := Options{Inline: true, Window: window, inlineTick: time.Hour}
			var a *Conn
			a, b = pair(t, echo, h, opts)
			answer := make(chan error, 1)
			go func() {
				r, err := a.Call(context.Background(), &Call{Route: c.route, Method: "GET"}, nil)
				if err != nil {
					answer <- err
					return
				}
				got, err := r.ReadAll(0)
				if err == nil && string(got) != c.want {
					err = fmt.Errorf("answer of %d bytes, want %d bytes", len(got), len(c.want))
				}
				answer <- err
			}()
			// (On a time-out, closing the connections ends the call.)
			if err := waitErr(t, answer); err != nil {
				t.Fatal(err)
			}
			if inlineOK(b, c.route) {
				t.Errorf("route %s still runs inline after it waited for the reader", c.route)
			}
		})
	}
}

// TestInlineHandOnRace: a watchdog that ticks every few microseconds
// hands the reading on while handlers run and return, under concurrent
// calls both ways: every answer still comes whole, so that two
// goroutines never read at once.
func TestInlineHandOnRace(t *testing.T) {
	t.Parallel()
	spin := HandlerFunc(func(ctx context.Context, req *Request, w ReplyWriter) {
		until := time.Now().Add(time.Duration(len(req.Body)%50) * time.Microsecond)
		for time.Now().Before(until) {
		}
		echo(ctx, req, w)
	})
	a, b := pair(t, spin, spin, Options{Inline: true, inlineTick: 20 * time.Microsecond})
	var wg sync.WaitGroup
	errs := make(chan error, 300)
	for i := range 300 {
		from := a
		if i%3 == 0 {
			from = b
		}
		wg.Go(func() {
			body := bytes.Repeat([]byte{byte('a' + i%26)}, i*13)
			r, err := from.Call(context.Background(), &Call{Route: fmt.Sprint("/R", i%7), Method: "POST"}, body)
			if err != nil {
				errs <- err
				return
			}
			got, err := r.ReadAll(0)
			if want := fmt.Sprintf("POST /R%d ? 0 []|%s", i%7, body); err != nil || string(got) != want {
				errs <- fmt.Errorf("call %d: %v, body of %d bytes, want %d", i, err, len(got), len(want))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// inlineOK reports whether a call of route may run inline on c now.
func inlineOK(c *Conn, route string) bool {
	_, ok := c.inlineRoute(route, false)
	return ok
}
