package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
)

// binary is the microfn command built once for the tests that run real
// processes.
var binary struct {
	once sync.Once
	path string
	err  error
}

func microfnBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds the microfn binary and runs processes; skipped with -short")
	}
	binary.once.Do(func() {
		dir, err := os.MkdirTemp("", "microfn-bin")
		if err != nil {
			binary.err = err
			return
		}
		binary.path = filepath.Join(dir, "microfn")
		out, err := exec.Command("go", "build", "-o", binary.path, ".").CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

// syncBuffer is a bytes.Buffer safe for a process writing while the test
// reads.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// proc is a microfn serve process.
type proc struct {
	t    *testing.T
	addr string
	cmd  *exec.Cmd
	log  *syncBuffer
	done chan struct{}
}

// startServe runs microfn serve DIR on addr with more flags and waits until
// it answers /healthz.
func startServe(t *testing.T, dir, addr string, flags ...string) *proc {
	t.Helper()
	return startProc(t, addr, append([]string{"serve", dir, "--addr", addr, "--no-watch"}, flags...))
}

// startProc runs microfn with args, and env added to the environment,
// and waits until it has loaded (see loaded) on addr.
func startProc(t *testing.T, addr string, args []string, env ...string) *proc {
	t.Helper()
	p := &proc{t: t, addr: addr, log: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(microfnBinary(t), args...)
	// Servers that call each other share a chain key, as a deployment's
	// do.
	p.cmd.Env = append(append(os.Environ(), "MICROFN_CHAIN_KEY=microfn-tests"), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.stop)
	deadline := time.Now().Add(time.Minute)
	for {
		if loaded(addr) {
			return p
		}
		select {
		case <-p.done:
			t.Fatalf("microfn %s exited early:\n%s", strings.Join(args, " "), p.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("microfn %s did not answer within a minute:\n%s", strings.Join(args, " "), p.log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop ends the process gracefully (SIGTERM), as an operator would, so
// that it removes its workers' socket directory; SIGKILL after 10s.
func (p *proc) stop() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.kill()
	}
}

// kill ends the process at once (SIGKILL) and waits for it.
func (p *proc) kill() {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		p.t.Errorf("process did not end after SIGKILL")
	}
}

func (p *proc) get(path string) (int, string) {
	p.t.Helper()
	r := p.fetch(path)
	return r.Status, strings.TrimSpace(r.Body)
}

// fetch returns the whole answer to GET path.
func (p *proc) fetch(path string) microfntest.Response {
	p.t.Helper()
	resp, err := http.Get("http://" + p.addr + path)
	if err != nil {
		p.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return microfntest.Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// requests counts the access lines of method+path (any depth) in the
// process's log.
func (p *proc) requests(line string) int {
	return strings.Count(p.log.String(), line+" status=") + strings.Count(p.log.String(), line+`","status"`)
}

// waitRequests waits, up to 5s, until the log holds at least want access
// lines of method+path (the log arrives through a pipe, a moment after the
// response), and returns how many it holds.
func (p *proc) waitRequests(line string, want int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := p.requests(line)
		if n >= want || time.Now().After(deadline) {
			return n
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestSplitAcrossProcesses(t *testing.T) {
	t.Parallel()
	seed := "../../examples/seed"
	addrA, addrB, addrC := freeAddr(t), freeAddr(t), freeAddr(t)
	b := startServe(t, seed, addrB, "--only", "IsEven")
	a := startServe(t, seed, addrA, "--only", "IsOdd", "--route", "IsEven=http://"+addrB)
	c := startServe(t, seed, addrC, "--only", "Fib")

	if status, body := a.get("/IsOdd?x=3"); status != 200 || body != "true" {
		t.Fatalf("A /IsOdd?x=3 = %d %s", status, body)
	}
	if n := b.waitRequests("POST /IsEven", 1); n != 1 {
		t.Errorf("B received %d nested POST /IsEven, want 1; B's log:\n%s", n, b.log.String())
	}
	if status, _ := a.get("/IsEven?x=3"); status != 404 {
		t.Errorf("A serves IsEven (%d) though it was started with --only IsOdd", status)
	}
	if status, body := c.get("/Fib?n=12"); status != 200 || body != "233" {
		t.Errorf("C /Fib?n=12 with scale=1 = %d %s, want 233", status, body)
	}
	if n := c.waitRequests("POST /Fib", 100); n < 100 {
		t.Errorf("C received %d nested Fib calls over HTTP, want hundreds", n)
	}
	// A call to a service with no route and no local implementation.
	d := startServe(t, seed, freeAddr(t), "--only", "IsOdd")
	status, body := d.get("/IsOdd?x=3")
	if status != 502 || !strings.Contains(body, "IsEven is not served here and has no route") || !strings.Contains(body, "--route IsEven=") {
		t.Errorf("unrouted call = %d %s, want 502 saying how to route IsEven", status, body)
	}
}

const flakyCalleeSrc = `package split

// IsEven reports whether x is even.
//
//microfn:service retry=10 base=50ms cap=400ms
func IsEven(x int) bool { return x%2 == 0 }

// IsOdd calls IsEven, which may live in another process.
//
//microfn:service retry=1
func IsOdd(x int) bool { return !IsEven(x) }
`

func TestCalleeRestartWithinRetryBudget(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"split.go": flakyCalleeSrc})
	addrA, addrB := freeAddr(t), freeAddr(t)
	a := startServe(t, dir, addrA, "--only", "IsOdd", "--route", "IsEven=http://"+addrB)
	b := startServe(t, dir, addrB, "--only", "IsEven")
	if status, body := a.get("/IsOdd?x=1"); status != 200 || body != "true" {
		t.Fatalf("IsOdd before the restart = %d %s", status, body)
	}

	// B dies mid-load and comes back within IsEven's retry budget: calls
	// through A keep succeeding.
	var wg sync.WaitGroup
	errs := make(chan string, 64)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 8 {
				resp, err := http.Get(fmt.Sprintf("http://%s/IsOdd?x=%d", addrA, i*10+j))
				if err != nil {
					errs <- err.Error()
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					errs <- fmt.Sprintf("%d %s", resp.StatusCode, body)
				}
			}
		}()
	}
	b.kill()
	b = startServe(t, dir, addrB, "--only", "IsEven")
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("call through A while B restarted: %s", e)
	}

	// B stays down: the budget runs out with a clear 502 naming IsEven,
	// and nothing hangs.
	b.kill()
	start := time.Now()
	status, body := a.get("/IsOdd?x=1")
	if status != 502 || !strings.Contains(body, "IsEven") || !strings.Contains(body, addrB) {
		t.Errorf("IsOdd with B down = %d %s, want 502 naming IsEven and its address", status, body)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("the failure took %s", took)
	}
}

func TestOnlyUnknownServiceIsAnError(t *testing.T) {
	t.Parallel()
	code, _, errOut := runCLI(t, t.Context(), "serve", "../../examples/seed", "--addr", freeAddr(t), "--only", "IsEven,Nope")
	if code != 1 || !strings.Contains(errOut, "--only Nope: no such service") {
		t.Errorf("serve --only Nope: exit %d, %s", code, errOut)
	}
}

// loaded reports whether the server at addr answers and has loaded every
// package, or failed to: its /readyz no longer says "loading".
func loaded(addr string) bool {
	resp, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var h struct {
		Status string `json:"status"`
	}
	return json.NewDecoder(resp.Body).Decode(&h) == nil && h.Status != "loading"
}
