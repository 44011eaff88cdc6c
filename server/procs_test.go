package server_test

import (
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// TestWorkerProcs checks the GOMAXPROCS of the worker processes: the
// runtime's choice unless set.
func TestWorkerProcs(t *testing.T) {
	t.Parallel()
	src := `package p

import "runtime"

// Procs reports how many threads run this worker's Go code at once.
//
//microfn:service
func Procs() int { return runtime.GOMAXPROCS(0) }
`
	// The runtime's choice, as this process's (the environment is
	// inherited).
	own := strconv.Itoa(runtime.GOMAXPROCS(0))
	tests := []struct {
		name string
		opts []server.Option
		want string
	}{
		{"own worker", []server.Option{server.WithIsolation(server.IsolatePackage)}, own},
		{"own worker, set", []server.Option{server.WithIsolation(server.IsolatePackage), server.WithWorkerProcs(1)}, "1"},
		{"shared worker", []server.Option{server.WithIsolation(server.IsolateShared)}, own},
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
