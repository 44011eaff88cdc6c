package main

import (
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"
)

// A section is the outcome of one scenario.
type section struct {
	id, title string
	intro     string
	tables    []table
	notes     []string
}

// A table is a Markdown table.
type table struct {
	header []string
	rows   [][]string
}

func (t table) markdown() string {
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + strings.ReplaceAll(c, "|", `\|`) + " |")
		}
		b.WriteString("\n")
	}
	line(t.header)
	seps := make([]string, len(t.header))
	for i := range seps {
		seps[i] = "---"
		if t.numeric(i) {
			seps[i] = "--:"
		}
	}
	b.WriteString("|" + strings.Join(seps, "|") + "|\n")
	for _, r := range t.rows {
		line(r)
	}
	return b.String()
}

// numericCell matches a cell that starts with a figure: a digit, a sign
// and a digit, or the dash of a missing figure (not "--isolate=none").
var numericCell = regexp.MustCompile(`^([+-]?[0-9]|–)`)

// numeric reports whether column i holds figures (to align them right):
// every cell that is not empty starts with a figure.
func (t table) numeric(i int) bool {
	seen := false
	for _, r := range t.rows {
		if i >= len(r) || r[i] == "" {
			continue
		}
		seen = true
		if !numericCell.MatchString(r[i]) {
			return false
		}
	}
	return seen
}

func (s *section) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "## %s\n\n%s\n\n", s.title, s.intro)
	for _, t := range s.tables {
		b.WriteString(t.markdown())
		b.WriteString("\n")
	}
	for _, n := range s.notes {
		b.WriteString(n + "\n\n")
	}
	return b.String()
}

func (b *bench) newSection(id, title, intro string) *section {
	s := &section{id: id, title: title, intro: intro}
	b.sections = append(b.sections, s)
	return s
}

// print writes a finished section to stdout.
func (b *bench) print(s *section) {
	fmt.Fprintln(b.stdout, s.markdown())
}

// A goal is one of the issue's targets, met or missed.
type goal struct {
	name, target, measured, status string
	group                          int // goalLatest, goalIsolation or goalEarlier
}

// The groups of goals, in the order of the report.
const (
	goalLatest    = iota // the production application and module reloads
	goalIsolation        // the isolation boundary's cost
	goalEarlier          // earlier issues
)

// addGoal records a goal: value must be at least limit if higherBetter,
// else at most limit. A NaN value is "not measured" (see orNaN).
func (b *bench) addGoal(name, target, measured string, value, limit float64, higherBetter bool) {
	status := "missed"
	switch {
	case math.IsNaN(value):
		status, measured = "not measured", "–"
	case higherBetter && value >= limit, !higherBetter && value <= limit:
		status = "met"
	}
	b.goals = append(b.goals, goal{name: name, target: target, measured: measured, status: status})
}

// goalNames are the goals, each with the scenario that measures it, in
// the order of the report: first those of the isolation boundary's cost,
// then the earlier ones, measured again.
var goalNames = []struct{ prefix, scenario, target string }{
	{"IsEven GET req/s, isolated", "direct", "≥ 0.6× baseline"},
	{"IsEven POST req/s, isolated", "direct", "≥ 0.6× baseline"},
	{"IsEven GET req/s, --isolate=none", "direct", "≥ 0.8× baseline"},
	{"IsEven POST req/s, --isolate=none", "direct", "≥ 0.8× baseline"},
	{"IsEven GET p99", "direct", "≤ 1.5× baseline"},
	{"IsEven POST p99", "direct", "≤ 1.5× baseline"},
	{"nested Fib", "nested", "≤ 1.3× baseline isolated, ≤ 1.1× in process"},
	{"nested p99", "nested", "≤ 1.5× baseline"},
	{"total PSS, 10 packages", "memory", "≤ 100 MiB"},
	{"total PSS, 100 packages", "memory", "≤ 600 MiB; ≤ 150 MiB with 5 in use"},
	{"call of an idle package", "tier", "p50 ≤ 100ms, p99 ≤ 200ms"},
	// Earlier goals.
	{"restart after a crash", "restart", "≤ 100ms"},
	{"total RSS, 10 packages", "memory", "≤ 150 MiB"},
	{"policy overhead", "policies", "≤ 10%"},
	{"reload p50, 10 services", "reload", "≤ 50ms"},
	{"reload p99, 10 services", "reload", "≤ 150ms"},
	{"1,000 services ready", "startup", "< 2s"},
	{"db ", "db", "≤ 1.5× baseline + a call"},
}

// issueGoals is how many entries of goalNames are the isolation
// boundary's.
const issueGoals = 11

// latestGoals are the goals of the production application (microfn
// build) and of module reloads, reported first.
var latestGoals = []struct{ prefix, scenario, target string }{
	{"app cold start", "app", "≤ 50ms"},
	{"app IsEven GET req/s", "app", "close to 1× baseline (≥ 0.9×)"},
	{"app IsEven POST req/s", "app", "close to 1× baseline (≥ 0.9×)"},
	{"app nested Fib", "app", "≤ 1.5× baseline"},
	{"save → interpreted p50, seed", "modreload", "≤ 60ms"},
	{"save → interpreted p50, 5-package module", "modreload", "≤ 300ms, else profiled"},
}

// finish orders the goals, adds those that were not measured, and prints
// them.
func (b *bench) finish() {
	var ordered []goal
	all := append(latestGoals[:len(latestGoals):len(latestGoals)], goalNames...)
	for i, g := range all {
		group := goalEarlier
		switch {
		case i < len(latestGoals):
			group = goalLatest
		case i < len(latestGoals)+issueGoals:
			group = goalIsolation
		}
		found := false
		for _, have := range b.goals {
			if strings.HasPrefix(have.name, g.prefix) {
				have.group = group
				ordered = append(ordered, have)
				found = true
			}
		}
		if !found {
			why := "not measured"
			if !contains(b.cfg.scenarios, g.scenario) {
				why = "not measured (scenario " + g.scenario + " not run)"
			} else if g.scenario == "startup" {
				why = "not measured (no 1,000-service run in this mode)"
			} else if g.scenario == "memory" {
				why = "not measured (no 10-package run in this mode)"
			}
			ordered = append(ordered, goal{name: g.prefix, target: g.target, measured: "–", status: why, group: group})
		}
	}
	b.goals = ordered
	fmt.Fprintln(b.stdout, "## Goals\n\n"+b.goalTable(goalLatest).markdown()+"\n"+b.goalTable(goalIsolation).markdown()+"\n"+b.goalTable(goalEarlier).markdown())
	for _, p := range b.profiles {
		fmt.Fprintln(b.stdout, p.markdown())
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// goalTable is the table of the goals of one group.
func (b *bench) goalTable(group int) table {
	t := table{header: []string{"goal", "target", "measured", "status"}}
	for _, g := range b.goals {
		if g.group != group {
			continue
		}
		status := g.status
		switch status {
		case "met":
			status = "✅ met"
		case "missed":
			status = "❌ missed"
		}
		t.rows = append(t.rows, []string{g.name, g.target, g.measured, status})
	}
	return t
}

// revision names the commit of the module and whether the work tree had
// changes outside bench/ and docs/.
func (b *bench) revision() string {
	cmd := exec.Command("git", "rev-parse", "--short", "HEAD")
	cmd.Dir = b.root
	out, err := cmd.Output()
	if err != nil {
		return "unknown (not a git work tree)"
	}
	rev := "commit " + strings.TrimSpace(string(out))
	cmd = exec.Command("git", "status", "--porcelain", "--", ".", ":!bench", ":!docs")
	cmd.Dir = b.root
	if out, err := cmd.Output(); err == nil && len(strings.TrimSpace(string(out))) > 0 {
		rev += ", with uncommitted changes"
	}
	return rev
}

// machine describes the machine for the report.
func (b *bench) machine() table {
	gover := "unknown"
	if out, err := exec.Command("go", "version").Output(); err == nil {
		gover = strings.TrimSpace(string(out))
	}
	cpu := "unknown"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	gen := "a fasthttp client in a separate process"
	switch b.cfg.loadgen {
	case "vegeta":
		gen = "vegeta in a separate process"
	case "wrk":
		gen = "wrk"
	case "vegeta-inproc":
		gen = "vegeta in the benchmark's process"
	}
	t := table{header: []string{"", ""}}
	t.rows = [][]string{
		{"microfn source", b.rev},
		{"go version", "`" + gover + "`"},
		{"GOOS/GOARCH", runtime.GOOS + "/" + runtime.GOARCH},
		{"CPU", cpu},
		{"nproc", fmt.Sprint(runtime.NumCPU())},
		{"load generator", fmt.Sprintf("%s, %d connections, on the same machine", gen, b.cfg.conns)},
		{"command", "`" + b.command + "`"},
		{"date", b.started.UTC().Format("2006-01-02")},
		{"total time", time.Since(b.started).Round(time.Second).String()},
	}
	if len(b.loadavg) > 0 {
		t.rows = append(t.rows, []string{"load average (1 min) during the run", fmt.Sprintf("median %.1f, max %.1f (the benchmark itself adds about 2 while loading)", median(b.loadavg), slices.Max(b.loadavg))})
	}
	return t
}

const howToRun = "From the module root:\n\n" +
	"```sh\n" +
	"go run ./bench --out docs/benchmarks.md      # every scenario: about 40 minutes on 2 busy cores\n" +
	"go run ./bench --smoke                       # tiny loads, one round, under a minute: checks that everything answers (go test ./bench runs this)\n" +
	"go run ./bench --scenarios direct,nested --duration 5s --rounds 5\n" +
	"go run ./bench --loadgen vegeta              # vegeta instead of a fasthttp client in the separate load-generator process\n" +
	"go run ./bench --loadgen wrk                 # wrk instead, if wrk is on PATH\n" +
	"go run ./bench --loadgen vegeta-inproc       # vegeta in the tool's own process (the old default)\n" +
	"go run ./bench --scenarios direct,nested --perf  # also profile microfn (server and workers) with perf under the direct and nested loads\n" +
	"go run ./bench --scenarios memory,restart   # memory for 1, 10, 100 packages; restart after a crash\n" +
	"go run ./bench --scenarios app             # the executable of microfn build against the baseline: cold start, calls, memory\n" +
	"go run ./bench --scenarios modreload       # save → served for the seed and a module of 5 packages, interpreted and compiled\n" +
	"go run ./bench --peer-cmd './other --addr {addr}'  # a third server speaking the same endpoints\n" +
	"go run ./bench --scenarios db                # database operations through a service against the driver, on SQLite and PostgreSQL (if installed)\n" +
	"```\n\n" +
	"The tool builds `./cmd/microfn` and the baseline (`./bench/baseline`: plain compiled Go on Fiber serving the same functions natively, " +
	"with Fib's recursive calls over HTTP through one pooled keep-alive fasthttp client), starts each as a subprocess on a free 127.0.0.1 port, " +
	"waits for its `/readyz` (the baseline's `/healthz`), runs the scenario and stops it (SIGTERM, then SIGKILL after 5s). microfn serves a package the tool writes to a temporary directory: " +
	"`bench/baseline/fns.go` itself, whose annotations are the policies microfn applies, plus a `Fib` that calls itself. " +
	"Within each round the servers run side by side and take turns, in slices of about 2s for the loads and call by call for single calls, each going first in turn, so that noise from the rest of the machine hits all of them alike; figures are medians across rounds. On a shared machine, read the ratios and CPU/req rather than the absolute figures, and mind the load average in the table above. " +
	"The load generator is, by default, the tool itself started again as a separate process, a closed loop of fasthttp requests on `--conns` keep-alive connections that reports its measurements as JSON; it still shares the machine's cores with the servers. " +
	"microfn's CPU and memory are summed over its process tree: the server and its worker processes (`--isolate=package`, the default, runs each package's service code in a worker process, the same executable started again). " +
	"Every load is bounded in time, targets loopback only and stops by itself; any non-200 answer or wrong body is an error, reported, and makes the tool exit 1.\n"

// writeReport writes the Markdown report to path.
func (b *bench) writeReport(path string) error {
	var w strings.Builder
	w.WriteString("# microfn benchmarks\n\n")
	w.WriteString("Generated by `go run ./bench` (see bench/main.go); rerun it rather than editing this file by hand.\n\n")
	if b.cfg.smoke {
		w.WriteString("**Smoke run**: tiny loads and sizes, one round. These figures only show that everything answers; do not read performance into them.\n\n")
	}
	w.WriteString(b.machine().markdown() + "\n")
	w.WriteString("## Goals\n\nThe goals of the production application (`microfn build`, scenario app) and of module reloads (scenario modreload), each against the figure that measures it.\n\n")
	w.WriteString(b.goalTable(goalLatest).markdown() + "\n")
	w.WriteString("The goals of the isolation boundary's cost (\"isolated\" is `" + isolated + "`, microfn's default: service code in a worker process per package; \"in process\" is `" + notIsolated + "`).\n\n")
	w.WriteString(b.goalTable(goalIsolation).markdown() + "\n")
	w.WriteString("The goals of earlier issues, measured again in the same run.\n\n")
	w.WriteString(b.goalTable(goalEarlier).markdown() + "\n")
	if len(b.failures) > 0 {
		w.WriteString("**Failures** (wrong answers or errors; the figures around them are suspect):\n\n")
		for _, f := range b.failures {
			w.WriteString("- " + strings.ReplaceAll(f, "\n", " ") + "\n")
		}
		w.WriteString("\n")
	}
	w.WriteString("## How to run\n\n" + howToRun + "\n")
	for _, s := range b.sections {
		w.WriteString(s.markdown())
	}
	for _, p := range b.profiles {
		w.WriteString(p.markdown())
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return os.WriteFile(path, []byte(b.sanitize(w.String())), 0o644)
}
