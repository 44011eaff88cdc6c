package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCheckRunsNothingHere: microfn check loads as serve does, in worker
// processes: an init runs under the workers' sandbox and load timeout, and
// type-checking under their limits. (It ran init in its own process: an
// init wrote a file serve refuses to write, one that never returned hung
// check, and a type-check bomb ended it.)
func TestCheckRunsNothingHere(t *testing.T) {
	t.Parallel()
	outside := filepath.Join(t.TempDir(), "written-by-init")
	var bomb strings.Builder
	bomb.WriteString("package a\n\nconst c0 = \"0123456789abcdef0123456789abcdef\"\n")
	for n := 1; n <= 40; n++ {
		fmt.Fprintf(&bomb, "const c%d = c%d + c%d\n", n, n-1, n-1)
	}
	bomb.WriteString("\n//microfn:service\nfunc N() int { return len(c40) }\n")
	tests := []struct {
		name string
		src  string
		args []string
		want []string // any one of them
	}{
		{"an init writes outside the folder", "package a\n\nimport \"io/ioutil\"\n\nfunc init() { _ = ioutil.WriteFile(" + fmt.Sprintf("%q", outside) + ", []byte(\"x\"), 0o644) }\n\n//microfn:service\nfunc F() int { return 1 }\n",
			[]string{"--allow", "io/ioutil"}, []string{"ok: 1 packages, 1 services"}},
		{"an init never returns", "package a\n\nfunc init() { select {} }\n\n//microfn:service\nfunc F() int { return 1 }\n",
			[]string{"--load-timeout", "3s"}, []string{"a.go:3:6: the package did not finish loading within 3s (--load-timeout): this init function"}},
		{"a type-check bomb", bomb.String(),
			[]string{"--load-timeout", "3s"}, []string{"a.go:26:7: constant c23 would be 272 MiB long"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, map[string]string{"a.go": tt.src})
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			_, out, errOut := runCLI(t, ctx, append(append([]string{"check"}, tt.args...), dir)...)
			if ctx.Err() != nil {
				t.Fatalf("check did not return within 30s")
			}
			found := false
			for _, w := range tt.want {
				found = found || strings.Contains(out+errOut, w)
			}
			if !found {
				t.Errorf("output:\n%s%s\nwant one of %q", out, errOut, tt.want)
			}
			// The init ran, under the workers' sandbox.
			if _, err := os.Stat(outside); err == nil {
				t.Errorf("an init run by check wrote %s, outside the served folder", outside)
			}
		})
	}
}

// TestServeAnswersWhileLoading: serve listens at once; /healthz answers
// while a package whose init never returns loads, and /readyz says it is
// not ready until every package has loaded or failed. (It listened only
// once every package had, so a liveness probe killed it.)
func TestServeAnswersWhileLoading(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"ok/ok.go":       "package ok\n\n//microfn:service\nfunc Ok() int { return 7 }\n",
		"block/block.go": "package block\n\nfunc init() { select {} }\n\n//microfn:service\nfunc B() int { return 1 }\n",
	})
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var serveErr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", dir, "--addr", addr, "--no-watch", "--load-timeout", "2m"}, &bytes.Buffer{}, &serveErr)
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Errorf("serve did not stop within 30s of its context's end")
		}
	}()
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			return 0, err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if code, _ := get("/healthz"); code == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz did not answer within 30s while a package loads (load timeout 2m): %s", serveErr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if code, body := get("/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, `"status":"loading"`) {
		t.Errorf("/readyz while loading = %d %s, want 503 and loading", code, body)
	}
}
