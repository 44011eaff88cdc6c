package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestSIGHUPReloadsWithoutWatching(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"v.go": "package v\n\n//microfn:service\nfunc V() int { return 1 }\n"})
	addr := freeAddr(t)
	p := startServe(t, dir, addr) // --no-watch
	if status, body := p.get("/V"); status != 200 || body != "1" {
		t.Fatalf("V = %d %s", status, body)
	}
	if err := os.WriteFile(filepath.Join(dir, "v.go"), []byte("package v\n\n//microfn:service\nfunc V() int { return 2 }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, body := p.get("/V"); body != "1" {
		t.Fatalf("with --no-watch the edit was picked up without SIGHUP: %s", body)
	}
	if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, body := p.get("/V"); body == "2" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SIGHUP did not reload:\n%s", p.log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// SIGTERM shuts down gracefully: the process exits by itself.
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		t.Fatal("SIGTERM did not stop the server")
	}
}

func TestJSONLogs(t *testing.T) {
	t.Parallel()
	addr := freeAddr(t)
	p := startServe(t, "../../examples/seed", addr, "--log-format", "json")
	p.get("/IsOdd?x=1")
	p.waitRequests("GET /IsOdd?x=1", 1)
	var access map[string]any
	for _, line := range strings.Split(strings.TrimSpace(p.log.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if strings.Contains(rec["msg"].(string), "GET /IsOdd") {
			access = rec
		}
	}
	if access == nil || access["status"] != float64(200) || access["trace"] == "" || access["depth"] != float64(0) {
		t.Errorf("access record %v", access)
	}
}

// TestRoutePrecedence: --route wins over --routes, which wins over the
// environment.
func TestRoutePrecedence(t *testing.T) {
	t.Setenv("MICROFN_ROUTE_IsEven", "http://127.0.0.1:1")
	t.Setenv("MICROFN_ROUTE_Fib", "http://127.0.0.1:1")
	t.Setenv("MICROFN_ROUTE_Area", "http://127.0.0.1:1")
	file := filepath.Join(t.TempDir(), "routes.yaml")
	if err := os.WriteFile(file, []byte("IsEven: http://127.0.0.1:2\nFib: http://127.0.0.1:2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, t.Context(), "routes", "../../examples/seed", "--only", "IsOdd", "--routes", file, "--route", "IsEven=http://127.0.0.1:3")
	if code != 0 {
		t.Fatalf("routes: exit %d: %s", code, errOut)
	}
	want := map[string]string{"IsEven": "http://127.0.0.1:3", "Fib": "http://127.0.0.1:2", "Area": "http://127.0.0.1:1", "IsOdd": "local"}
	for _, line := range strings.Split(out, "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && want[f[0]] != "" {
			if f[3] != want[f[0]] {
				t.Errorf("%s served at %s, want %s", f[0], f[3], want[f[0]])
			}
			delete(want, f[0])
		}
	}
	if len(want) > 0 {
		t.Errorf("missing from the table: %v\n%s", want, out)
	}
}
