package main

import (
	"os"
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
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
	os.Exit(microfntest.RunWithWorkerCache(m.Run))
}
