package main

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A profile summarises where microfn's CPU went during one measurement,
// from perf: one part for the server's process, one for its worker
// processes, if any.
type profile struct {
	title string // what was measured
	how   string // how it was recorded and reported, if not as startPerf does
	parts []profilePart
}

type profilePart struct {
	who  string // "the server process (PID 123)"
	self string // the hottest symbols by their own time
	cum  string // microfn's own functions and its libraries, by time including callees
}

func (p profile) markdown() string {
	var b strings.Builder
	how := p.how
	if how == "" {
		how = "`perf record -F 999 -g -p PIDS` of the server process and its worker processes, then for each `perf report --pid PIDS --no-children --sort symbol` (own time, symbols above 0.7% of the samples of all the processes recorded) " +
			"and `perf report --pid PIDS --children --sort symbol` restricted to microfn's packages, yaegi, Fiber, fasthttp and the runtime's stack growth, allocation, GC, scheduling and syscalls (time including callees, above 2%)."
	}
	fmt.Fprintf(&b, "## Where microfn's CPU goes: %s\n\n%s\n\n", p.title, how)
	for _, part := range p.parts {
		fmt.Fprintf(&b, "### %s\n\n```text\n%s\n```\n\n```text\n%s\n```\n\n", part.who, part.self, part.cum)
	}
	return b.String()
}

// startPerf records the process tree of p (the server and its workers)
// with perf, if perf is on PATH, until the returned function is called;
// that function adds the summary to b.profiles. It returns nil when perf
// cannot record.
func (b *bench) startPerf(ctx context.Context, p *proc, title string) func() {
	if _, err := exec.LookPath("perf"); err != nil {
		b.progress("--perf: perf is not on PATH; no profile of %s", title)
		return nil
	}
	workers := p.workerPIDs()
	pids := []string{strconv.Itoa(p.pid())}
	for _, w := range workers {
		pids = append(pids, strconv.Itoa(w))
	}
	data := filepath.Join(b.tmp, fmt.Sprintf("perf-%d.data", len(b.profiles)))
	rec := exec.CommandContext(ctx, "perf", "record", "-F", "999", "-g", "-o", data, "-p", strings.Join(pids, ","))
	out := newTail(1 << 16)
	rec.Stdout, rec.Stderr = out, out
	if err := rec.Start(); err != nil {
		b.progress("--perf: %v", err)
		return nil
	}
	time.Sleep(200 * time.Millisecond) // let perf attach before the load starts
	return func() {
		rec.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- rec.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			rec.Process.Kill()
			<-done
		}
		type who struct{ name, pids string }
		groups := []who{{fmt.Sprintf("The server process (%s)", p.spec.name), pids[0]}}
		if len(workers) > 0 {
			groups = append(groups, who{fmt.Sprintf("Its worker process(es), %d", len(workers)), strings.Join(pids[1:], ",")})
		}
		pr := profile{title: title}
		for _, g := range groups {
			self, err := perfReport(ctx, data, "--pid", g.pids, "--no-children", "--percent-limit", "0.7")
			if err != nil {
				b.progress("--perf: perf report: %v; perf record said:\n%s", err, out.String())
				return
			}
			cum, err := perfReport(ctx, data, "--pid", g.pids, "--children", "--percent-limit", "2")
			if err != nil {
				b.progress("--perf: perf report: %v", err)
				return
			}
			var keep []string
			for _, l := range strings.Split(cum, "\n") {
				if cumPattern.MatchString(l) {
					keep = append(keep, l)
				}
			}
			pr.parts = append(pr.parts, profilePart{who: g.name, self: self, cum: strings.Join(keep, "\n")})
		}
		b.profiles = append(b.profiles, pr)
	}
}

// cumPattern selects the lines of the cumulative report worth showing:
// microfn's own code, its libraries on the call path, and the runtime's
// big ticket items (stack growth, allocation, GC, scheduling).
var cumPattern = regexp.MustCompile(`^\s*Children|github\.com/microfn/|yaegi|fiber|fasthttp|runtime\.(newstack|copystack|mallocgc|gcBgMarkWorker|schedule|findRunnable|newproc|goexit0|mcall)$|Syscall6$`)

var ipcColumns = regexp.MustCompile(`(\s+IPC\s+\[IPC Coverage\]|\s+-\s+-)\s*$`)

// perfReport runs perf report on data with the given flags and returns
// its table without comments and blank lines.
func perfReport(ctx context.Context, data string, flags ...string) (string, error) {
	args := append([]string{"report", "-i", data, "--stdio", "-g", "none", "--sort", "symbol"}, flags...)
	rep, err := exec.CommandContext(ctx, "perf", args...).Output()
	if err != nil {
		return "", err
	}
	var lines []string
	for _, l := range strings.Split(string(rep), "\n") {
		// perf 6 adds IPC columns that hold nothing for software events.
		l = ipcColumns.ReplaceAllString(l, "")
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if strings.HasPrefix(t, "# Overhead") || strings.HasPrefix(t, "# Children") {
			lines = append(lines, strings.TrimRight(strings.TrimPrefix(l, "# "), " "))
			continue
		}
		if strings.HasPrefix(t, "#") {
			continue
		}
		lines = append(lines, strings.TrimRight(l, " "))
	}
	return strings.Join(lines, "\n"), nil
}
