package server_test

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
)

const runawaySrc = `package slow

import "time"

//microfn:service timeout=100ms retry=1 scale=1
func Spin(forever bool) int {
	if !forever {
		return 1
	}
	n := 0
	for {
		n++
	}
}

//microfn:service timeout=5s scale=4
func Sleep(ms int) int { time.Sleep(time.Duration(ms) * time.Millisecond); return ms }
`

// TestRunawayWorkerReplaced: a call that ignores its timeout is answered
// 504 at once; after the grace its worker is replaced, the old worker
// finishes its other calls and is killed, and only then is the runaway's
// slot free.
func TestRunawayWorkerReplaced(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc")
	}
	const grace = 400 * time.Millisecond
	in := microfntest.Start(t, map[string]string{"slow/slow.go": runawaySrc},
		server.WithIsolation(server.IsolatePackage), server.WithRunawayGrace(grace))
	old := workerOf(t, in, "slow")

	start := time.Now()
	if r := in.Get("/slow/Spin?forever=true"); r.Status != 504 {
		t.Fatalf("Spin = %d %s, want 504", r.Status, r.Body)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the 504 took %s; want it at the timeout (100ms)", d)
	}
	// A call of another service of the old worker, in flight when the
	// worker is replaced, finishes there.
	var wg sync.WaitGroup
	var sleepResp microfntest.Response
	wg.Add(1)
	go func() {
		defer wg.Done()
		sleepResp = in.Get("/slow/Sleep?ms=900")
	}()
	// The next call of Spin needs the runaway's slot (scale=1): it gets in
	// only once the runaway is gone, with its worker.
	r := in.Get("/slow/Spin?forever=false")
	waited := time.Since(start)
	if r.Status != 200 || body(r) != "1" {
		t.Fatalf("second Spin = %d %s", r.Status, r.Body)
	}
	if microfntest.ProcessAlive(old) {
		t.Errorf("the second call got the slot after %s while the runaway's worker %d still runs", waited, old)
	}
	if waited < grace {
		t.Errorf("the second call got the slot after %s, before the grace of %s had passed", waited, grace)
	}
	wg.Wait()
	if sleepResp.Status != 200 || body(sleepResp) != "900" {
		t.Errorf("the call in flight on the replaced worker got %d %s", sleepResp.Status, sleepResp.Body)
	}
	if now := workerOf(t, in, "slow"); now == old || now == 0 {
		t.Errorf("worker %d after the replacement, was %d", now, old)
	}
	if n := in.Logs().Count(func(r microfntest.Record) bool { return strings.Contains(r.Msg, "replacing its worker") }); n != 1 {
		t.Errorf("%d replacements logged, want 1", n)
	}
	if c := healthAt(t, in, "/healthz").crashes("slow"); c != nil {
		t.Errorf("a replacement counted as a crash: %+v", c)
	}
}

const blockingInit = `package block

func init() {
	for {
	}
}

//microfn:service
func B() int { return 2 }
`

// TestBlockingInit: an init that never returns is a load error after the
// load timeout; the last good version keeps serving, and /healthz answers
// quickly all along.
func TestBlockingInit(t *testing.T) {
	t.Parallel()
	const loadTimeout = 1500 * time.Millisecond
	in := microfntest.Start(t, map[string]string{
		"block/block.go": strings.Replace(blockingInit, "for {\n\t}", "", 1),
		"good/good.go":   goodSrc,
	}, server.WithIsolation(server.IsolatePackage), server.WithLoadTimeout(loadTimeout))
	in.WaitBody("/block/B", "2", 10*time.Second)

	saved := time.Now()
	in.Write("block/block.go", blockingInit)
	var slowest time.Duration
	var loadErr string
	for time.Since(saved) < 10*time.Second {
		t0 := time.Now()
		h := healthAt(t, in, "/healthz")
		if d := time.Since(t0); d > slowest {
			slowest = d
		}
		if p := h.pkg("block"); len(p.Errors) > 0 {
			loadErr = strings.Join(p.Errors, "; ")
			if p.State != "degraded" {
				t.Errorf("block is %q with a good version serving, want degraded", p.State)
			}
			break
		}
		if r := in.Get("/good/Ping"); r.Status != 200 {
			t.Fatalf("the other package answered %d during the load", r.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if slowest > time.Second {
		t.Errorf("/healthz took %s during the blocked load", slowest)
	}
	if !strings.Contains(loadErr, "block/block.go:3:6: the package did not finish loading within 1.5s (--load-timeout): this init function") {
		t.Fatalf("load error %q, want the load timeout naming the package", loadErr)
	}
	if took := time.Since(saved); took < loadTimeout {
		t.Errorf("the load failed after %s, before its timeout", took)
	}
	r := in.Get("/block/B")
	if r.Status != 200 || body(r) != "2" || !strings.Contains(r.Header.Get(protocol.HeaderStale), "did not finish loading") {
		t.Errorf("B = %d %s (stale %q), want the old version with the error", r.Status, r.Body, r.Header.Get(protocol.HeaderStale))
	}
}

const crashLoopSrc = `package loop

import "time"

func init() {
	time.AfterFunc(30*time.Millisecond, func() { panic("crash loop") })
}

//microfn:service
func L() int { return 1 }
`

// TestCrashLoopBacksOff: a package whose workers keep dying is restarted
// with a growing delay, not as fast as it can.
func TestCrashLoopBacksOff(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"loop/loop.go": crashLoopSrc, "good/good.go": goodSrc},
		server.WithIsolation(server.IsolatePackage), server.WithQuiet(true))
	start := time.Now()
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		c := healthAt(t, in, "/healthz").crashes("loop")
		return c != nil && c.Count >= 4, fmt.Sprintf("crashes %+v", c)
	})
	time.Sleep(1500 * time.Millisecond)
	elapsed := time.Since(start)
	c := healthAt(t, in, "/healthz").crashes("loop")
	// Without a backoff a worker that dies 30ms after it starts would
	// die about every 60ms: more than 20 times in this time.
	if max := int(elapsed/(60*time.Millisecond)) / 3; c.Count > max {
		t.Errorf("%d crashes in %s: no backoff (want at most %d)", c.Count, elapsed, max)
	}
	if !strings.Contains(c.LastError, "panic: crash loop") {
		t.Errorf("last error %q", c.LastError)
	}
	var delays []time.Duration
	re := regexp.MustCompile(`restarting it in (\S+)$`)
	for _, r := range in.Logs().Records() {
		if m := re.FindStringSubmatch(r.Msg); m != nil {
			d, _ := time.ParseDuration(m[1])
			delays = append(delays, d)
		}
	}
	if len(delays) < 2 {
		t.Fatalf("backoffs logged: %v", delays)
	}
	for i := 1; i < len(delays); i++ {
		if delays[i] <= delays[i-1] && delays[i] < 10*time.Second {
			t.Errorf("backoffs do not grow: %v", delays)
			break
		}
	}
	if r := in.Get("/good/Ping"); r.Status != 200 {
		t.Errorf("the other package answers %d", r.Status)
	}
	if m := in.Get("/metrics"); !regexp.MustCompile(`microfn_worker_crashes_total\{package="loop"\} [1-9]`).MatchString(m.Body) {
		t.Errorf("no crashes of loop in /metrics:\n%s", grepLines(m.Body, "crashes"))
	}
}

const flakySrc = `package flaky

import "os"

//microfn:service retry=3 base=1ms
func Flaky(marker string) int {
	if _, err := os.Stat(marker); err != nil {
		os.WriteFile(marker, nil, 0o644)
		var m map[int]int
		done := make(chan bool)
		for g := 0; g < 2; g++ {
			go func() {
				m2 := map[int]int{}
				m = m2
				for i := 0; ; i++ {
					m[i%10] = i
				}
			}()
		}
		<-done
	}
	return 7
}
`

// TestCrashIsOneAttempt: a crash is a failed attempt under the service's
// retry policy: the next attempt runs on the restarted worker.
func TestCrashIsOneAttempt(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"flaky/flaky.go": flakySrc},
		server.WithIsolation(server.IsolatePackage), server.WithAllow("os"))
	marker := t.TempDir() + "/crashed"
	r := in.Get("/flaky/Flaky?marker=" + marker)
	if r.Status != 200 || body(r) != "7" {
		t.Fatalf("Flaky = %d %s, want 7 after a retry", r.Status, r.Body)
	}
	if a := r.Header.Get("Microfn-Attempts"); a != "2" {
		t.Errorf("Microfn-Attempts %q, want 2", a)
	}
	if c := healthAt(t, in, "/healthz").crashes("flaky"); c == nil || c.Count != 1 {
		t.Errorf("crashes %+v, want 1", c)
	}
}
