package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
)

const twoPackages = "package a\n\n//microfn:service\nfunc A() int { return 1 }\n"

// workerPIDs returns the worker pids /healthz lists.
func (p *proc) workerPIDs() []int {
	p.t.Helper()
	_, body := p.get("/healthz")
	var h struct {
		Packages []struct {
			Dir    string `json:"dir"`
			Worker *int   `json:"worker"`
		} `json:"packages"`
	}
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		p.t.Fatalf("healthz: %v: %s", err, body)
	}
	var out []int
	for _, pkg := range h.Packages {
		if pkg.Worker != nil && *pkg.Worker > 0 {
			out = append(out, *pkg.Worker)
		}
	}
	return out
}

func waitGone(t *testing.T, pids []int, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var left []int
		for _, pid := range pids {
			if microfntest.ProcessAlive(pid) {
				left = append(left, pid)
			}
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("worker processes %v still run %s after their server ended", left, within)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestNoOrphanWorkers: whether the server ends gracefully (SIGTERM) or is
// killed (SIGKILL), its worker processes end with it.
func TestNoOrphanWorkers(t *testing.T) {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		t.Skip("needs /proc to see processes")
	}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGKILL} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, map[string]string{
				"a/a.go": twoPackages,
				"b/b.go": strings.ReplaceAll(strings.ReplaceAll(twoPackages, "package a", "package b"), "A()", "B()"),
			})
			addr := freeAddr(t)
			p := startServe(t, dir, addr)
			pids := p.workerPIDs()
			if len(pids) != 2 {
				t.Fatalf("want a worker per package, /healthz lists %v", pids)
			}
			for _, pid := range pids {
				if !microfntest.ProcessAlive(pid) {
					t.Fatalf("worker %d is not running", pid)
				}
			}
			if err := p.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case <-p.done:
			case <-time.After(15 * time.Second):
				t.Fatalf("%s did not end the server", sig)
			}
			waitGone(t, pids, 5*time.Second)
		})
	}
}

// TestIsolateNoneWarns: --isolate=none says what it gives up.
func TestIsolateNoneWarns(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"a/a.go": twoPackages})
	addr := freeAddr(t)
	p := startServe(t, dir, addr, "--isolate", "none")
	if status, body := p.get("/a/A"); status != 200 || body != "1" {
		t.Fatalf("A = %d %s", status, body)
	}
	if pids := p.workerPIDs(); len(pids) != 0 {
		t.Errorf("--isolate=none started workers %v", pids)
	}
	if !strings.Contains(p.log.String(), "a fatal error in any service") {
		t.Errorf("no warning about --isolate=none in the log:\n%s", p.log.String())
	}
}

// TestStaleRunDirsRemoved: a server killed with SIGKILL cannot remove its
// private directory (its workers' temporary folders); the next server
// that starts with the same temporary directory removes it, and leaves
// those of servers still running alone.
func TestStaleRunDirsRemoved(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := writeFiles(t, map[string]string{"a/a.go": twoPackages})
	runDirs := func() []string {
		t.Helper()
		m, err := filepath.Glob(filepath.Join(tmp, "microfn-*"))
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	addr := freeAddr(t)
	killed := startProc(t, addr, []string{"serve", dir, "--addr", addr, "--no-watch"}, "TMPDIR="+tmp)
	workers := killed.workerPIDs()
	stale := runDirs()
	if len(stale) != 1 || len(workers) != 1 {
		t.Fatalf("private directories %v and workers %v of the first server, want one of each", stale, workers)
	}
	killed.kill()
	waitGone(t, workers, 10*time.Second)
	if _, err := os.Stat(stale[0]); err != nil {
		t.Fatalf("the killed server's directory is gone already: %v", err)
	}
	addr2 := freeAddr(t)
	running := startProc(t, addr2, []string{"serve", dir, "--addr", addr2, "--no-watch"}, "TMPDIR="+tmp)
	if _, err := os.Stat(stale[0]); !os.IsNotExist(err) {
		t.Errorf("the killed server's directory %s is still there after the next start: %v", stale[0], err)
	}
	live := runDirs()
	if len(live) != 1 || live[0] == stale[0] {
		t.Fatalf("private directories %v, want the running server's only", live)
	}
	addr3 := freeAddr(t)
	startProc(t, addr3, []string{"serve", dir, "--addr", addr3, "--no-watch"}, "TMPDIR="+tmp)
	if _, err := os.Stat(live[0]); err != nil {
		t.Errorf("a third server removed the directory of a running one: %v", err)
	}
	if status, body := running.get("/a/A"); status != 200 || body != "1" {
		t.Errorf("the running server after the third started: %d %s", status, body)
	}
}

// TestLongTempDir: however long the temporary directory's path, workers
// start and serve (they use no socket file, whose path would be bounded).
func TestLongTempDir(t *testing.T) {
	t.Parallel()
	tmp := filepath.Join(t.TempDir(), strings.Repeat("a-rather-long-directory-name-", 3))
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	if len(tmp) < 70 {
		t.Fatalf("TMPDIR %s is only %d bytes long", tmp, len(tmp))
	}
	dir := writeFiles(t, map[string]string{"a/a.go": twoPackages})
	addr := freeAddr(t)
	p := startProc(t, addr, []string{"serve", dir, "--addr", addr, "--no-watch"}, "TMPDIR="+tmp)
	if status, body := p.get("/a/A"); status != 200 || body != "1" {
		t.Errorf("with TMPDIR of %d bytes: %d %s\n%s", len(tmp), status, body, p.log.String())
	}
}
