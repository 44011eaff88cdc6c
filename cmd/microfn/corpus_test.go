package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/gomod"
	"github.com/microfn/microfn/internal/fidelity"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
)

// The module corpus: testdata/corpus is a Go module of small services,
// one package per popular module, each using it as real code does, with
// the inputs to call them with (inputs.json). TestCorpus runs every
// service compiled by the Go toolchain (package internal/fidelity, as the
// interpreter's differential suite does) and through microfn, as a user
// would run it, and compares the answers:
//
//   - microfn check, in the default sandbox: which --allow each module
//     needs, and no crash;
//   - microfn serve --tier=interpreted --unrestricted: what the
//     interpreter runs, whatever the sandbox;
//   - microfn serve --tier=auto --unrestricted, once every package is
//     compiled: the compiled tier, and why a package is served compiled
//     only;
//   - a microfn built with microfn build --with every module of the
//     corpus, serving interpreted in the default sandbox.
//
// A package that loads answers every call as compiled Go does, or the
// test fails; one that does not load says why at file:line:col. What each
// package does at each tier is the table below, which the README's
// corpus table reports; the test prints the table it measured.

// corpusWant is what one package of the corpus does at each tier: "works"
// (every call answers as compiled Go does), or a part of the first error
// it is refused with.
type corpusWant struct {
	dir, module string
	// sandbox is what microfn check asks for in the default sandbox:
	// "" or the packages --allow adds, or "--unrestricted".
	sandbox     string
	interpreted string
	// compiled is the compiled tier (--tier=auto): "works" or "works,
	// compiled only" (the interpreter refuses the package).
	compiled string
	with     string
}

// corpusWants are the outcomes of the interpreter, as measured: "works",
// "refused" (at load, at file:line:col, and then served compiled only),
// or "differs": the interpreter loads the package and answers some calls
// unlike compiled Go, a known fault of the interpreter not fixed yet,
// which the README's table names. Any other outcome fails the test, and
// so does every package the compiled tier does not serve with Go's
// answers.
var corpusWants = []corpusWant{
	{dir: "cache", module: "github.com/hashicorp/golang-lru/v2", interpreted: "refused"},
	{dir: "collections", module: "github.com/samber/lo", interpreted: "refused"},
	{dir: "compare", module: "github.com/google/go-cmp", interpreted: "differs"},
	{dir: "hashing", module: "github.com/cespare/xxhash/v2", interpreted: "refused"},
	{dir: "human", module: "github.com/dustin/go-humanize", interpreted: "works"},
	{dir: "i18n", module: "golang.org/x/text", interpreted: "refused"},
	{dir: "ids", module: "github.com/google/uuid", interpreted: "works"},
	{dir: "jsonpath", module: "github.com/tidwall/gjson", interpreted: "refused"},
	{dir: "money", module: "github.com/shopspring/decimal", interpreted: "works"},
	{dir: "ordered", module: "github.com/google/btree", interpreted: "refused"},
	{dir: "parallel", module: "golang.org/x/sync/errgroup", interpreted: "works"},
	{dir: "passwords", module: "golang.org/x/crypto/bcrypt", interpreted: "works"},
	{dir: "slugs", module: "github.com/gosimple/slug", interpreted: "works"},
	{dir: "tokens", module: "github.com/golang-jwt/jwt/v5", interpreted: "differs"},
	{dir: "tomlconf", module: "github.com/BurntSushi/toml", interpreted: "refused"},
	{dir: "ulids", module: "github.com/oklog/ulid/v2", interpreted: "refused"},
	{dir: "validation", module: "github.com/go-playground/validator/v10", interpreted: "refused"},
	{dir: "versions", module: "github.com/Masterminds/semver/v3", interpreted: "works"},
	{dir: "wrapping", module: "github.com/pkg/errors", interpreted: "differs"},
	{dir: "yamlconf", module: "gopkg.in/yaml.v3", interpreted: "differs"},
	{dir: "zaplog", module: "go.uber.org/zap", interpreted: "refused"},
	{dir: "zerologs", module: "github.com/rs/zerolog", interpreted: "refused"},
}

// corpusOutcome is what a package did at one tier.
type corpusOutcome struct {
	works   bool
	refusal string   // the first load error
	differs []string // the calls whose answers differ from compiled Go's
	only    string   // why the package is served compiled only
}

// kind is "works", "refused" or "differs".
func (o corpusOutcome) kind() string {
	switch {
	case len(o.differs) > 0:
		return "differs"
	case o.works:
		return "works"
	}
	return "refused"
}

func (o corpusOutcome) String() string {
	switch {
	case len(o.differs) > 0:
		return "DIFFERS: " + strings.Join(o.differs, "; ")
	case o.works && o.only != "":
		return "works, compiled only"
	case o.works:
		return "works"
	}
	return "refused: " + o.refusal
}

// positioned matches an error at file:line:col.
var positioned = regexp.MustCompile(`^[^\s:]+:\d+:\d+: `)

func TestCorpus(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds microfn and the corpus with the Go toolchain (a few minutes)")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the Go toolchain is not on PATH")
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()

	// The corpus, its modules in the module cache (the one download
	// the test makes, through the module proxy), and a copy for the
	// compiled drivers.
	root := copyTree(t, filepath.Join("testdata", "corpus"))
	corpusGo(t, ctx, goTool, root, "mod", "download")
	mod, err := gomod.Find(root, funcs.Limits{})
	if err != nil || mod == nil {
		t.Fatalf("the corpus module: %v", err)
	}
	pkgs := fidelity.LoadPackages(t, root, mod.Importer())
	fidelity.CheckInputs(t, pkgs)
	want := fidelity.RunCompiled(t, goTool, copyTree(t, root), pkgs)

	bin := filepath.Join(t.TempDir(), "microfn")
	corpusGo(t, ctx, goTool, ".", "build", "-o", bin, ".")

	// microfn check in the default sandbox: the --allow each module
	// needs; never a crash.
	sandbox := map[string]string{}
	check := exec.CommandContext(ctx, bin, "check", root)
	var checkOut bytes.Buffer
	check.Stdout, check.Stderr = &checkOut, &checkOut
	if err := check.Run(); err != nil && check.ProcessState.ExitCode() != 1 {
		t.Fatalf("microfn check: %v\n%s", err, checkOut.String())
	}
	for _, line := range strings.Split(checkOut.String(), "\n") {
		if strings.Contains(line, "crashed") {
			t.Errorf("microfn check: %s", line)
		}
		for _, p := range pkgs {
			if strings.Contains(line, "microfn.test/corpus/"+p.Rel+" imports") || strings.HasPrefix(line, p.Rel+"/") {
				sandbox[p.Rel] = joinFlag(sandbox[p.Rel], sandboxFlag(line))
			}
		}
	}

	interpreted := serveCorpus(t, ctx, bin, root, pkgs, want, false, "--tier=interpreted", "--unrestricted")
	compiled := serveCorpus(t, ctx, bin, root, pkgs, want, true, "--tier=auto", "--unrestricted")

	var with map[string]corpusOutcome
	if os.Getenv("MICROFN_CORPUS_WITH") != "" {
		custom := filepath.Join(t.TempDir(), "microfn-with")
		args := []string{"build", "-o", custom, "--microfn", "../.."}
		for _, m := range corpusModules(t, goTool, root) {
			args = append(args, "--with", m)
		}
		build := exec.CommandContext(ctx, bin, args...)
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("microfn build --with: %v\n%s", err, out)
		}
		with = serveCorpus(t, ctx, custom, root, pkgs, want, false, "--tier=interpreted")
	}

	var table strings.Builder
	table.WriteString("| package | module | default sandbox | interpreted | compiled tier | build --with |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, p := range pkgs {
		w := wantOf(p.Rel)
		withText := "not run (MICROFN_CORPUS_WITH=1 runs it)"
		if with != nil {
			withText = with[p.Rel].String()
		}
		fmt.Fprintf(&table, "| %s | %s | %s | %s | %s | %s |\n", p.Rel, w.module, orNone(sandbox[p.Rel]), interpreted[p.Rel], compiled[p.Rel], withText)
		if c := compiled[p.Rel]; !c.works || len(c.differs) > 0 {
			t.Errorf("%s: the compiled tier %s, want every answer compiled Go's", p.Rel, c)
		}
		if c, i := compiled[p.Rel], interpreted[p.Rel]; (c.only != "") != (i.refusal != "") {
			t.Errorf("%s: served compiled only %q, but the interpreter %s", p.Rel, c.only, i)
		}
		if got := interpreted[p.Rel].kind(); got != w.interpreted {
			t.Errorf("%s interpreted: %s, want %s", p.Rel, interpreted[p.Rel], w.interpreted)
		}
		if got := interpreted[p.Rel]; got.refusal != "" && !positioned.MatchString(got.refusal) {
			t.Errorf("%s interpreted: refused without file:line:col: %s", p.Rel, got.refusal)
		}
	}
	t.Logf("the corpus, measured in %s:\n%s", time.Since(start).Round(time.Second), table.String())
}

// wantOf returns the expected outcomes of the package in dir.
func wantOf(dir string) corpusWant {
	for _, w := range corpusWants {
		if w.dir == dir {
			return w
		}
	}
	return corpusWant{dir: dir}
}

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

// sandboxFlag returns the flag a load error of microfn check asks for.
func sandboxFlag(line string) string {
	if i := strings.Index(line, "allow it with microfn serve --allow "); i >= 0 {
		f := strings.Fields(line[i+len("allow it with microfn serve --allow "):])
		if len(f) > 0 {
			return strings.TrimSuffix(f[0], ",")
		}
	}
	if strings.Contains(line, "needs microfn serve --unrestricted") {
		return "--unrestricted"
	}
	return ""
}

// joinFlag adds flag to the sorted list in list.
func joinFlag(list, flag string) string {
	if flag == "" {
		return list
	}
	var all []string
	if list != "" {
		all = strings.Split(list, ",")
	}
	if !slices.Contains(all, flag) {
		all = append(all, flag)
	}
	sort.Strings(all)
	return strings.Join(all, ",")
}

// serveCorpus serves the corpus with bin and flags, waits until every
// package has loaded (and, if compiled, been built), and calls each
// service with its inputs, comparing the answers with want.
func serveCorpus(t *testing.T, ctx context.Context, bin, root string, pkgs []*fidelity.Package, want map[string]map[string]fidelity.Outcome, compiled bool, flags ...string) map[string]corpusOutcome {
	t.Helper()
	addr := freeAddr(t)
	// A load deadline well past the default: the test checks what loads
	// and what it answers, not how fast, and a shared machine can make
	// x/text's init run for seconds, and an interpreted bcrypt call (cost
	// 10) run past the default 30 s call timeout under the race detector.
	cmd := exec.CommandContext(ctx, bin, append([]string{"serve", root, "--addr", addr, "--no-watch", "--quiet", "--load-timeout", "2m", "--default-timeout", "3m"}, flags...)...)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	var h server.Health
	deadline := time.Now().Add(8 * time.Minute)
	for {
		h = corpusHealth(addr)
		if corpusSettled(h, len(pkgs), compiled) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s serve %s: not settled within 8 minutes: %+v\n%s", filepath.Base(bin), strings.Join(flags, " "), h, log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	out := map[string]corpusOutcome{}
	for _, ps := range h.Packages {
		var o corpusOutcome
		if ps.Crashes != nil {
			t.Errorf("%s serve %s: a worker of %s crashed: %+v", filepath.Base(bin), strings.Join(flags, " "), ps.Dir, ps.Crashes)
		}
		for _, e := range ps.Errors {
			if !positioned.MatchString(e) {
				t.Errorf("%s serve %s: %s: an error without file:line:col: %s", filepath.Base(bin), strings.Join(flags, " "), ps.Dir, e)
			}
		}
		o.only = strings.TrimPrefix(ps.CompiledOnly, "served compiled only: ")
		if ps.State != "ok" || (compiled && ps.Tier != "compiled") {
			o.refusal = firstLine(ps.Errors)
			if ps.Build != nil && len(ps.Build.Errors) > 0 {
				o.refusal = firstLine(ps.Build.Errors)
			}
			out[ps.Dir] = o
			continue
		}
		o.works = true
		out[ps.Dir] = o
	}
	for _, p := range pkgs {
		o, ok := out[p.Rel]
		if !ok || !o.works {
			continue
		}
		for _, c := range p.Calls() {
			key := fidelity.Key(c[0], c[1])
			got, tier := corpusCall(t, addr, p.Rel+"/"+c[0], c[1])
			if compiled && tier != "compiled" {
				t.Errorf("%s answered from %q, want compiled", key, tier)
			}
			if w := want[p.Rel][key]; !sameOverHTTP(w, got) {
				o.differs = append(o.differs, fmt.Sprintf("%s %s: go %v, microfn %v", p.Rel, key, w, got))
			}
		}
		out[p.Rel] = o
	}
	return out
}

// corpusSettled reports whether every package of h has loaded, and, if
// compiled, been built or refused.
func corpusSettled(h server.Health, n int, compiled bool) bool {
	if h.Status == "" || h.Status == "loading" || len(h.Packages) < n {
		return false
	}
	for _, p := range h.Packages {
		if p.State != "ok" && p.State != "failed" {
			return false
		}
		if compiled && p.Tier != "compiled" && (p.Build == nil || p.Build.State == "building") && (p.State == "ok" || p.Build != nil) {
			return false
		}
	}
	return true
}

func corpusHealth(addr string) server.Health {
	var h server.Health
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		return h
	}
	defer resp.Body.Close()
	json.NewDecoder(resp.Body).Decode(&h)
	return h
}

func firstLine(errs []string) string {
	if len(errs) == 0 {
		return "(no error)"
	}
	return errs[0]
}

// corpusCall posts input to the route and returns its outcome and the
// tier that answered.
func corpusCall(t *testing.T, addr, route, input string) (fidelity.Outcome, string) {
	t.Helper()
	resp, err := http.Post("http://"+addr+"/"+route, "application/json", strings.NewReader(input))
	if err != nil {
		t.Fatalf("%s: %v", route, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s: %v", route, err)
	}
	tier := resp.Header.Get(protocol.HeaderTier)
	if resp.StatusCode == http.StatusOK {
		return fidelity.Outcome{Result: body}, tier
	}
	var p protocol.Problem
	if err := json.Unmarshal(body, &p); err != nil {
		text := fmt.Sprintf("status %d: %s", resp.StatusCode, body)
		return fidelity.Outcome{Panic: &fidelity.Panic{Text: text}}, tier
	}
	if p.Returned != nil {
		return fidelity.Outcome{Error: &p.Detail}, tier
	}
	return fidelity.Outcome{Panic: &fidelity.Panic{Text: p.Detail}}, tier
}

// sameOverHTTP compares a compiled outcome with one over HTTP, where a
// panic is its text only.
func sameOverHTTP(want, got fidelity.Outcome) bool {
	if want.Panic != nil && got.Panic != nil {
		return strings.Contains(got.Panic.Text, want.Panic.Text)
	}
	return fidelity.Same(want, got)
}

// corpusModules returns the modules the corpus requires directly, as
// MODULE@VERSION.
func corpusModules(t *testing.T, goTool, root string) []string {
	t.Helper()
	cmd := exec.Command(goTool, "list", "-m", "-f", "{{if not .Indirect}}{{if not .Main}}{{.Path}}@{{.Version}}{{end}}{{end}}", "all")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod", "GOPROXY=off")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -m: %v", err)
	}
	return strings.Fields(string(out))
}

// corpusGo runs the go command in dir.
func corpusGo(t *testing.T, ctx context.Context, goTool, dir string, args ...string) {
	t.Helper()
	cmd := exec.CommandContext(ctx, goTool, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// copyTree copies the directory src into a new temporary directory.
func copyTree(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if e.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}
