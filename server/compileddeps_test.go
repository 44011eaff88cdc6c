//go:build linux

package server_test

import (
	"debug/buildinfo"
	"debug/elf"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/compile"
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
		exe := workerExe(t, in, c.dir)
		deps := moduleDeps(t, exe)
		for _, mod := range []string{"modernc.org/sqlite", "github.com/jackc/pgx/v5"} {
			if deps[mod] != c.drivers {
				t.Errorf("the compiled worker of %s links %s: %v, want %v", c.dir, mod, deps[mod], c.drivers)
			}
		}
		if hasSymbols(t, exe) {
			t.Errorf("the compiled worker of %s has a symbol table: built without -ldflags=-s -w", c.dir)
		}
	}
}

// TestCompiledWorkerSymbols: with compile.Options.Symbols (the
// environment's MICROFN_SYMBOLS=1), a compiled worker keeps its symbol
// table, for profilers.
func TestCompiledWorkerSymbols(t *testing.T) {
	t.Parallel()
	defaultIsolationOnly(t) // compiled code needs a worker per package
	in := microfntest.Start(t, map[string]string{
		"sym/sym.go": "package sym\n\n//microfn:service\nfunc Up() string { return \"symbols\" }\n",
	}, server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierCompiled), server.WithBuildOptions(compile.Options{Symbols: true}), server.WithQuiet(true))
	in.WaitBody("/sym/Up", `"symbols"`, 2*time.Minute)
	if exe := workerExe(t, in, "sym"); !hasSymbols(t, exe) {
		t.Errorf("the compiled worker %s has no symbol table", exe)
	}
}

// hasSymbols reports whether the executable exe has a symbol table.
func hasSymbols(t *testing.T, exe string) bool {
	t.Helper()
	f, err := elf.Open(exe)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return f.Section(".symtab") != nil
}

// workerExe returns the executable of the worker of package dir.
func workerExe(t *testing.T, in *microfntest.Instance, dir string) string {
	t.Helper()
	for _, p := range health(t, in).Packages {
		if p.Dir != dir || p.Worker == nil {
			continue
		}
		exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", *p.Worker))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSuffix(exe, " (deleted)")
	}
	t.Fatalf("no worker for %s in /healthz", dir)
	return ""
}

// moduleDeps returns the modules the executable exe was built with.
func moduleDeps(t *testing.T, exe string) map[string]bool {
	t.Helper()
	info, err := buildinfo.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	deps := map[string]bool{}
	for _, d := range info.Deps {
		deps[d.Path] = true
	}
	return deps
}
