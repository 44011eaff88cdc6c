package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

const defaultsSrc = `package d

import (
	"errors"
	"sync"
	"time"
)

var (
	mu    sync.Mutex
	tries = map[string]int{}
)

func try(name string) int {
	mu.Lock()
	defer mu.Unlock()
	tries[name]++
	return tries[name]
}

// Flaky fails twice, then answers.
//
//microfn:service
func Flaky() (string, error) {
	if try("Flaky") < 3 {
		return "", errors.New("not yet")
	}
	return "ok", nil
}

// Own always fails and sets its own retry option.
//
//microfn:service retry=1
func Own() (string, error) {
	try("Own")
	return "", errors.New("always")
}

// Slow takes longer than the default timeout. (Its scale lets each retry
// run beside the attempts that overran: with scale=1 a retry waits for
// them.)
//
//microfn:service scale=3
func Slow() string {
	time.Sleep(2 * time.Second)
	return "done"
}
`

// TestServeDefaultPolicy: --default-KEY sets the policy of services that do
// not set KEY themselves; a service's own option wins.
func TestServeDefaultPolicy(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"d.go": defaultsSrc})
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	var serveErr bytes.Buffer
	go func() {
		done <- run(ctx, []string{"serve", dir, "--addr", addr, "--no-watch", "--quiet",
			"--default-retry", "3", "--default-base", "1ms", "--default-timeout", "150ms"}, &bytes.Buffer{}, &serveErr)
	}()
	defer func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop after its context ended")
		}
	}()
	get := func(path string) (status int, attempts, body string) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			// Calls wait for the first load to finish: a call made
			// while it runs is answered 503, whenever it ends.
			var err error = errors.New("still loading")
			if loaded(addr) {
				var resp *http.Response
				resp, err = http.Get("http://" + addr + path)
				if err == nil {
					b, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					return resp.StatusCode, resp.Header.Get("Microfn-Attempts"), string(b)
				}
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: %v (serve: %s)", path, err, serveErr.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if status, attempts, body := get("/Flaky"); status != 200 || attempts != "3" || body != "\"ok\"\n" {
		t.Errorf("Flaky under --default-retry 3 = %d, %s attempts, %q; want 200 after 3 attempts", status, attempts, body)
	}
	if status, attempts, _ := get("/Own"); status != 500 || attempts != "1" {
		t.Errorf("Own (retry=1 in its directive) = %d after %s attempts; want 500 after 1", status, attempts)
	}
	start := time.Now()
	status, _, body := get("/Slow")
	var p struct{ Detail string }
	_ = json.Unmarshal([]byte(body), &p)
	if status != 504 || !strings.Contains(p.Detail, "150ms") {
		t.Errorf("Slow under --default-timeout 150ms = %d %q; want 504 naming the timeout", status, body)
	}
	if took := time.Since(start); took > 1500*time.Millisecond {
		t.Errorf("Slow answered after %s; the default timeout is 150ms (with 3 attempts)", took)
	}
}

// TestServeDefaultPolicyInvalid: a bad --default-KEY value stops serve
// with an error naming the flag.
func TestServeDefaultPolicyInvalid(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"d.go": defaultsSrc})
	tests := []struct{ flag, value, want string }{
		{"--default-retry", "0", "--default-retry"},
		{"--default-timeout", "soon", "--default-timeout"},
		{"--default-scale", "-1", "--default-scale"},
	}
	for _, tc := range tests {
		code, _, errOut := runCLI(t, context.Background(), "serve", dir, "--addr", freeAddr(t), "--no-watch", tc.flag, tc.value)
		if code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("serve %s %s: exit %d, stderr %q; want 2 and a message naming %s", tc.flag, tc.value, code, errOut, tc.want)
		}
	}
}
