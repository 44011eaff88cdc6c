package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
)

// peerModule has services in two packages that call each other: the
// calls go straight between their workers once the server has carried
// one (the peer path), with a worker per package.
func peerModule() map[string]string {
	return map[string]string{
		"go.mod": "module example.com/peer\n\ngo 1.22\n",
		"a/a.go": `package a

import (
	"fmt"
	"time"

	"github.com/microfn/microfn"

	"example.com/peer/b"
)

// Call calls b.Echo n times.
//
//microfn:service
func Call(n int) (string, error) {
	out := ""
	for i := range n {
		s, err := b.Echo(i)
		if err != nil {
			return "", err
		}
		out += s
	}
	return out, nil
}

// Status reports the status b.Slow or b.Flaky answered.
//
//microfn:service timeout=10s
func Status(what string, d time.Duration) string {
	var err error
	switch what {
	case "slow":
		_, err = b.Slow(d)
	case "flaky":
		_, err = b.Flaky(what)
	case "crash":
		_, err = b.Crash(d)
	}
	return fmt.Sprintf("%d", microfn.StatusOf(err))
}

// Hold holds b.One's slot for d.
//
//microfn:service timeout=10s
func Hold(d time.Duration) (string, error) { return b.One(d) }

// Back is called by b.Bounce.
//
//microfn:service
func Back(n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	return b.Bounce(n - 1)
}

// Deep calls b.Deep.
//
//microfn:service
func Deep(n int) (int, error) { return b.Deep(n) }
`,
		"b/b.go": `package b

import (
	"errors"
	"sync"
	"time"

	"example.com/peer/b/c"
)

// Echo answers its argument.
//
//microfn:service
func Echo(i int) (string, error) { return string(rune('0' + i%10)), nil }

//microfn:service timeout=200ms retry=1
func Slow(d time.Duration) (string, error) {
	time.Sleep(d)
	return "slept", nil
}

var (
	mu    sync.Mutex
	tries = map[string]int{}
)

// Flaky fails twice for each key, then succeeds.
//
//microfn:service retry=3 base=1ms cap=2ms
func Flaky(key string) (string, error) {
	mu.Lock()
	defer mu.Unlock()
	tries[key]++
	if tries[key] <= 2 {
		return "", errors.New("not yet")
	}
	return "ok", nil
}

// Crash ends its worker after d: a goroutine's panic.
//
//microfn:service retry=1
func Crash(d time.Duration) (string, error) {
	done := make(chan bool)
	time.AfterFunc(d, func() { panic("crash") })
	<-done
	return "", nil
}

// One runs one call at a time.
//
//microfn:service scale=1 timeout=10s
func One(d time.Duration) (string, error) {
	time.Sleep(d)
	return "one", nil
}

// Bounce calls a.Back, which calls it again, under scale=1.
//
//microfn:service scale=1
func Bounce(n int) (int, error) { return c.Bounce(n) }

// Deep calls c.Deep.
//
//microfn:service
func Deep(n int) (int, error) { return c.Deep(n) }
`,
		"b/c/c.go": `package c

// Bounce is b.Bounce's other half.
//
//microfn:service
func Bounce(n int) (int, error) { return n, nil }

// Deep calls itself n deep.
//
//microfn:service
func Deep(n int) (int, error) {
	if n <= 0 {
		return 0, nil
	}
	return Deep(n - 1)
}
`,
	}
}

// peerWorkers reports whether in runs a worker per package: the peer
// path's mode.
func peerWorkers(in *microfntest.Instance) bool {
	return len(in.Server.WorkerPIDs()) > 1
}

func TestPeerChain(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, peerModule())
	before := scrape(t, in)
	for i := range 3 {
		if r := in.Get("/a/Call?n=4"); text(r) != "0123" {
			t.Fatalf("call %d: /a/Call = %d %s, want 0123", i, r.Status, r.Body)
		}
	}
	after := scrape(t, in)
	labels := map[string]string{"caller": "/a/Call", "callee": "/b/Echo", "code": "200"}
	if got := value(after, "microfn_nested_calls_total", labels) - value(before, "microfn_nested_calls_total", labels); got != 12 {
		t.Errorf("microfn_nested_calls_total%v moved by %v, want 12", labels, got)
	}
	calls := map[string]string{"service": "/b/Echo", "code": "200"}
	if got := value(after, "microfn_calls_total", calls) - value(before, "microfn_calls_total", calls); got != 12 {
		t.Errorf("microfn_calls_total%v moved by %v, want 12", calls, got)
	}
	via := map[string]int{}
	for _, l := range accessLines(in, "/b/Echo") {
		via[l.Attrs["via"]]++
		if l.Attrs["status"] != "200" || l.Attrs["depth"] != "1" {
			t.Errorf("line %q %v: want status=200 depth=1", l.Msg, l.Attrs)
		}
	}
	want := map[string]int{"http": 12}
	if peerWorkers(in) {
		// The first chain goes through the server, which then connects
		// the two workers and gives the next chains' attempts of
		// /a/Call the capability of b.
		want = map[string]int{"http": 4, "peer": 8}
	}
	if fmt.Sprint(via) != fmt.Sprint(want) {
		t.Errorf("the calls of /b/Echo went via %v, want %v", via, want)
	}
	_ = strings.TrimSpace
	_ = time.Second
}
