package main

import (
	"os"
	"testing"

	"github.com/microfn/microfn/supervisor"
	"github.com/microfn/microfn/worker"
)

// TestMain lets this test binary be a worker process: commands run in
// the tests (serve, check, …) start their workers from it.
func TestMain(m *testing.M) {
	if supervisor.IsWorker() {
		os.Exit(worker.Main())
	}
	os.Exit(m.Run())
}
