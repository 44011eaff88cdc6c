package server_test

import (
	"log/slog"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
	"github.com/microfn/microfn/worker"
)

// TestMain fails the package's tests if any goroutine outlives them: every
// server, interpreter, watcher, service goroutine and connection must end
// with its test. fasthttp's housekeeping goroutines are the exception: they
// sleep for a fixed interval (10s or 30s) and only then see that their
// server or client is gone.
//
// The servers of these tests run service code in worker processes started
// from this test binary, which is one when the supervisor asks.
func TestMain(m *testing.M) {
	if protocol.IsWorker() {
		os.Exit(worker.Main(worker.Code{Load: interp.WorkerLoader(), Prepare: prepare, Warm: warm}))
	}
	goleak.VerifyTestMain(withWorkerCache{m},
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*TCPDialer).tcpAddrsClean"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*HostClient).connsCleaner"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*Client).mCleaner"),
	)
}

// withWorkerCache runs the tests with a cache of compiled workers of
// their own (compile.CacheEnv), removed after them: each build of this
// test binary makes executables no other run reuses, so that the user's
// cache would only grow. Go's build cache is kept: rebuilds stay
// incremental.
type withWorkerCache struct{ m *testing.M }

// Run runs the tests.
func (w withWorkerCache) Run() int { return microfntest.RunWithWorkerCache(w.m.Run) }

// prepare is the prepare function of this test binary as a worker.
func prepare(spec *protocol.Spec, logger *slog.Logger) (protocol.Ready, error) {
	return server.Prepare(spec, logger)
}

// warm is the warm-up of this test binary as a spare prepare process.
func warm(spec *protocol.Spec) worker.PrepareFunc { return server.Warm(spec) }
