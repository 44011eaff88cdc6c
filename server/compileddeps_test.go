//go:build linux

package server_test

import (
	"debug/buildinfo"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
)

// TestCompiledWorkerDrivers: the compiled worker of a package that
// declares no database holds no database driver; that of a package that
// does holds them, and uses its database.
func TestCompiledWorkerDrivers(t *testing.T) {
	t.Parallel()
	defaultIsolationOnly(t) // compiled code needs a worker per package
	in := microfntest.Start(t, map[string]string{
		"plain/plain.go": "package plain\n\nimport \"github.com/microfn/microfn\"\n\n//microfn:service\nfunc Up() (string, error) { return \"up\", nil }\n\nvar _ = microfn.ErrNoKey\n",
		"withdb/withdb.go": `package withdb

import (
	"context"

	"github.com/microfn/microfn"
)

var seen = microfn.KV("seen")

//microfn:service
func Put(ctx context.Context, key string) (int64, error) { return seen.Put(ctx, key, []byte("x")) }
`,
	}, server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierCompiled), server.WithQuiet(true))
	in.WaitBody("/plain/Up", `"up"`, 2*time.Minute)
	in.WaitBody("/withdb/Put?key=a", "1", 2*time.Minute)
	for _, c := range []struct {
		dir, route string
		drivers    bool
	}{{"plain", "/plain/Up", false}, {"withdb", "/withdb/Put?key=b", true}} {
		if r := in.Get(c.route); r.Status != 200 || r.Header.Get(protocol.HeaderTier) != "compiled" {
			t.Fatalf("%s = %d %s from %q, want 200 compiled", c.route, r.Status, r.Body, r.Header.Get(protocol.HeaderTier))
		}
		deps := workerDeps(t, in, c.dir)
		for _, mod := range []string{"modernc.org/sqlite", "github.com/jackc/pgx/v5"} {
			if deps[mod] != c.drivers {
				t.Errorf("the compiled worker of %s links %s: %v, want %v", c.dir, mod, deps[mod], c.drivers)
			}
		}
	}
}

// workerDeps returns the modules the executable of the worker of package
// dir was built with.
func workerDeps(t *testing.T, in *microfntest.Instance, dir string) map[string]bool {
	t.Helper()
	for _, p := range health(t, in).Packages {
		if p.Dir != dir || p.Worker == nil {
			continue
		}
		exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", *p.Worker))
		if err != nil {
			t.Fatal(err)
		}
		info, err := buildinfo.ReadFile(strings.TrimSuffix(exe, " (deleted)"))
		if err != nil {
			t.Fatalf("the executable of %s's worker: %v", dir, err)
		}
		deps := map[string]bool{}
		for _, d := range info.Deps {
			deps[d.Path] = true
		}
		return deps
	}
	t.Fatalf("no worker for %s in /healthz", dir)
	return nil
}
