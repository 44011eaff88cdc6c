package main

import (
	"os"
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
)

// TestMain runs the smoke tests with a cache of compiled workers of
// their own (see microfntest.RunWithWorkerCache): each run builds a
// microfn of its own, whose executables no other run reuses.
func TestMain(m *testing.M) {
	os.Exit(microfntest.RunWithWorkerCache(m.Run))
}
