package main

import (
	"fmt"
	"os"
	"testing"

	"github.com/microfn/microfn/compile"
)

// TestMain runs the smoke tests with a cache of compiled workers of
// their own (compile.CacheEnv, which the servers they start inherit),
// removed after them: each run builds a microfn of its own, whose
// executables no other run reuses, so that the user's cache would only
// grow. Go's build cache is kept: rebuilds stay incremental.
func TestMain(m *testing.M) {
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
