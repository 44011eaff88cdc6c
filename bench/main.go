// Command bench measures microfn against a plain compiled Go server that
// serves the same functions natively (bench/baseline), and writes the
// figures as a table on stdout and, with --out, as a Markdown report.
//
// Usage, from the module root:
//
//	go run ./bench                                  # every scenario, 10s loads, 3 rounds
//	go run ./bench --smoke                          # a quick check that everything answers (CI)
//	go run ./bench --out docs/benchmarks.md         # also write the report
//	go run ./bench --scenarios direct,nested --duration 5s --rounds 5
//	go run ./bench --peer-cmd './other-server --listen {addr}'
//
// The scenarios are direct, nested, memory, restart, interp, policies, reload,
// startup, chain, tier, db, app, modreload and across;
// docs/benchmarks.md describes each and the goals. The tool builds the
// microfn command and the baseline once, starts each server as a
// subprocess on a free 127.0.0.1 port, and stops it after the scenario.
// Every load is bounded in time and requests and targets loopback only. It exits 1 if
// any server answered wrongly or failed, 2 on bad flags, and 0 otherwise,
// whether or not the goals are met.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

func main() {
	if os.Getenv(loadgenEnv) == "1" {
		// The tool started this process to generate a load.
		os.Exit(loadgenMain(os.Stdin, os.Stdout))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Output piped into a command that exits early (| head) must not kill
	// the tool before it has stopped its servers: with SIGPIPE notified
	// (not ignored, which the servers would inherit), writes fail instead.
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// allScenarios lists the scenarios in the order they run.
var allScenarios = []string{"direct", "nested", "memory", "restart", "interp", "policies", "reload", "startup", "chain", "tier", "db", "app", "modreload", "across"}

// config is the parsed command line.
type config struct {
	scenarios []string
	duration  time.Duration // of one load run
	warmup    time.Duration // unmeasured load before each run
	rounds    int
	smoke     bool
	out       string
	peerCmd   string
	loadgen   string // "fasthttp" or "vegeta" (in a process of its own), "vegeta-inproc" or "wrk"
	conns     int
	perf      bool
	nproc     int

	// Sizes, by mode.
	fibNs      []int
	fibSamples map[int]int
	// fibTailSamples is how many calls of the first of fibNs the nested
	// scenario samples per round, at least: enough, over the rounds, for
	// a p99.
	fibTailSamples int
	interpN        map[string]int
	interpCalls    int
	reloadSizes    []int
	reloadReps     int
	tierReps       int
	memReloads     [2]int
	startSizes     []int
	chainSizes     []int // packages in the chain scenario
	startRounds    int
	policyTime     time.Duration // of the in-process policy measurement
	memSizes       []int         // packages in the memory scenario
	memIdle        time.Duration // wait before sampling idle memory
	crashes        int           // packages crashed in the restart scenario, one sample each
	appStarts      int           // measured cold starts of the application
	modReps        int           // saves of each module-reload case, --tier=interpreted
	modAutoReps    int           // and --tier=auto
	modProfReps    int           // saves profiled, if a library save is slow (0: none)
	modAuto        []string      // the module-reload cases measured with --tier=auto too
}

// run is the whole tool: it parses args, runs the scenarios and reports.
// It returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	root, err := moduleRoot()
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "microfn-bench-")
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	b := &bench{
		cfg:     cfg,
		root:    root,
		tmp:     tmp,
		stdout:  stdout,
		stderr:  stderr,
		procs:   map[*proc]bool{},
		command: commandLine(args, root),
		started: time.Now(),
	}
	defer b.stopAll()
	b.runAll(ctx)
	b.finish()
	if cfg.out != "" {
		if err := b.writeReport(cfg.out); err != nil {
			fmt.Fprintln(stderr, "bench:", err)
			return 1
		}
		fmt.Fprintf(stderr, "bench: wrote %s\n", cfg.out)
	}
	if len(b.failures) > 0 {
		fmt.Fprintf(stderr, "bench: %d failure(s):\n", len(b.failures))
		for _, f := range b.failures {
			fmt.Fprintln(stderr, "  -", f)
		}
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: go run ./bench [flags]\n\nBenchmark microfn against a compiled Go baseline serving the same functions.\nScenarios: %s.\n\nFlags:\n", strings.Join(allScenarios, ", "))
		fs.PrintDefaults()
	}
	scenarios := fs.String("scenarios", "all", "comma-separated `list` of scenarios to run, or all")
	duration := fs.Duration("duration", 10*time.Second, "length of each load run")
	rounds := fs.Int("rounds", 3, "A/B interleavings; figures are medians across rounds")
	smoke := fs.Bool("smoke", false, "tiny loads and sizes, one round: checks that everything answers correctly (CI)")
	out := fs.String("out", "", "write a Markdown report to this `file`, such as docs/benchmarks.md")
	peer := fs.String("peer-cmd", "", "shell `command` of another server with the same endpoints (GET/POST /IsEven, /Fib, /SumSquares, /BuildString, /EncodeJSON, /healthz), {addr} replaced by the 127.0.0.1:PORT to listen on; added as a column")
	loadgen := fs.String("loadgen", "fasthttp", "load `generator`: fasthttp or vegeta (a closed loop of --conns keep-alive connections with that client, run in a process of its own: this tool started again), vegeta-inproc (vegeta in the tool's own process, the old default) or wrk (must be on PATH)")
	conns := fs.Int("conns", 64, "concurrent connections of the max-rate loads")
	perf := fs.Bool("perf", false, "record microfn (the server and its worker processes) with perf, if on PATH, during the first direct IsEven GET load and the first largest Fib, and report where its CPU goes")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "bench: unexpected argument %q\n", fs.Arg(0))
		return nil, errors.New("usage")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	cfg := &config{
		duration: *duration, rounds: *rounds, smoke: *smoke, out: *out, peerCmd: *peer,
		loadgen: *loadgen, conns: *conns, perf: *perf, nproc: runtime.NumCPU(),
	}
	if *scenarios == "all" || *scenarios == "" {
		cfg.scenarios = allScenarios
		if cfg.smoke {
			// db builds a compiled worker and starts PostgreSQL: its
			// smoke run is a test of its own (TestSmokeDB).
			cfg.scenarios = slices.DeleteFunc(slices.Clone(allScenarios), func(s string) bool { return s == "db" })
		}
	} else {
		for _, s := range strings.Split(*scenarios, ",") {
			s = strings.TrimSpace(s)
			if !slices.Contains(allScenarios, s) {
				fmt.Fprintf(stderr, "bench: unknown scenario %q (known: %s)\n", s, strings.Join(allScenarios, ", "))
				return nil, errors.New("usage")
			}
			if !slices.Contains(cfg.scenarios, s) {
				cfg.scenarios = append(cfg.scenarios, s)
			}
		}
	}
	switch cfg.loadgen {
	case "fasthttp", "vegeta", "vegeta-inproc":
	case "wrk":
		if _, err := exec.LookPath("wrk"); err != nil {
			fmt.Fprintln(stderr, "bench: --loadgen wrk: wrk is not on PATH (apt-get install wrk), or use the default vegeta")
			return nil, err
		}
	default:
		fmt.Fprintf(stderr, "bench: --loadgen must be fasthttp, vegeta, vegeta-inproc or wrk, got %q\n", cfg.loadgen)
		return nil, errors.New("usage")
	}
	if cfg.rounds < 1 || cfg.duration <= 0 || cfg.conns < 1 {
		fmt.Fprintln(stderr, "bench: --rounds, --duration and --conns must be positive")
		return nil, errors.New("usage")
	}
	if cfg.smoke {
		if !set["duration"] {
			cfg.duration = 300 * time.Millisecond
		}
		if !set["rounds"] {
			cfg.rounds = 1
		}
		cfg.warmup = 100 * time.Millisecond
		cfg.fibNs = []int{10}
		cfg.fibSamples = map[int]int{10: 3}
		cfg.fibTailSamples = 3
		cfg.interpN = map[string]int{"SumSquares": 10_000, "BuildString": 1_000, "EncodeJSON": 100}
		cfg.interpCalls = 3
		cfg.reloadSizes = []int{1, 10, 100}
		cfg.reloadReps = 3
		cfg.tierReps = 2
		cfg.memReloads = [2]int{10, 50}
		cfg.startSizes = []int{1, 100}
		cfg.startRounds = 1
		cfg.chainSizes = []int{20}
		cfg.policyTime = 50 * time.Millisecond
		cfg.memSizes = []int{1, 3}
		cfg.memIdle = 300 * time.Millisecond
		cfg.crashes = 2
		cfg.appStarts = 2
		cfg.modReps, cfg.modAutoReps, cfg.modProfReps = 1, 1, 0
		cfg.modAuto = []string{"library"}
	} else {
		cfg.warmup = min(2*time.Second, cfg.duration/5)
		cfg.fibNs = []int{10, 15, 18}
		cfg.fibSamples = map[int]int{10: 31, 15: 9, 18: 5}
		cfg.fibTailSamples = 101
		cfg.interpN = map[string]int{"SumSquares": 3_000_000, "BuildString": 300_000, "EncodeJSON": 30_000}
		cfg.interpCalls = 5
		cfg.reloadSizes = []int{1, 10, 100}
		cfg.reloadReps = 3
		cfg.tierReps = 20
		cfg.memReloads = [2]int{10, 1000}
		cfg.startSizes = []int{1, 100, 1000}
		cfg.startRounds = cfg.rounds
		cfg.chainSizes = []int{150, 600, 1000}
		cfg.policyTime = time.Second
		cfg.memSizes = []int{1, 10, 100}
		cfg.memIdle = 2 * time.Second
		cfg.crashes = 20
		cfg.appStarts = 11
		cfg.modReps, cfg.modAutoReps, cfg.modProfReps = 20, 5, 10
		cfg.modAuto = []string{"seed", "library", "leaf"}
	}
	return cfg, nil
}

// moduleRoot finds the directory of microfn's go.mod, from the working
// directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && strings.Contains(string(data), "module github.com/microfn/microfn\n") {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("run the benchmark inside the microfn module (go run ./bench from its root)")
		}
		dir = parent
	}
}

// commandLine is the command as a person would type it from the module
// root, for the report. An absolute --out path is shown relative to the
// root, or by its base name if outside, so that no machine path ends up in
// the report.
func commandLine(args []string, root string) string {
	parts := []string{"go", "run", "./bench"}
	rel := func(path string) string {
		if !filepath.IsAbs(path) {
			return path
		}
		if r, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
		return filepath.Base(path)
	}
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case (a == "--out" || a == "-out") && i+1 < len(args):
			parts = append(parts, a, shellQuote(rel(args[i+1])))
			i++
			continue
		case strings.HasPrefix(a, "--out=") || strings.HasPrefix(a, "-out="):
			k, v, _ := strings.Cut(a, "=")
			a = k + "=" + rel(v)
		}
		parts = append(parts, shellQuote(a))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=,:@%+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// bench is one run of the tool.
type bench struct {
	cfg     *config
	root    string // the module root
	tmp     string // work directory: binaries and generated packages
	stdout  io.Writer
	stderr  io.Writer
	command string
	started time.Time

	rev                     string // the source benchmarked, see revision
	microfnBin, baselineBin string
	loadgenBin              string // this tool, run as the load generator
	hasShared               bool   // microfn serve has --isolate=shared
	benchPkg                string // the package of writeBenchPackage

	mu    sync.Mutex
	procs map[*proc]bool

	sections  []*section
	goals     []goal
	failures  []string
	profiles  []profile     // if --perf
	loadavg   []float64     // 1-minute load averages seen by progress
	directCPU time.Duration // microfn's CPU per IsEven GET, for the policy section

	appBin   string        // the application of the bench package, once built (see appExe)
	appErr   error         // why it did not build
	appBuild time.Duration // how long microfn build took
}

// fail records a failure: a wrong answer, an error status, a server that
// did not start. Any failure makes the exit code 1.
func (b *bench) fail(format string, args ...any) {
	msg := b.sanitize(fmt.Sprintf(format, args...))
	b.failures = append(b.failures, msg)
	fmt.Fprintln(b.stderr, "bench: FAIL:", msg)
}

// sanitize keeps machine paths out of messages that go into the report.
func (b *bench) sanitize(s string) string {
	s = strings.ReplaceAll(s, b.tmp, "$TMP")
	return strings.ReplaceAll(s, b.root, ".")
}

// progress prints a progress line on stderr, and samples the load
// average for the report.
func (b *bench) progress(format string, args ...any) {
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		var l float64
		if _, err := fmt.Sscan(string(data), &l); err == nil {
			b.loadavg = append(b.loadavg, l)
		}
	}
	fmt.Fprintf(b.stderr, "[%5.1fs] %s\n", time.Since(b.started).Seconds(), fmt.Sprintf(format, args...))
}

// runAll builds the servers and runs the chosen scenarios.
func (b *bench) runAll(ctx context.Context) {
	b.progress("building microfn, the baseline and the load generator")
	b.rev = b.revision()
	var err error
	if b.microfnBin, err = b.build(ctx, "microfn", "./cmd/microfn"); err != nil {
		b.fail("%v", err)
		return
	}
	if b.baselineBin, err = b.build(ctx, "baseline", "./bench/baseline"); err != nil {
		b.fail("%v", err)
		return
	}
	b.hasShared = b.supports("shared (one worker process")
	// The load generator is this tool built again: the running
	// executable may be a test binary, built with -race.
	if b.loadgenBin, err = b.build(ctx, "loadgen", "./bench"); err != nil {
		b.fail("%v", err)
		return
	}
	b.benchPkg = filepath.Join(b.tmp, "pkg", "benchfns")
	if err := writeBenchPackage(b.benchPkg); err != nil {
		b.fail("%v", err)
		return
	}
	for _, s := range b.cfg.scenarios {
		if ctx.Err() != nil {
			b.fail("interrupted before scenario %s", s)
			return
		}
		b.progress("scenario %s", s)
		switch s {
		case "direct":
			b.direct(ctx)
		case "nested":
			b.nested(ctx)
		case "memory":
			b.memory(ctx)
		case "restart":
			b.restart(ctx)
		case "interp":
			b.interp(ctx)
		case "policies":
			b.policies(ctx)
		case "reload":
			b.reload(ctx)
		case "startup":
			b.startup(ctx)
		case "tier":
			b.tier(ctx)
		case "chain":
			b.chain(ctx)
		case "db":
			b.db(ctx)
		case "app":
			b.app(ctx)
		case "modreload":
			b.modreload(ctx)
		case "across":
			b.across(ctx)
		}
		b.stopAll()
	}
}

// supports reports whether microfn serve's help mentions text: whether
// the microfn built has a flag or mode.
func (b *bench) supports(text string) bool {
	out, _ := exec.Command(b.microfnBin, "serve", "--help").CombinedOutput()
	return strings.Contains(string(out), text)
}

// Server specs.

// The isolation modes the scenarios compare: service code in a worker
// process per package (microfn's default), and in the server's process.
const (
	isolated    = "--isolate=package"
	notIsolated = "--isolate=none"
	// sharedWorker runs every package in one worker process; the memory
	// scenario measures it too when the microfn built has it.
	sharedWorker = "--isolate=shared"
)

// compiledTier serves only compiled versions; a mode without a --tier
// flag is measured interpreted.
const compiledTier = "--tier=compiled"

func (b *bench) microfnSpec(dir string, extra ...string) procSpec {
	argv := append([]string{b.microfnBin, "serve", dir, "--addr", "{addr}", "--quiet", "--no-watch"}, extra...)
	name := "microfn"
	if len(extra) > 0 {
		name += " " + strings.Join(extra, " ")
	}
	if !slices.ContainsFunc(extra, func(f string) bool { return strings.HasPrefix(f, "--tier") }) && b.supports("-tier") {
		// microfn serve builds a compiled tier in the background by
		// default: the interpreter is measured on its own.
		argv = append(argv, "--tier=interpreted")
	}
	return procSpec{name: name, argv: argv, ready: "/readyz"}
}

func (b *bench) baselineSpec() procSpec {
	return procSpec{name: "baseline", argv: []string{b.baselineBin, "--addr", "{addr}"}, ready: "/healthz"}
}

func (b *bench) peerSpec() procSpec {
	return procSpec{name: "peer", argv: []string{b.cfg.peerCmd}, shell: true, ready: "/healthz"}
}

// variants returns the servers compared in the direct, nested and
// interpreter scenarios: microfn in each of modes (each a list of
// flags), the baseline, and the peer if any.
func (b *bench) variants(modes ...[]string) []procSpec {
	var vs []procSpec
	for _, m := range modes {
		vs = append(vs, b.microfnSpec(b.benchPkg, m...))
	}
	vs = append(vs, b.baselineSpec())
	if b.cfg.peerCmd != "" {
		vs = append(vs, b.peerSpec())
	}
	return vs
}

// startAll starts every variant; on a failure it stops those it started
// and returns nil.
func (b *bench) startAll(ctx context.Context, specs []procSpec) []*proc {
	ps := make([]*proc, len(specs))
	for i, s := range specs {
		p, _, err := b.start(ctx, s, 60*time.Second)
		if err != nil {
			b.fail("start %s: %v", s.name, err)
			for _, q := range ps[:i] {
				b.stopProc(q)
			}
			return nil
		}
		ps[i] = p
	}
	return ps
}

// rotate returns the indexes 0…n-1 starting at round mod n, so that each
// server goes first in turn.
func rotate(n, round int) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = (i + round) % n
	}
	return idx
}
