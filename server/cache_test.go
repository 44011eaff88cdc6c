package server_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/compile"
	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
)

// holdSrc is a package whose compiled worker can be kept busy (Slow)
// and crashed (Overflow); version names what answers.
func holdSrc(version string) string {
	return `package hold

import "time"

//microfn:service
func Version() string { return "` + version + `" }

//microfn:service timeout=1m
func Slow(ms int) string {
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return "` + version + `"
}

func deep(n int) int { return deep(n+1) + 1 }

//microfn:service retry=1
func Overflow() int { return deep(0) }
`
}

// cachedExes returns the worker executables in the cache dir.
func cachedExes(t *testing.T, dir string) []string {
	t.Helper()
	all, err := filepath.Glob(filepath.Join(dir, "worker-*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range all {
		if !strings.HasSuffix(f, ".lock") {
			out = append(out, f)
		}
	}
	return out
}

// crashAndRecover crashes the package's worker and waits until it
// serves again, compiled.
func crashAndRecover(t *testing.T, in *microfntest.Instance, version string) {
	t.Helper()
	if r := in.Get("/hold/Overflow"); r.Status != http.StatusBadGateway {
		t.Fatalf("Overflow = %d %s, want 502: the worker crashed", r.Status, r.Body)
	}
	in.WaitBody("/hold/Version", `"`+version+`"`, 30*time.Second)
	if r := in.Get("/hold/Version"); r.Header.Get(protocol.HeaderTier) != "compiled" {
		t.Fatalf("after the crash Version is served from %q, want compiled (restarted from its executable)", r.Header.Get(protocol.HeaderTier))
	}
}

// TestTierCacheBudget: with a budget nothing fits in, the executable a
// compiled worker group runs survives eviction (by the server's own
// trims, and by another user of the cache) and its worker restarts
// compiled after a crash; after a save, the old executable stays while
// its group finishes a call in flight, and is evicted once the group is
// gone. The server logs once that the cache is over its budget.
func TestTierCacheBudget(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	in := microfntest.Start(t, map[string]string{"hold/hold.go": holdSrc("v1")},
		server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierAuto), server.WithQuiet(true),
		server.WithBuildOptions(compile.Options{Cache: dir, CacheSize: 1}))
	other, err := compile.OpenCache(dir, 1, nil) // another user of the cache
	if err != nil {
		t.Fatal(err)
	}
	waitTier(t, in, "hold", "compiled", 3*time.Minute)
	exes := cachedExes(t, dir)
	if len(exes) != 1 {
		t.Fatalf("cache holds %v, want the one executable v1 runs", exes)
	}
	v1 := exes[0]
	if tr, err := other.Clean(); err != nil || tr.Removed != 0 || tr.Skipped != 1 {
		t.Fatalf("Clean = %+v, %v; want the served executable skipped, in use", tr, err)
	}
	crashAndRecover(t, in, "v1")

	// A call in flight keeps v1's group, and so its executable, after
	// the save that retires it.
	slow := make(chan microfntest.Response, 1)
	go func() { slow <- in.Get("/hold/Slow?ms=8000") }()
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		return value(scrape(t, in), "microfn_in_flight", nil) > 0, "the slow call in flight"
	})
	in.Write("hold/hold.go", holdSrc("v2"))
	in.WaitBody("/hold/Version", `"v2"`, 30*time.Second)
	if _, err := other.Clean(); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-slow:
		t.Fatalf("the slow call ended (%d %s) before the check: v1's group is gone", r.Status, r.Body)
	default:
	}
	if _, err := os.Stat(v1); err != nil {
		t.Fatalf("v1's executable was evicted while its group finished a call: %v", err)
	}
	if r := <-slow; r.Status != http.StatusOK || strings.TrimSpace(r.Body) != `"v1"` || r.Header.Get(protocol.HeaderTier) != "compiled" {
		t.Errorf("the slow call = %d %s from %q, want v1 compiled", r.Status, r.Body, r.Header.Get(protocol.HeaderTier))
	}
	microfntest.Eventually(t, 30*time.Second, func() (bool, string) {
		other.Clean()
		_, err := os.Stat(v1)
		return os.IsNotExist(err), "v1's executable evicted once its group is gone"
	})

	waitTier(t, in, "hold", "compiled", 3*time.Minute)
	if tr, err := other.Clean(); err != nil || tr.Kept != 1 {
		t.Fatalf("Clean = %+v, %v; want v2's executable kept", tr, err)
	}
	crashAndRecover(t, in, "v2")
	if n := in.Logs().Count(func(r microfntest.Record) bool { return strings.Contains(r.Msg, "over its budget") }); n != 1 {
		t.Errorf("%d log lines say the cache is over its budget, want 1", n)
	}
}
