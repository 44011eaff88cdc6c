package microfntest

import (
	"fmt"
	"os"

	"github.com/microfn/microfn/compile"
)

// RunWithWorkerCache runs the tests of a test binary (run is its
// testing.M's Run) with a cache of compiled workers of their own
// (compile.CacheEnv, which the servers they start inherit), removed after
// them: each build of a test binary makes executables no other run
// reuses, so the user's cache would only grow. Go's build cache is kept:
// rebuilds stay incremental.
func RunWithWorkerCache(run func() int) int {
	dir, err := os.MkdirTemp("", "microfn-workers-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "make the compiled workers' cache:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	os.Setenv(compile.CacheEnv, dir)
	return run()
}
