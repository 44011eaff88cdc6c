package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/microfn/microfn/internal/freeport"
)

// build compiles the package pkg of the module (such as ./cmd/microfn)
// into the work directory and returns the binary's path.
func (b *bench) build(ctx context.Context, name, pkg string) (string, error) {
	out := filepath.Join(b.tmp, name)
	cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = b.root
	msg, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", pkg, err, msg)
	}
	return out, nil
}

// A procSpec says how to start one server.
type procSpec struct {
	name  string   // for messages and tables: "microfn", "baseline"…
	argv  []string // "{addr}" is replaced by the address to listen on
	shell bool     // run argv[0] with sh -c (a --peer-cmd)
	env   []string // added to the environment
	ready string   // path polled until it answers 200, such as "/healthz"
}

// A proc is a running server, started by [bench.start].
type proc struct {
	spec   procSpec
	cmd    *exec.Cmd
	addr   string // 127.0.0.1:PORT
	base   string // http://127.0.0.1:PORT
	log    *tail
	exited chan struct{}
	err    error // the exit status, once exited is closed
}

// start starts a server on a free loopback port and waits until its ready
// path answers 200, at most timeout. It returns the time from starting the
// process to that first 200. A process that exits before it is ready (its
// port was taken meanwhile, say) is started again, twice at most.
func (b *bench) start(ctx context.Context, spec procSpec, timeout time.Duration) (*proc, time.Duration, error) {
	var lastErr error
	for try := 0; try < 3; try++ {
		p, took, err := b.startOnce(ctx, spec, timeout)
		if err == nil {
			return p, took, nil
		}
		lastErr = err
		if !errors.Is(err, errExitedEarly) || ctx.Err() != nil {
			break
		}
	}
	return nil, 0, lastErr
}

var errExitedEarly = errors.New("exited before it was ready")

func (b *bench) startOnce(ctx context.Context, spec procSpec, timeout time.Duration) (*proc, time.Duration, error) {
	addr, err := freeport.Addr()
	if err != nil {
		return nil, 0, err
	}
	argv := make([]string, len(spec.argv))
	for i, a := range spec.argv {
		argv[i] = strings.ReplaceAll(a, "{addr}", addr)
	}
	var cmd *exec.Cmd
	if spec.shell {
		cmd = exec.Command("sh", "-c", argv[0])
	} else {
		cmd = exec.Command(argv[0], argv[1:]...)
	}
	cmd.Dir = b.root
	cmd.Env = append(os.Environ(), spec.env...)
	cmd.SysProcAttr = serverAttr()
	p := &proc{spec: spec, cmd: cmd, addr: addr, base: "http://" + addr, log: newTail(1 << 20), exited: make(chan struct{})}
	cmd.Stdout = p.log
	cmd.Stderr = p.log
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, 0, fmt.Errorf("start %s: %w", spec.name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.exited)
	}()
	b.mu.Lock()
	b.procs[p] = true
	b.mu.Unlock()

	took, err := p.waitReady(ctx, started, timeout)
	if err != nil {
		p.stop()
		return nil, 0, fmt.Errorf("%s: %w; its output ends with:\n%s", spec.name, err, indent(p.log.lastLines(15)))
	}
	return p, took, nil
}

// waitReady polls the ready path every 2ms until it answers 200.
func (p *proc) waitReady(ctx context.Context, started time.Time, timeout time.Duration) (time.Duration, error) {
	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true, Proxy: nil}}
	defer client.CloseIdleConnections()
	deadline := started.Add(timeout)
	url := p.base + p.spec.ready
	for {
		select {
		case <-p.exited:
			return 0, fmt.Errorf("%w (%v)", errExitedEarly, p.err)
		case <-ctx.Done():
			return 0, ctx.Err()
		default:
		}
		resp, err := client.Get(url)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(started), nil
			}
		}
		if time.Now().After(deadline) {
			return 0, fmt.Errorf("%s did not answer 200 within %s", p.spec.ready, timeout)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// stop ends the server: SIGTERM to its process group, then SIGKILL if it
// has not exited within five seconds. It is safe to call more than once.
func (p *proc) stop() {
	pgid := p.cmd.Process.Pid // the group's id: see Setpgid in startOnce
	select {
	case <-p.exited:
		return
	default:
	}
	syscall.Kill(-pgid, syscall.SIGTERM)
	// Wait for the process, then for the rest of its group (what a
	// --peer-cmd shell started), up to the deadline.
	deadline := time.After(5 * time.Second)
	select {
	case <-p.exited:
		for syscall.Kill(-pgid, 0) == nil {
			select {
			case <-deadline:
				syscall.Kill(-pgid, syscall.SIGKILL)
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	case <-deadline:
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-p.exited
	}
}

// stopProc stops p and forgets it.
func (b *bench) stopProc(p *proc) {
	if p == nil {
		return
	}
	p.stop()
	b.mu.Lock()
	delete(b.procs, p)
	b.mu.Unlock()
}

// stopAll stops every server still running.
func (b *bench) stopAll() {
	b.mu.Lock()
	var ps []*proc
	for p := range b.procs {
		ps = append(ps, p)
	}
	b.mu.Unlock()
	for _, p := range ps {
		b.stopProc(p)
	}
}

// pid returns the process id of the server: for a --peer-cmd, the shell
// that started it, whose tree holds it.
func (p *proc) pid() int {
	return p.cmd.Process.Pid
}

// mem samples the memory of the server's process tree: microfn's worker
// processes are its children, a --peer-cmd's server the shell's.
func (p *proc) mem() memSample {
	return readTreeMem(p.pid())
}

// rssKiB returns the resident set size of the server's process tree, or
// 0 if unknown.
func (p *proc) rssKiB() int64 {
	return p.mem().rss
}

// cpu returns the CPU time (user + system) the server's process tree has
// used so far: the server's process, and its children (microfn's worker
// processes, live or ended), or false if unknown.
func (p *proc) cpu() (treeCPU, bool) {
	return readTreeCPU(p.pid())
}

// cpuTime returns the CPU time of the server's process tree so far, or 0
// if unknown.
func (p *proc) cpuTime() time.Duration {
	t, ok := p.cpu()
	if !ok {
		return 0
	}
	return t.total()
}

// workerPIDs returns the ids of the processes below the server's.
func (p *proc) workerPIDs() []int {
	return descendants(p.pid())
}

var gcLine = regexp.MustCompile(`(?m)^gc \d+ @.*?(\d+)->(\d+)->(\d+) MB`)

// liveHeapMiB returns the live heap after the last garbage collection the
// process reported with GODEBUG=gctrace=1, or -1.
func (p *proc) liveHeapMiB() int64 {
	m := gcLine.FindAllStringSubmatch(p.log.String(), -1)
	if len(m) == 0 {
		return -1
	}
	n, _ := strconv.ParseInt(m[len(m)-1][3], 10, 64)
	return n
}

// tail keeps the last bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func newTail(max int) *tail { return &tail{max: max} }

func (t *tail) Write(b []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, b...)
	if len(t.buf) > t.max {
		keep := t.max / 2
		i := bytes.IndexByte(t.buf[len(t.buf)-keep:], '\n')
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-keep+i+1:]...)
	}
	return len(b), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

func (t *tail) lastLines(n int) string {
	lines := strings.Split(strings.TrimRight(t.String(), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func indent(s string) string {
	if s == "" {
		return "    (nothing)"
	}
	return "    " + strings.ReplaceAll(s, "\n", "\n    ")
}
