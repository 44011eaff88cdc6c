package server_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

const hostileSrc = `package hostile

import (
	"log"
	"os"
	"time"
)

var spins int

func init() {
	// A goroutine of the package that never ends on its own.
	go func() {
		for {
			spins++
			time.Sleep(time.Millisecond)
		}
	}()
}

//microfn:service timeout=100ms retry=1 scale=4
func Loop() int {
	n := 0
	for {
		n++
	}
}

//microfn:service retry=1
func Exit() int { os.Exit(3); return 0 }

//microfn:service retry=1
func Fatal() int { log.Fatal("fatal from a service"); return 0 }

//microfn:service retry=1
func GoPanic() int {
	go func() { panic("panic in a goroutine") }()
	time.Sleep(20 * time.Millisecond)
	return 1
}

//microfn:service retry=1
func Spawn(n int) int {
	for i := 0; i < n; i++ {
		go func() {
			for {
				time.Sleep(time.Millisecond)
			}
		}()
	}
	return n
}

//microfn:service
func Version() int { return %d }
`

func TestHostileCode(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"hostile.go": fmt.Sprintf(hostileSrc, 1)}, server.WithQuiet(true), server.WithAllow("os"))
	tests := []struct {
		path   string
		status int
		detail string
	}{
		{"/Loop", 504, "timeout of 100ms"},
		{"/Exit", 500, "os.Exit(3)"},
		{"/Fatal", 500, "fatal from a service"},
		{"/GoPanic", 200, ""},
	}
	for _, tc := range tests {
		r := in.Get(tc.path)
		if r.Status != tc.status {
			t.Errorf("GET %s = %d %s, want %d", tc.path, r.Status, r.Body, tc.status)
			continue
		}
		if tc.detail != "" && !strings.Contains(problem(t, r).Detail, tc.detail) {
			t.Errorf("GET %s detail %s does not mention %q", tc.path, r.Body, tc.detail)
		}
	}
	microfntest.Eventually(t, 5*time.Second, func() (bool, string) {
		n := in.Logs().Count(func(r microfntest.Record) bool {
			return strings.Contains(r.Msg, "goroutine started by service code panicked")
		})
		return n == 1, fmt.Sprintf("%d recovered goroutine panics logged", n)
	})
	if r := in.Get("/Version"); body(r) != "1" {
		t.Fatalf("server unusable: %d %s", r.Status, r.Body)
	}
}

func TestRetiredVersionsStopTheirGoroutines(t *testing.T) {
	// Not parallel: it counts the process's goroutines, so the code runs
	// in this process. (With workers, a retired version's process ends:
	// TestRetiredWorkersEnd.)
	in := microfntest.Start(t, map[string]string{"hostile.go": fmt.Sprintf(hostileSrc, 0)}, server.WithQuiet(true), server.WithAllow("os"), server.WithIsolation(server.IsolateNone))
	in.WaitBody("/Version", "0", waitReload)
	if r := in.Get("/Spawn?n=50"); body(r) != "50" {
		t.Fatalf("Spawn = %s", r.Body)
	}
	if r := in.Get("/Loop"); r.Status != 504 { // a runaway that never ends
		t.Fatalf("Loop = %d", r.Status)
	}
	busy := runtime.NumGoroutine()
	for i := 1; i <= 20; i++ {
		in.Write("hostile.go", fmt.Sprintf(hostileSrc, i))
		in.WaitBody("/Version", fmt.Sprint(i), waitReload)
	}
	// Each version started a goroutine in init; the first also 50 more and a
	// runaway loop. Once retired, all of them end.
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		n := runtime.NumGoroutine()
		return n < busy-40, fmt.Sprintf("%d goroutines after 20 reloads, %d with the first version busy", n, busy)
	})
}
