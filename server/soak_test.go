package server_test

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// serverGoroutines counts this process's goroutines, except the idle
// ones fasthttp keeps for a fixed time (its server's worker goroutines
// and a client's connection cleaner end after 10s unused).
func serverGoroutines() int {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	count := 0
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "fasthttp.(*workerPool).workerFunc") || strings.Contains(g, "fasthttp.(*HostClient).connsCleaner") {
			continue
		}
		count++
	}
	return count
}

const soakSrc = `package soak

import "time"

//microfn:service
func Version() int { return %d }

//microfn:service scale=2
func Fib(n int) int {
	if n < 2 {
		return 1
	}
	return Fib(n-1) + Fib(n-2)
}

//microfn:service scale=1 queue=0 retry=1
func Narrow() int { time.Sleep(2 * time.Millisecond); return 1 }
`

// TestSoak mixes calls, nested calls, reloads, broken saves and 429s for a
// bounded time (MICROFN_SOAK, default 20s; skipped with -short) and checks
// that nothing unexpected happened and that memory and goroutines are flat.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test skipped with -short")
	}
	duration := 20 * time.Second
	if d, err := time.ParseDuration(os.Getenv("MICROFN_SOAK")); err == nil {
		duration = d
	}
	in := microfntest.Start(t, map[string]string{"soak.go": fmt.Sprintf(soakSrc, 0)}, server.WithQuiet(true))
	in.WaitBody("/Version", "0", waitReload)

	measure := func() (heap uint64, goroutines int) {
		// Keep-alive connections of the test's own client are not the
		// server's goroutines.
		http.DefaultClient.CloseIdleConnections()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc, serverGoroutines()
	}
	var calls, nested, reloads, broken, rejected atomic.Int64
	var unexpected sync.Map
	expect := func(path string, ok ...int) {
		r := in.Get(path)
		for _, s := range ok {
			if r.Status == s {
				if r.Status == 429 {
					rejected.Add(1)
				}
				return
			}
		}
		unexpected.Store(fmt.Sprintf("%s: %d %.100s", path, r.Status, r.Body), true)
	}
	// load runs the call mix with 6 workers until stop.
	load := func(stop time.Time) {
		var wg sync.WaitGroup
		for w := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for time.Now().Before(stop) {
					switch w % 3 {
					case 0:
						expect("/Version", 200)
						calls.Add(1)
					case 1:
						expect("/Fib?n=7", 200)
						nested.Add(40)
					case 2:
						expect("/Narrow", 200, 429)
						calls.Add(1)
					}
				}
			}()
		}
		wg.Wait()
	}
	// Warm up with the same mix (connection pools, worker pools), then take
	// the baseline.
	load(time.Now().Add(time.Second))
	heap0, g0 := measure()
	calls.Store(0)
	nested.Store(0)
	rejected.Store(0)

	stop := time.Now().Add(duration)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		load(stop)
	}()
	go func() {
		defer wg.Done()
		for i := 1; time.Now().Before(stop); i++ {
			if i%5 == 0 {
				in.Write("soak.go", "package soak\n\nfunc Broken( {\n")
				broken.Add(1)
			} else {
				in.Write("soak.go", fmt.Sprintf(soakSrc, i))
				reloads.Add(1)
			}
			time.Sleep(50 * time.Millisecond) // pacing of the edits
		}
		in.Write("soak.go", fmt.Sprintf(soakSrc, -1))
	}()
	wg.Wait()
	in.WaitBody("/Version", "-1", waitReload)
	unexpected.Range(func(k, _ any) bool { t.Errorf("unexpected answer: %v", k); return true })

	var heap1 uint64
	var g1 int
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		heap1, g1 = measure()
		return g1 <= g0+10 && heap1 < heap0+64<<20, fmt.Sprintf("goroutines %d → %d, heap %d → %d KiB", g0, g1, heap0>>10, heap1>>10)
	})
	// Every retired version's worker process has ended: one runs, for
	// the one package (none when the code runs in this process), beside
	// the spare processes waiting for the next save.
	want := 1
	if len(in.Server.WorkerPIDs()) == 0 {
		want = 0
	}
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		kids := slices.DeleteFunc(microfntest.ChildProcesses(), func(pid int) bool { return slices.Contains(in.Server.SparePIDs(), pid) })
		return len(kids) == want, fmt.Sprintf("%d child processes %v (not counting spares %v), want %d", len(kids), kids, in.Server.SparePIDs(), want)
	})
	t.Logf("soak %s: %d calls, ~%d nested calls, %d reloads, %d broken saves, %d rejected (429); heap %d → %d KiB, goroutines %d → %d",
		duration, calls.Load(), nested.Load(), reloads.Load(), broken.Load(), rejected.Load(), heap0>>10, heap1>>10, g0, g1)
}
