package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/microfn/microfn/compile"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/worker"
)

// TestMain lets this test binary be a worker process: commands run in
// the tests (serve, check, …) start their workers from it. The tests
// get a cache of compiled workers of their own (compile.CacheEnv, which
// the servers they start inherit), removed after them: each build of
// this test binary makes executables no other run reuses, so that the
// user's cache would only grow. Go's build cache is kept: rebuilds stay
// incremental.
func TestMain(m *testing.M) {
	if protocol.IsWorker() {
		os.Exit(worker.Main(workerCode()))
	}
	os.Exit(runWithWorkerCache(m))
}

// runWithWorkerCache runs the tests with a temporary cache of compiled
// workers.
func runWithWorkerCache(m *testing.M) int {
	dir, err := os.MkdirTemp("", "microfn-workers-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "make the compiled workers' cache:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	os.Setenv(compile.CacheEnv, dir)
	return m.Run()
}
