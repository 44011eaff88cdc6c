package server_test

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
)

// goodSrc is a package that keeps working while another crashes.
const goodSrc = `package good

import "time"

//microfn:service scale=16
func Ping() string { return "pong" }

//microfn:service scale=16
func Slow(ms int) int { time.Sleep(time.Duration(ms) * time.Millisecond); return ms }
`

// crashSrc has a service for every way Go ends a process that recover
// cannot catch, and one that works.
const crashSrc = `package bad

import (
	"bytes"
	"context"
	"image"
	_ "image/png"
	"log"
	"sync"
	"time"
)

func deep(n int) int { return deep(n+1) + 1 }

//microfn:service retry=1
func Recurse() int { return deep(0) }

//microfn:service retry=1
func MapRace() int {
	m := map[int]int{}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 1000000; i++ {
				m[i%100] = i
			}
		}()
	}
	wg.Wait()
	return len(m)
}

//microfn:service retry=1
func Unlock() int {
	var mu sync.Mutex
	mu.Unlock()
	return 1
}

//microfn:service retry=1
func Huge() int { return len(make([]byte, 1<<40)) }

var sink [][]byte

//microfn:service retry=1
func Grow() int {
	for {
		sink = append(sink, make([]byte, 1<<20))
	}
}

//microfn:service retry=1
func AfterFunc() int {
	time.AfterFunc(time.Millisecond, func() { panic("boom in AfterFunc") })
	time.Sleep(2 * time.Second)
	return 1
}

//microfn:service retry=1
func CtxAfterFunc() int {
	ctx, cancel := context.WithCancel(context.Background())
	context.AfterFunc(ctx, func() { panic("boom in context.AfterFunc") })
	cancel()
	time.Sleep(2 * time.Second)
	return 1
}

//microfn:service retry=1
func LogFatal() int {
	log.Default().Fatal("the end of the world")
	return 1
}

//microfn:service retry=1
func Decode(data []byte) (string, error) {
	img, format, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return "", err
	}
	return format + " " + img.Bounds().String(), nil
}

//microfn:service
func Alive() string { return "alive" }
`

// hugePNG returns a small PNG that declares a 60000×60000 image: the
// decoder allocates its pixels before it reads them.
func hugePNG() []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(data)))
		b.Write(n[:])
		b.WriteString(typ)
		b.Write(data)
		crc := crc32.NewIEEE()
		crc.Write([]byte(typ))
		crc.Write(data)
		binary.BigEndian.PutUint32(n[:], crc.Sum32())
		b.Write(n[:])
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], 60000)
	binary.BigEndian.PutUint32(ihdr[4:], 60000)
	ihdr[8], ihdr[9] = 8, 6 // 8 bits per channel, RGBA
	chunk("IHDR", ihdr)
	chunk("IDAT", []byte{0x78, 0x9c, 0x62, 0x00, 0x00, 0x00, 0xff, 0xff})
	chunk("IEND", nil)
	return b.Bytes()
}

func TestCrashIsAnAnswer(t *testing.T) {
	t.Parallel()
	png := hugePNG()
	if len(png) > 80 {
		t.Fatalf("the PNG is %d bytes, want a small one", len(png))
	}
	pngBody, _ := json.Marshal(map[string]string{"data": base64.StdEncoding.EncodeToString(png)})
	tests := []struct {
		name   string
		method string
		path   string
		body   string
		reason string // in the 502's detail
	}{
		{"stack overflow", "GET", "/bad/Recurse", "", "goroutine stack exceeds 67108864-byte limit"},
		{"concurrent map writes", "GET", "/bad/MapRace", "", "concurrent map writes"},
		{"unlock of unlocked mutex", "GET", "/bad/Unlock", "", "sync: unlock of unlocked mutex"},
		{"huge allocation", "GET", "/bad/Huge", "", "out of memory"},
		{"unbounded growth", "GET", "/bad/Grow", "", "out of memory"},
		{"time.AfterFunc panic", "GET", "/bad/AfterFunc", "", "panic: boom in AfterFunc"},
		{"context.AfterFunc panic", "GET", "/bad/CtxAfterFunc", "", "panic: boom in context.AfterFunc"},
		{"log.Default().Fatal", "GET", "/bad/LogFatal", "", "the end of the world"},
		{"PNG of huge dimensions", "POST", "/bad/Decode", string(pngBody), "out of memory"},
	}
	memory := int64(256 << 20)
	if raceEnabled {
		memory = 1 << 30
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			limit := memory
			if tc.reason != "out of memory" {
				// Deep interpreted recursion also fills the heap: the
				// stack must hit its limit first.
				limit = 1 << 30
			}
			in := microfntest.Start(t, map[string]string{"good/good.go": goodSrc, "bad/bad.go": crashSrc},
				server.WithQuiet(true), server.WithAllow("log"),
				server.WithIsolation(server.IsolatePackage),
				server.WithWorkerLimits(protocol.Limits{MaxMemory: limit, MaxStack: 64 << 20, MaxOpenFiles: 256}))
			pid := workerOf(t, in, "bad")

			// Calls of the other package run all along: one in flight
			// across the crash, and a stream of quick ones.
			slow := make(chan microfntest.Response, 1)
			go func() { slow <- in.Get("/good/Slow?ms=400") }()
			stop := make(chan struct{})
			var pings, failed atomic.Int64
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					resp, err := http.Get(in.URL + "/good/Ping")
					if err != nil {
						failed.Add(1)
						continue
					}
					if resp.StatusCode != 200 {
						failed.Add(1)
					}
					resp.Body.Close()
					pings.Add(1)
				}
			}()

			r := in.Do(tc.method, tc.path, "application/json", tc.body)
			if r.Status != http.StatusBadGateway {
				t.Fatalf("%s %s = %d %s, want 502", tc.method, tc.path, r.Status, r.Body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want application/problem+json", ct)
			}
			p := problem(t, r)
			want := "service " + tc.path + " crashed its worker: "
			if raceEnabled && tc.reason == "out of memory" && strings.Contains(p.Detail, "ThreadSanitizer failed to allocate") {
				// The race detector's allocator fails first, with
				// its own message.
				tc.reason = "ThreadSanitizer failed to allocate"
			}
			if !strings.HasPrefix(p.Detail, want) || !strings.Contains(p.Detail, tc.reason) {
				t.Errorf("detail %q, want %q followed by %q", p.Detail, want, tc.reason)
			}

			// The package answers again, from a new worker.
			in.WaitBody("/bad/Alive", `"alive"`, 10*time.Second)
			if now := workerOf(t, in, "bad"); now == pid || now == 0 {
				t.Errorf("worker pid %d after the crash, was %d", now, pid)
			}
			close(stop)
			wg.Wait()
			if s := <-slow; s.Status != 200 || body(s) != "400" {
				t.Errorf("the call of the other package in flight got %d %s", s.Status, s.Body)
			}
			if failed.Load() != 0 || pings.Load() == 0 {
				t.Errorf("other package: %d of %d calls failed", failed.Load(), pings.Load())
			}

			// The crash stays visible.
			for _, path := range []string{"/healthz", "/readyz"} {
				h := healthAt(t, in, path)
				c := h.crashes("bad")
				if c == nil || c.Count != 1 || !strings.Contains(c.LastError, tc.reason) || c.LastAt == "" {
					t.Errorf("%s: crashes of bad = %+v, want 1 with %q", path, c, tc.reason)
				}
				if c := h.crashes("good"); c != nil {
					t.Errorf("%s: crashes of good = %+v, want none", path, c)
				}
			}
			if m := in.Get("/metrics"); !strings.Contains(m.Body, `microfn_worker_crashes_total{package="bad"} 1`) {
				t.Errorf("/metrics has no crash of bad:\n%s", grepLines(m.Body, "crashes"))
			}
			// The stack is in the log.
			if n := in.Logs().Count(func(r microfntest.Record) bool {
				return strings.Contains(r.Msg, "crashed") && r.Attrs["output"] != ""
			}); n == 0 && tc.reason != "the end of the world" && !strings.Contains(tc.reason, "ThreadSanitizer") {
				t.Errorf("no crash report with the worker's output in the log")
			}
		})
	}
}

// healthBody is the JSON of /healthz or /readyz.
type healthBody server.Health

func (h healthBody) pkg(dir string) server.PackageStatus {
	for _, p := range h.Packages {
		if p.Dir == dir {
			return p
		}
	}
	return server.PackageStatus{}
}

func (h healthBody) crashes(dir string) *server.CrashStatus { return h.pkg(dir).Crashes }

func (h healthBody) worker(dir string) int {
	if p := h.pkg(dir); p.Worker != nil {
		return *p.Worker
	}
	return 0
}

func healthAt(t *testing.T, in *microfntest.Instance, path string) healthBody {
	t.Helper()
	r := in.Get(path)
	var h healthBody
	if err := json.Unmarshal([]byte(r.Body), &h); err != nil {
		t.Fatalf("%s: %v: %s", path, err, r.Body)
	}
	return h
}

// workerOf returns the pid of the worker of the package in dir.
func workerOf(t *testing.T, in *microfntest.Instance, dir string) int {
	t.Helper()
	return healthAt(t, in, "/healthz").worker(dir)
}

func grepLines(text, substr string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestWorkerStdout: what a package prints straight to the process's
// standard output, even while it loads, goes to the log and cannot be
// taken for the worker's Ready line.
func TestWorkerStdout(t *testing.T) {
	t.Parallel()
	src := "package out\n\nimport \"os\"\n\nfunc init() { os.Stdout.WriteString(\"{\\\"loaded\\\":[\\\"forged\\\"]}\\nhello from init\\n\") }\n\n//microfn:service\nfunc Hi() string { os.Stdout.WriteString(\"hello from a call\\n\"); return \"hi\" }\n"
	in := microfntest.Start(t, map[string]string{"out/out.go": src}, server.WithAllow("os"), server.WithIsolation(server.IsolatePackage))
	in.WaitBody("/out/Hi", `"hi"`, 10*time.Second)
	microfntest.Eventually(t, 5*time.Second, func() (bool, string) {
		n := in.Logs().Count(func(r microfntest.Record) bool {
			return strings.Contains(r.Msg, "hello from init") || strings.Contains(r.Msg, "hello from a call")
		})
		return n == 2, fmt.Sprintf("%d of the 2 printed lines in the log", n)
	})
}

// TestWorkerOpenFilesLimit: a worker may hold at most --max-open-files
// files; past it, opening one is a clean error, not a crash.
func TestWorkerOpenFilesLimit(t *testing.T) {
	t.Parallel()
	src := `package files

import "os"

var kept []*os.File

//microfn:service retry=1
func Hoard(path string) (int, error) {
	for i := 0; i < 500; i++ {
		f, err := os.Open(path)
		if err != nil {
			return len(kept), err
		}
		kept = append(kept, f)
	}
	return len(kept), nil
}

//microfn:service
func Alive() string { return "alive" }
`
	in := microfntest.Start(t, map[string]string{"files/files.go": src}, server.WithAllow("os"),
		server.WithIsolation(server.IsolatePackage),
		server.WithWorkerLimits(protocol.Limits{MaxMemory: 1 << 30, MaxStack: 64 << 20, MaxOpenFiles: 64}))
	r := in.Get("/files/Hoard?path=" + filepath.Join(in.Dir, "files", "files.go"))
	if r.Status != 500 || !strings.Contains(problem(t, r).Detail, "too many open files") {
		t.Fatalf("Hoard = %d %s, want a 500 saying too many open files", r.Status, r.Body)
	}
	in.WaitBody("/files/Alive", `"alive"`, 5*time.Second)
	if c := healthAt(t, in, "/healthz").crashes("files"); c != nil {
		t.Errorf("the limit crashed the worker: %+v", c)
	}
}

// TestSharedWorker: with IsolateShared every package runs in one worker
// process apart from the server; a crash restarts it, with every package,
// and the server stays up.
func TestSharedWorker(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"good/good.go": goodSrc, "bad/bad.go": crashSrc},
		server.WithQuiet(true), server.WithAllow("log"), server.WithIsolation(server.IsolateShared))
	pids := in.Server.WorkerPIDs()
	if len(pids) != 1 {
		t.Fatalf("worker processes %v, want one for both packages", pids)
	}
	h := healthAt(t, in, "/healthz")
	if h.worker("good") != pids[0] || h.worker("bad") != pids[0] {
		t.Errorf("packages run in workers %d and %d, want both in %d", h.worker("good"), h.worker("bad"), pids[0])
	}
	r := in.Get("/bad/MapRace")
	if r.Status != http.StatusBadGateway || !strings.Contains(problem(t, r).Detail, "concurrent map writes") {
		t.Fatalf("MapRace = %d %s, want a 502 naming the crash", r.Status, r.Body)
	}
	in.WaitBody("/good/Ping", `"pong"`, 10*time.Second)
	in.WaitBody("/bad/Alive", `"alive"`, 10*time.Second)
	h = healthAt(t, in, "/healthz")
	for _, dir := range []string{"good", "bad"} {
		if c := h.crashes(dir); c == nil || c.Count != 1 {
			t.Errorf("crashes of %s = %+v, want the shared worker's one", dir, c)
		}
	}
	// A reload starts a new shared worker with every package.
	in.Write("good/good.go", strings.Replace(goodSrc, `"pong"`, `"pong 2"`, 1))
	in.WaitBody("/good/Ping", `"pong 2"`, 10*time.Second)
	in.WaitBody("/bad/Alive", `"alive"`, 10*time.Second)
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		kids := in.Server.WorkerPIDs()
		return len(kids) == 1, fmt.Sprintf("worker processes %v after the reload, want one", kids)
	})
}

// bigSrc answers with n bytes of JSON.
const bigSrc = "package big\n\nimport \"strings\"\n\n//microfn:service\nfunc Big(n int) string { return strings.Repeat(\"x\", n) }\n\n//microfn:service\nfunc Relay(n int) int { return len(Big(n)) }\n"

// TestBigAnswersStream: an answer bigger than a frame streams from the
// worker to the client, whole; clients that do not read keep the
// server's memory at a window each, not the answer; through a nested
// call too; and an answer over --max-response-size is a problem naming
// the limit.
func TestBigAnswersStream(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"big/big.go": bigSrc}, server.WithQuiet(true), server.WithMaxResponseSize(32<<20))
	r := in.Get("/big/Big?n=5000000")
	if r.Status != 200 || len(r.Body) != 5000003 || !strings.HasPrefix(r.Body, `"xxx`) {
		t.Fatalf("Big(5e6) = %d, %d bytes", r.Status, len(r.Body))
	}
	if r := in.Get("/big/Relay?n=5000000"); r.Status != 200 || strings.TrimSpace(r.Body) != "5000000" {
		t.Fatalf("Relay = %d %s", r.Status, r.Body)
	}
	r = in.Get("/big/Big?n=40000000")
	if r.Status != 500 || !strings.Contains(r.Body, "over the limit of 33554432 bytes (--max-response-size)") {
		t.Fatalf("Big(4e7) = %d %.200s, want 500 naming the limit", r.Status, r.Body)
	}
	if len(in.Server.WorkerPIDs()) == 0 {
		return // in process: the answers are the server's own memory
	}
	// Clients that ask for 20 MB each and never read.
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	u, _ := url.Parse(in.URL)
	var conns []net.Conn
	for range 16 {
		c, err := net.Dial("tcp", u.Host)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /big/Big?n=20000000 HTTP/1.1\r\nHost: x\r\n\r\n")
		conns = append(conns, c)
	}
	// Wait until every call has been answered by the worker and the
	// server's side has filled what it holds.
	microfntest.Eventually(t, 60*time.Second, func() (bool, string) {
		m := scrape(t, in)
		return value(m, "microfn_calls_total", map[string]string{"service": "/big/Big", "code": "200"}) >= 18, "calls answered"
	})
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	if grew := int64(after.HeapInuse) - int64(before.HeapInuse); grew > 96<<20 {
		t.Errorf("the server's heap grew by %d MiB for 16 clients that do not read 20 MB answers, want a window each", grew>>20)
	}
	for _, c := range conns {
		c.Close()
	}
}

// TestScaleToZero: a package without calls has its worker stopped
// (/healthz says idle, and no worker process runs), and the next calls,
// from several clients at once, start one and are answered, none failing.
func TestScaleToZero(t *testing.T) {
	t.Parallel()
	in := microfntest.StartDir(t, "../examples/seed", server.WithQuiet(true), server.WithScaleToZero(300*time.Millisecond))
	if len(in.Server.WorkerPIDs()) == 0 {
		t.Skip("service code runs in the server's process")
	}
	for round := range 2 {
		microfntest.Eventually(t, 30*time.Second, func() (bool, string) {
			p := health(t, in).Packages[0]
			return p.Idle && len(in.Server.WorkerPIDs()) == 0, fmt.Sprintf("round %d: package %+v, workers %v", round, p, in.Server.WorkerPIDs())
		})
		var wg sync.WaitGroup
		errs := make(chan string, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if r := in.Get("/Fib?n=6"); r.Status != 200 || strings.TrimSpace(r.Body) != "13" {
					errs <- fmt.Sprintf("Fib(6) = %d %s", r.Status, r.Body)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		if p := health(t, in).Packages[0]; p.Idle || p.Crashes != nil {
			t.Errorf("after the calls: %+v, want a running worker and no crash", p)
		}
	}
}
