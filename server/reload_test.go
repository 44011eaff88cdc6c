package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

const waitReload = 10 * time.Second

func versionSrc(n int) string {
	return fmt.Sprintf(`package live

// Version reports the version of this file.
//
//microfn:service
func Version() int { return %d }
`, n)
}

func reloads(in *microfntest.Instance) int {
	return in.Logs().Count(func(r microfntest.Record) bool { return strings.HasPrefix(r.Msg, "reloaded ") })
}

func TestEditIsServed(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"live.go": versionSrc(1)})
	in.WaitBody("/Version", "1", waitReload)
	in.Write("live.go", versionSrc(2))
	in.WaitBody("/Version", "2", waitReload)
	for range 5 {
		if r := in.Get("/Version"); body(r) != "2" {
			t.Fatalf("old version answered after the new one: %s", r.Body)
		}
	}
}

func health(t *testing.T, in *microfntest.Instance) server.Health {
	t.Helper()
	r := in.Get("/healthz")
	var h server.Health
	if err := json.Unmarshal([]byte(r.Body), &h); err != nil {
		t.Fatalf("healthz %q: %v", r.Body, err)
	}
	return h
}

func TestBrokenSaveKeepsServing(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, src, where string
	}{
		{"syntax error", "package live\n\n//microfn:service\nfunc Version() int { return 2 \n", "live.go:4:32:"},
		{"type error", "package live\n\n//microfn:service\nfunc Version() int { return \"two\" }\n", "live.go:4:29:"},
		{"bad directive", "package live\n\n//microfn:service retry=lots\nfunc Version() int { return 2 }\n", "live.go:3:"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := microfntest.Start(t, map[string]string{"live.go": versionSrc(1)})
			in.Write("live.go", tc.src)
			microfntest.Eventually(t, waitReload, func() (bool, string) {
				h := health(t, in)
				// A save read while half-written fails first with an error
				// of its own (an empty file: "expected 'package'"); the
				// save's write is reloaded next.
				return h.Status == "degraded" && len(h.Packages) == 1 && len(h.Packages[0].Errors) > 0 &&
					strings.Contains(h.Packages[0].Errors[0], tc.where), fmt.Sprintf("healthz %+v", h)
			})
			h := health(t, in)
			p := h.Packages[0]
			if p.State != "degraded" || !strings.Contains(p.Errors[0], tc.where) {
				t.Errorf("package state %q errors %q, want degraded with an error at %s", p.State, p.Errors, tc.where)
			}
			r := in.Get("/Version")
			if r.Status != 200 || body(r) != "1" {
				t.Errorf("old version stopped answering: %d %s", r.Status, r.Body)
			}
			if stale := r.Header.Get("Microfn-Stale"); !strings.Contains(stale, tc.where) {
				t.Errorf("Microfn-Stale = %q, want the error at %s", stale, tc.where)
			}
			// The line is logged as the state is set: allow it a moment.
			microfntest.Eventually(t, waitReload, func() (bool, string) {
				errLogged := in.Logs().Count(func(r microfntest.Record) bool {
					return strings.Contains(r.Msg, tc.where) && strings.Contains(r.Msg, "still serving the version from")
				})
				return errLogged > 0, fmt.Sprintf("the terminal shows no %s error line saying the old version still serves", tc.where)
			})
			in.Write("live.go", versionSrc(3))
			// The fixed version answers and the stale marker goes, within
			// the reload time.
			microfntest.Eventually(t, waitReload, func() (bool, string) {
				r := in.Get("/Version")
				stale := r.Header.Get("Microfn-Stale")
				return r.Status == 200 && body(r) == "3" && stale == "", fmt.Sprintf("GET /Version = %d %q, Microfn-Stale %q", r.Status, body(r), stale)
			})
			if h := health(t, in); h.Status != "ok" {
				t.Errorf("healthz after the fix: %+v", h)
			}
		})
	}
}

func TestFilesAndDirectoriesComeAndGo(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{
		"a.go": "package live\n\n//microfn:service\nfunc A() string { return \"a\" }\n",
		"b.go": "package live\n\n//microfn:service\nfunc B() string { return \"b\" }\n",
	})
	in.WaitBody("/A", `"a"`, waitReload)
	in.WaitBody("/B", `"b"`, waitReload)

	// A deleted file removes its functions.
	in.Remove("b.go")
	microfntest.Eventually(t, waitReload, func() (bool, string) { r := in.Get("/B"); return r.Status == 404, r.Body })
	in.WaitBody("/A", `"a"`, waitReload)

	// A renamed function moves its route.
	in.Write("a.go", "package live\n\n//microfn:service\nfunc A2() string { return \"a2\" }\n")
	in.WaitBody("/A2", `"a2"`, waitReload)
	if r := in.Get("/A"); r.Status != 404 {
		t.Errorf("old route /A still answers %d after the rename", r.Status)
	}

	// A new file adds routes.
	in.Write("c.go", "package live\n\n//microfn:service\nfunc C() string { return A2() + \"c\" }\n")
	in.WaitBody("/C", `"a2c"`, waitReload)

	// A new directory is a new package, routed under its path.
	in.Write("billing/charge.go", "package billing\n\n//microfn:service\nfunc Charge(cents int) int { return cents * 2 }\n")
	in.WaitBody("/billing/Charge?cents=21", "42", waitReload)

	// A directory created elsewhere and moved in at once is picked up too.
	outside := t.TempDir()
	microfntest.WriteFile(t, outside, "pkg/p.go", "package shipping\n\n//microfn:service\nfunc Ship() bool { return true }\n")
	if err := os.Rename(filepath.Join(outside, "pkg"), filepath.Join(in.Dir, "shipping")); err != nil {
		t.Fatal(err)
	}
	in.WaitBody("/shipping/Ship", "true", waitReload)

	// A deleted directory disappears.
	in.Remove("billing")
	microfntest.Eventually(t, waitReload, func() (bool, string) {
		r := in.Get("/billing/Charge?cents=1")
		return r.Status == 404, r.Body
	})
	for _, p := range health(t, in).Packages {
		if p.Dir == "billing" {
			t.Errorf("healthz still lists the removed package: %+v", p)
		}
	}
}

func TestSaveStylesReloadOnce(t *testing.T) {
	t.Parallel()
	styles := map[string]func(t *testing.T, path, src string){
		"write in place": func(t *testing.T, path, src string) {
			if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"atomic rename": func(t *testing.T, path, src string) {
			tmp := filepath.Join(filepath.Dir(path), ".live.go.tmp")
			if err := os.WriteFile(tmp, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, path); err != nil {
				t.Fatal(err)
			}
		},
		"truncate then write": func(t *testing.T, path, src string) {
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				t.Fatal(err)
			}
			// Two writes, as editors that truncate and rewrite make. No
			// fsync between them: on a loaded machine one can outlast the
			// quiet window, and a half that is valid Go would load (the
			// README says so); this test is about the ordinary case.
			half := len(src) / 2
			if _, err := f.WriteString(src[:half]); err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteString(src[half:]); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
		},
	}
	for name, save := range styles {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			in := microfntest.Start(t, map[string]string{"live.go": versionSrc(1)})
			in.WaitBody("/Version", "1", waitReload)
			before := reloads(in)
			save(t, filepath.Join(in.Dir, "live.go"), versionSrc(2))
			in.WaitBody("/Version", "2", waitReload)
			// Let any late duplicate reload happen: the watcher's quiet
			// window is 30ms; wait well past it, bounded.
			deadline := time.Now().Add(300 * time.Millisecond)
			for time.Now().Before(deadline) {
				if reloads(in)-before > 1 {
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if n := reloads(in) - before; n != 1 {
				t.Errorf("%s reloaded %d times, want once", name, n)
			}
			errors := in.Logs().Count(func(r microfntest.Record) bool { return r.Level >= 8 })
			if errors != 0 {
				t.Errorf("%s logged %d errors (a half-written file was loaded?)", name, errors)
			}
		})
	}
}

func TestReloadUnderLoad(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"live.go": versionSrc(0)}, server.WithQuiet(true))
	in.WaitBody("/Version", "0", waitReload)
	const workers, perWorker, saves = 8, 400, 50
	var failed atomic.Int64
	var bad sync.Map
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perWorker {
				r := in.Get("/Version")
				v := body(r)
				var n int
				if _, err := fmt.Sscan(v, &n); r.Status != 200 || err != nil || n < 0 || n > saves {
					failed.Add(1)
					bad.Store(fmt.Sprintf("%d %s", r.Status, r.Body), true)
				}
			}
		}()
	}
	go func() {
		for i := 1; i <= saves; i++ {
			select {
			case <-stop:
				return
			default:
			}
			in.Write("live.go", versionSrc(i))
			time.Sleep(5 * time.Millisecond) // pacing of the edits, not synchronisation
		}
	}()
	wg.Wait()
	close(stop)
	if n := failed.Load(); n > 0 {
		bad.Range(func(k, _ any) bool { t.Errorf("bad answer: %v", k); return true })
		t.Fatalf("%d of %d requests failed during reloads", n, workers*perWorker)
	}
}

const slowNestedSrc = `package live

import "time"

// Outer calls Inner, which takes a while, so a reload happens mid-call.
//
//microfn:service
func Outer(n int) int { return Inner(n) + %d }

//microfn:service
func Inner(n int) int { time.Sleep(200 * time.Millisecond); return n }
`

func TestReloadDuringNestedCalls(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"live.go": fmt.Sprintf(slowNestedSrc, 0)})
	in.WaitBody("/Outer?n=1", "1", waitReload)
	type result struct {
		status int
		body   string
	}
	results := make(chan result, 4)
	for range 4 {
		go func() {
			r := in.Get("/Outer?n=1")
			results <- result{r.Status, body(r)}
		}()
	}
	time.Sleep(50 * time.Millisecond) // let the calls reach Inner
	in.Write("live.go", fmt.Sprintf(slowNestedSrc, 100))
	for range 4 {
		r := <-results
		if r.status != 200 || (r.body != "1" && r.body != "101") {
			t.Errorf("call across the reload: %d %s", r.status, r.body)
		}
	}
	in.WaitBody("/Outer?n=1", "101", waitReload)
}

// TestHalfWrittenFileKeepsServices: a file caught half-written can be
// valid Go without its later functions. The watcher holds such a change
// back for a while instead of removing those services, and the rest of
// the file arrives in time: the services never answer 404. A removal that
// is meant takes effect once the files stay unchanged.
func TestHalfWrittenFileKeepsServices(t *testing.T) {
	t.Parallel()
	const full = `package live

// A answers %d.
//
//microfn:service
func A() int { return %d }

// B answers "b".
//
//microfn:service
func B() string { return "b" }
`
	in := microfntest.Start(t, map[string]string{"live.go": fmt.Sprintf(full, 1, 1)}, server.WithQuiet(true))
	in.WaitBody("/B", `"b"`, waitReload)

	// Poll B all along, until the check below (or the test's end).
	stop := make(chan struct{})
	polled := make(chan []int, 1)
	var (
		stopOnce sync.Once
		bad      []int
	)
	// stopPolling stops the poller and waits for it; it returns the bad
	// statuses it saw.
	stopPolling := func() []int {
		stopOnce.Do(func() { close(stop); bad = <-polled })
		return bad
	}
	defer stopPolling()
	go func() {
		var bad []int
		for {
			select {
			case <-stop:
				polled <- bad
				return
			default:
			}
			if r := in.Get("/B"); r.Status != 200 {
				bad = append(bad, r.Status)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	whole := fmt.Sprintf(full, 2, 2)
	half := whole[:strings.Index(whole, "// B answers")]
	in.Write("live.go", half)
	holding := func() (bool, string) {
		n := in.Logs().Count(func(r microfntest.Record) bool { return strings.Contains(r.Msg, "holding the change back") })
		return n > 0, fmt.Sprintf("%d lines saying a change is held back", n)
	}
	microfntest.Eventually(t, waitReload, holding)
	in.Write("live.go", whole)
	in.WaitBody("/A", "2", waitReload)
	if bad := stopPolling(); len(bad) > 0 {
		t.Errorf("B answered %v while its file was being written", bad)
	}

	// A removal that is meant: B goes once the grace has passed.
	in.Write("live.go", half)
	microfntest.Eventually(t, waitReload, func() (bool, string) {
		r := in.Get("/B")
		return r.Status == 404, fmt.Sprintf("B = %d after its removal", r.Status)
	})
	if r := in.Get("/A"); r.Status != 200 || r.Body != "2\n" {
		t.Errorf("A = %d %q after B's removal", r.Status, r.Body)
	}
}

// TestSymlinkPackageSkipped: a package directory swapped for a symbolic
// link to a folder outside the served one is dropped, not loaded, also on
// an explicit reload.
func TestSymlinkPackageSkipped(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	microfntest.WriteFile(t, outside, "evil.go", "package pkg\n\n//microfn:service\nfunc V() string { return \"outside\" }\n")
	in := microfntest.Start(t, map[string]string{"pkg/pkg.go": "package pkg\n\n//microfn:service\nfunc V() string { return \"inside\" }\n"})
	in.WaitBody("/pkg/V", `"inside"`, waitReload)
	in.Remove("pkg")
	if err := os.Symlink(outside, filepath.Join(in.Dir, "pkg")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	in.Server.ReloadAll(context.Background())
	microfntest.Eventually(t, waitReload, func() (bool, string) {
		r := in.Get("/pkg/V")
		return r.Status == 404, fmt.Sprintf("GET /pkg/V = %d %s, want 404", r.Status, r.Body)
	})
	// The watcher's reload of the removal may still run when ReloadAll
	// starts, and ReloadAll then leaves the package to it; the link's
	// own event reloads it again.
	microfntest.Eventually(t, waitReload, func() (bool, string) {
		n := in.Logs().Count(func(r microfntest.Record) bool { return strings.Contains(r.Msg, "is a symbolic link") })
		return n > 0, "no message about the symbolic link"
	})
	if strings.Contains(in.Get("/pkg/V").Body, "outside") {
		t.Errorf("code from outside the folder answered")
	}
}
