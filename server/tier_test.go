package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
)

// tierSrc computes in a loop and calls itself through its proxy; version
// names what answers, so a test can tell versions apart.
func tierSrc(version string) string {
	return `package tiers

import "errors"

// ErrOdd is returned for odd inputs.
var ErrOdd = errors.New("odd")

//microfn:service
func Sum(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i * i % 7
	}
	return s
}

//microfn:service
func Version() string { return "` + version + `" }

//microfn:service
func Twice(n int) (int, error) {
	if n%2 == 1 {
		return 0, ErrOdd
	}
	return Sum(n) + Sum(n), nil
}

//microfn:service
func Caller(n int) string {
	_, err := Twice(n)
	return fmt.Sprint(errors.Is(err, ErrOdd), " ", Version())
}
`
}

// withFmt adds the fmt import tierSrc's Caller needs.
func withFmt(src string) string {
	return strings.Replace(src, `import "errors"`, "import (\n\t\"errors\"\n\t\"fmt\"\n)", 1)
}

// waitTier waits until the package in dir serves at tier.
func waitTier(t *testing.T, in *microfntest.Instance, dir, tier string, timeout time.Duration) server.PackageStatus {
	t.Helper()
	var last server.PackageStatus
	microfntest.Eventually(t, timeout, func() (bool, string) {
		for _, p := range health(t, in).Packages {
			if p.Dir == dir {
				last = p
				return p.Tier == tier, fmt.Sprintf("package %s: %+v (build %+v), want tier %s", dir, p, p.Build, tier)
			}
		}
		return false, "no package " + dir
	})
	return last
}

// TestTierSwitchUnderLoad: a package serves interpreted at once, then
// compiled, under load from 4 clients that see no failed call; the
// compiled code answers the same (the nested call and the error's
// identity across it included), and says so in Microfn-Tier.
func TestTierSwitchUnderLoad(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"go.mod": "module example.com/tiers\n\ngo 1.22\n", "tiers/tiers.go": withFmt(tierSrc("v1"))},
		server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierAuto), server.WithQuiet(true))
	var failed, done atomic.Int64
	var firstFailure atomic.Value
	seen := map[string]*atomic.Int64{"interpreted": {}, "compiled": {}}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for c := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				path, want := "/tiers/Sum?n=100", "197"
				if (c+i)%2 == 1 {
					path, want = "/tiers/Caller?n=3", `"true v1"`
				}
				r := in.Get(path)
				done.Add(1)
				if r.Status != http.StatusOK || strings.TrimSpace(r.Body) != want {
					failed.Add(1)
					firstFailure.CompareAndSwap(nil, fmt.Sprintf("%s = %d %s", path, r.Status, r.Body))
				}
				if n, ok := seen[r.Header.Get(protocol.HeaderTier)]; ok {
					n.Add(1)
				}
			}
		}()
	}
	st := waitTier(t, in, "tiers", "compiled", 2*time.Minute)
	// Calls go on for a while on the compiled worker.
	before := seen["compiled"].Load()
	microfntest.Eventually(t, 30*time.Second, func() (bool, string) {
		return seen["compiled"].Load() > before+50, "compiled answers after the switch"
	})
	close(stop)
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Fatalf("%d of %d calls failed across the switch; first: %v", n, done.Load(), firstFailure.Load())
	}
	if seen["interpreted"].Load() == 0 || seen["compiled"].Load() == 0 {
		t.Errorf("answers by tier: interpreted %d, compiled %d; want both", seen["interpreted"].Load(), seen["compiled"].Load())
	}
	if st.Build == nil || st.Build.State != "built" || st.Build.Took == "" {
		t.Errorf("build status %+v, want built with its time", st.Build)
	}
	if in.Logs().Count(func(r microfntest.Record) bool {
		return strings.HasPrefix(r.Msg, "compiled ") && strings.Contains(r.Msg, "tiers in ")
	}) != 1 {
		t.Errorf("no log line saying the package was compiled")
	}
	m := scrape(t, in)
	if v := value(m, "microfn_tier", map[string]string{"package": "tiers", "tier": "compiled"}); v != 1 {
		t.Errorf("microfn_tier{tiers,compiled} = %v, want 1", v)
	}
	if v := value(m, "microfn_builds_total", map[string]string{"package": "tiers", "outcome": "ok"}); v != 1 {
		t.Errorf("microfn_builds_total{tiers,ok} = %v, want 1", v)
	}
}

// TestTierSaveDuringBuild: a save while a version builds cancels that
// build: the newer version is compiled, and once it serves, the older
// one never answers again.
func TestTierSaveDuringBuild(t *testing.T) {
	t.Parallel()
	// Sources never built before, so that v1's build takes the time of
	// a build (a version built before starts at once, from the cache).
	nonce := fmt.Sprintf("\n// %d\n", time.Now().UnixNano())
	in := microfntest.Start(t, map[string]string{"tiers.go": withFmt(tierSrc("v1")) + nonce}, server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierAuto), server.WithQuiet(true))
	in.Write("tiers.go", withFmt(tierSrc("v2"))+nonce)
	in.WaitBody("/Version", `"v2"`, 30*time.Second)
	waitTier(t, in, ".", "compiled", 2*time.Minute)
	for range 20 {
		r := in.Get("/Version")
		if strings.TrimSpace(r.Body) != `"v2"` || r.Header.Get(protocol.HeaderTier) != "compiled" {
			t.Fatalf("Version = %s from %s, want v2 compiled", r.Body, r.Header.Get(protocol.HeaderTier))
		}
	}
	if n := in.Logs().Count(func(r microfntest.Record) bool { return strings.HasPrefix(r.Msg, "compiled ") }); n != 1 {
		t.Errorf("%d versions were compiled and swapped in, want 1 (v1's build is canceled or discarded)", n)
	}
}

// TestTierCompileError: code the interpreter runs but the compiler
// refuses keeps serving interpreted, and the compiler's error is shown
// at the user's file:line:col.
func TestTierCompileError(t *testing.T) {
	t.Parallel()
	src := "package big\n\n//microfn:service\nfunc Small(n int) int { return n + 1 }\n\nfunc never() int {\n\tvar a [1 << 50]byte\n\treturn len(a)\n}\n"
	in := microfntest.Start(t, map[string]string{"big.go": src}, server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierAuto), server.WithQuiet(true))
	var st server.PackageStatus
	microfntest.Eventually(t, 2*time.Minute, func() (bool, string) {
		st = health(t, in).Packages[0]
		return st.Build != nil && st.Build.State == "failed", fmt.Sprintf("%+v", st.Build)
	})
	errs := strings.Join(st.Build.Errors, "\n")
	if !strings.Contains(errs, "big.go:7:") || !strings.Contains(errs, "larger than address space") {
		t.Errorf("build errors %q, want the compiler's at big.go:7", errs)
	}
	if st.Tier != "interpreted" || st.State != "ok" {
		t.Errorf("package %+v, want ok and interpreted", st)
	}
	if r := in.Get("/Small?n=1"); strings.TrimSpace(r.Body) != "2" || r.Header.Get(protocol.HeaderTier) != "interpreted" {
		t.Errorf("Small = %d %s (%s)", r.Status, r.Body, r.Header.Get(protocol.HeaderTier))
	}
}

// TestTierCompileErrorInModule: in a module whose packages are built
// together, one package's compile error fails that package's build only:
// the other packages are compiled, and the failing one keeps serving
// interpreted with the error shown.
func TestTierCompileErrorInModule(t *testing.T) {
	t.Parallel()
	big := "package big\n\n//microfn:service\nfunc Small(n int) int { return n + 1 }\n\nfunc never() int {\n\tvar a [1 << 50]byte\n\treturn len(a)\n}\n"
	fine := "package fine\n\n//microfn:service\nfunc Twice(n int) int { return 2 * n }\n"
	in := microfntest.Start(t, map[string]string{"go.mod": "module example.com/mixed\n\ngo 1.22\n", "big/big.go": big, "fine/fine.go": fine},
		server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierAuto), server.WithQuiet(true))
	waitTier(t, in, "fine", "compiled", 3*time.Minute)
	var st server.PackageStatus
	microfntest.Eventually(t, 3*time.Minute, func() (bool, string) {
		for _, p := range health(t, in).Packages {
			if p.Dir == "big" {
				st = p
			}
		}
		return st.Build != nil && st.Build.State == "failed", fmt.Sprintf("%+v", st.Build)
	})
	if errs := strings.Join(st.Build.Errors, "\n"); !strings.Contains(errs, "big.go:7:") {
		t.Errorf("big's build errors %q, want the compiler's at big.go:7", errs)
	}
	if r := in.Get("/big/Small?n=1"); strings.TrimSpace(r.Body) != "2" || r.Header.Get(protocol.HeaderTier) != "interpreted" {
		t.Errorf("big/Small = %d %s (%s), want 2 interpreted", r.Status, r.Body, r.Header.Get(protocol.HeaderTier))
	}
	if r := in.Get("/fine/Twice?n=4"); strings.TrimSpace(r.Body) != "8" || r.Header.Get(protocol.HeaderTier) != "compiled" {
		t.Errorf("fine/Twice = %d %s (%s), want 8 compiled", r.Status, r.Body, r.Header.Get(protocol.HeaderTier))
	}
}

// treeSrc is a recursive generic type, which the interpreter cannot load
// (it overflows its stack while loading) and the compiler builds.
const treeSrc = `package tree

type Tree[K ~int | ~float64, V any] struct {
	left, right *Tree[K, V]
	key         K
	val         V
}

func (t *Tree[K, V]) Insert(k K, v V) *Tree[K, V] {
	if t == nil {
		return &Tree[K, V]{key: k, val: v}
	}
	if k < t.key {
		t.left = t.left.Insert(k, v)
	} else {
		t.right = t.right.Insert(k, v)
	}
	return t
}

func (t *Tree[K, V]) Size() int {
	if t == nil {
		return 0
	}
	return 1 + t.left.Size() + t.right.Size()
}

//microfn:service
func Count(n int) int {
	var t *Tree[int, string]
	for i := 0; i < n; i++ {
		t = t.Insert(i*7%n, "x")
	}
	return t.Size()
}
`

// TestTierCompiledOnly: a package the interpreter cannot run is served
// once compiled, and /healthz says why it is compiled only.
func TestTierCompiledOnly(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"tree/tree.go": treeSrc}, server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierAuto), server.WithQuiet(true))
	st := waitTier(t, in, "tree", "compiled", 2*time.Minute)
	if !strings.HasPrefix(st.CompiledOnly, "served compiled only: ") || st.State != "ok" {
		t.Errorf("package %+v, want ok and served compiled only with the interpreter's reason", st)
	}
	if r := in.Get("/tree/Count?n=10"); r.Status != 200 || strings.TrimSpace(r.Body) != "10" {
		t.Errorf("Count = %d %s", r.Status, r.Body)
	}
}

// TestTierCompiledCrash: a compiled worker that dies answers 502, and is
// restarted on the compiled version.
func TestTierCompiledCrash(t *testing.T) {
	t.Parallel()
	src := "package crash\n\n//microfn:service\nfunc Up() string { return \"up\" }\n\nfunc deep(n int) int { return deep(n+1) + 1 }\n\n//microfn:service retry=1\nfunc Overflow() int { return deep(0) }\n"
	in := microfntest.Start(t, map[string]string{"crash/crash.go": src}, server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierCompiled), server.WithQuiet(true))
	if r := in.Get("/crash/Up"); r.Header.Get(protocol.HeaderTier) != "compiled" {
		t.Fatalf("Up from %q, want compiled", r.Header.Get(protocol.HeaderTier))
	}
	r := in.Get("/crash/Overflow")
	if r.Status != http.StatusBadGateway || !strings.Contains(r.Body, "stack") {
		t.Errorf("Overflow = %d %s, want 502 naming the stack overflow", r.Status, r.Body)
	}
	in.WaitBody("/crash/Up", `"up"`, 30*time.Second)
	if r := in.Get("/crash/Up"); r.Header.Get(protocol.HeaderTier) != "compiled" {
		t.Errorf("after the crash Up is served from %q, want compiled", r.Header.Get(protocol.HeaderTier))
	}
	if c := health(t, in).Packages[0].Crashes; c == nil || c.Count != 1 {
		t.Errorf("crashes %+v, want 1", c)
	}
}

// TestTierCompiledOnStart: with --tier=compiled, a package serves once
// built, and only compiled.
func TestTierCompiledOnStart(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"tiers.go": withFmt(tierSrc("v1"))}, server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierCompiled), server.WithQuiet(true))
	for _, c := range []struct{ path, want string }{{"/Sum?n=10", "19"}, {"/Caller?n=3", `"true v1"`}, {"/Twice?n=4", "14"}} {
		r := in.Get(c.path)
		if r.Status != 200 || strings.TrimSpace(r.Body) != c.want || r.Header.Get(protocol.HeaderTier) != "compiled" {
			t.Errorf("%s = %d %s from %s, want %s compiled", c.path, r.Status, r.Body, r.Header.Get(protocol.HeaderTier), c.want)
		}
	}
}

// TestTierShadow: with --shadow, a call the compiled version answers runs
// on the interpreted worker of the same version too, and a difference
// between the tiers (the interpreter cannot give its struct types a name
// for %T) is logged with the arguments and both answers, and counted; a
// call that answers the same is counted and not logged.
func TestTierShadow(t *testing.T) {
	t.Parallel()
	src := "package shadow\n\nimport \"fmt\"\n\n// Point is a type of the package.\ntype Point struct{ X int }\n\n//microfn:service\nfunc TypeName(x int) string { return fmt.Sprintf(\"%T\", Point{X: x}) }\n\n//microfn:service\nfunc Same(x int) int { return x * 2 }\n"
	in := microfntest.Start(t, map[string]string{"shadow/shadow.go": src}, server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierAuto), server.WithShadow(1), server.WithQuiet(true))
	waitTier(t, in, "shadow", "compiled", 2*time.Minute)
	if r := in.Get("/shadow/TypeName?x=3"); r.Status != 200 || strings.TrimSpace(r.Body) != `"shadow.Point"` {
		t.Fatalf("TypeName = %d %s, want the compiled answer", r.Status, r.Body)
	}
	if r := in.Get("/shadow/Same?x=3"); strings.TrimSpace(r.Body) != "6" {
		t.Fatalf("Same = %d %s", r.Status, r.Body)
	}
	microfntest.Eventually(t, 30*time.Second, func() (bool, string) {
		m := scrape(t, in)
		calls := value(m, "microfn_shadow_calls_total", nil)
		diffs := value(m, "microfn_shadow_differences_total", map[string]string{"service": "/shadow/TypeName"})
		return calls == 2 && diffs == 1, fmt.Sprintf("shadow calls %v, differences of TypeName %v", calls, diffs)
	})
	var logged []microfntest.Record
	for _, r := range in.Logs().Records() {
		if strings.HasPrefix(r.Msg, "shadow: ") {
			logged = append(logged, r)
		}
	}
	if len(logged) != 1 || !strings.Contains(logged[0].Msg, "/shadow/TypeName") || logged[0].Attrs["args"] != "x=3" ||
		logged[0].Attrs["compiled"] != `200 "shadow.Point"` || logged[0].Attrs["interpreted"] == logged[0].Attrs["compiled"] {
		t.Errorf("shadow log %+v, want one line on TypeName with its arguments and both answers", logged)
	}
}
