package server_test

import (
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// TestWorkerProcs checks the GOMAXPROCS of the worker processes: one
// for a package's own worker unless set, every core for the shared one.
func TestWorkerProcs(t *testing.T) {
	t.Parallel()
	src := `package p

import "runtime"

// Procs reports how many threads run this worker's Go code at once.
//
//microfn:service
func Procs() int { return runtime.GOMAXPROCS(0) }
`
	own := "1"
	if env := os.Getenv("GOMAXPROCS"); env != "" {
		own = strconv.Itoa(runtime.GOMAXPROCS(0)) // inherited
	}
	tests := []struct {
		name string
		opts []server.Option
		want string
	}{
		{"own worker", []server.Option{server.WithIsolation(server.IsolatePackage)}, own},
		{"own worker, set", []server.Option{server.WithIsolation(server.IsolatePackage), server.WithWorkerProcs(3)}, "3"},
		{"shared worker", []server.Option{server.WithIsolation(server.IsolateShared)}, strconv.Itoa(runtime.GOMAXPROCS(0))},
		{"shared worker, set", []server.Option{server.WithIsolation(server.IsolateShared), server.WithWorkerProcs(2)}, "2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]server.Option{server.WithAllow("runtime")}, tc.opts...)
			in := microfntest.Start(t, map[string]string{"p/p.go": src}, opts...)
			in.WaitBody("/p/Procs", tc.want, 10*time.Second)
		})
	}
}
