package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBuildWith builds a microfn with github.com/google/uuid compiled in
// and serves, with it, a module whose service uses uuid: the service
// answers as compiled Go does, and uuid's packages are the executable's,
// so the sandbox does not ask for the os, net and database/sql/driver
// that interpreting uuid's source needs.
func TestBuildWith(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("microfn build needs the Go toolchain, which is not on PATH")
	}
	if testing.Short() {
		t.Skip("builds a microfn executable (about a minute)")
	}
	bin := filepath.Join(t.TempDir(), "microfn-uuid")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	code, out, errOut := runCLI(t, ctx, "build", "--with", "github.com/google/uuid@v1.6.0", "-o", bin, "--microfn", "../..")
	if code != 0 {
		t.Fatalf("build: exit %d\n%s%s", code, out, errOut)
	}

	dir := writeFiles(t, map[string]string{
		"go.mod": "module example.com/cmp\n\ngo 1.22\n\nrequire github.com/google/uuid v1.6.0\n",
		"h/h.go": `package h

import "github.com/google/uuid"

// Hash derives n version 5 UUIDs, each from the last.
//
//microfn:service
func Hash(n int) string {
	id := uuid.NameSpaceURL
	for i := 0; i < n; i++ {
		id = uuid.NewSHA1(id, []byte("microfn"))
	}
	return id.String()
}
`,
	})
	tidy := exec.CommandContext(ctx, goTool, "mod", "tidy")
	tidy.Dir = dir
	tidy.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := tidy.CombinedOutput(); err != nil {
		t.Fatalf("go mod tidy: %v\n%s", err, out)
	}

	addr := freeAddr(t)
	serve := exec.CommandContext(ctx, bin, "serve", dir, "--addr", addr, "--no-watch")
	var log strings.Builder
	serve.Stderr = &log
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		serve.Process.Signal(os.Interrupt)
		serve.Wait()
	}()
	// What compiled Go prints for Hash(3) (go run of the same loop).
	const want = `"df7d8ee3-bb2a-51aa-b575-fac5c8e66e2b"`
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/h/Hash?n=3")
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if got := strings.TrimSpace(string(body)); resp.StatusCode == 200 && got == want {
				break
			} else if resp.StatusCode != 404 && resp.StatusCode != 503 {
				t.Fatalf("Hash(3) = %d %s, want %s; log:\n%s", resp.StatusCode, got, want, log.String())
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("Hash(3) not served within 30s: %v; log:\n%s", err, log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestBuildBadInput: build explains what it needs.
func TestBuildBadInput(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	if code, _, errOut := runCLI(t, ctx, "build", "-o", "x"); code != 2 || !strings.Contains(errOut, "microfn build DIR -o FILE") {
		t.Errorf("build without --with: exit %d, %s", code, errOut)
	}
	code, _, errOut := runCLI(t, ctx, "build", "--with", "github.com/google/uuid", "-o", filepath.Join(t.TempDir(), "x"), "--microfn", t.TempDir())
	if code != 1 || !strings.Contains(errOut, "microfn's source tree") || !strings.Contains(errOut, "--microfn DIR") {
		t.Errorf("build outside microfn's source: exit %d, %s", code, errOut)
	}
}
