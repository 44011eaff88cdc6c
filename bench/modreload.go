package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// 12. Module reload

// The module of the module-reload scenario: a library, domain, that uses
// two third-party modules, and four service packages that import it;
// orders.PlaceOrder calls a service of each of the other three.
const (
	modPath = "example.com/modbench"
	// modGoMod requires modules the corpus test uses too, so that the
	// module cache of a machine that runs microfn's tests has them.
	modGoMod = "module " + modPath + "\n\ngo 1.22\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgithub.com/shopspring/decimal v1.6.0\n)\n"
	modGoSum = "github.com/google/uuid v1.6.0 h1:NIvaJDMOsjHA8n1jAhLSgzrAzy1Hgr+hNrb57e+94F0=\n" +
		"github.com/google/uuid v1.6.0/go.mod h1:TIyPZe4MgqvfeYDBFedMoGGpEw/LqOeaOT+nhxU+yHo=\n" +
		"github.com/shopspring/decimal v1.6.0 h1:DcTwjCj4tJPLuGZYsR9W0hyX9pQwMIkdo26Ig1T9xX4=\n" +
		"github.com/shopspring/decimal v1.6.0/go.mod h1:gawqmDU56v4yIKSwfBSFip1HdCCXN8/+DMd9qYNcwME=\n"
)

// modAllow is what the module needs beyond microfn's default sandbox.
const modAllow = "database/sql/driver,net,os"

// modServices are the service packages of the module, orders last.
var modServices = []string{"inventory", "payments", "notify", "orders"}

// domainSource is the library at generation gen: Rev, which every
// service reports, is "[dGEN]". nonce makes its source one no build has
// seen.
func domainSource(gen int, nonce int64) []byte {
	return fmt.Appendf(nil, `// Package domain is the shop's library: money, identifiers and the types
// the services exchange.
package domain

import (
	"fmt"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// %d

// Rev is the library's revision, which every service reports.
const Rev = "[d%d]"

// An Item is a line of an order: a price in decimal.
type Item struct {
	SKU   string `+"`json:\"sku\"`"+`
	Qty   int64  `+"`json:\"qty\"`"+`
	Price string `+"`json:\"price\"`"+`
}

// Total returns the sum of the items' prices times their quantities.
func Total(items []Item) (decimal.Decimal, error) {
	sum := decimal.Zero
	for _, it := range items {
		p, err := decimal.NewFromString(it.Price)
		if err != nil {
			return decimal.Zero, fmt.Errorf("item %%s: %%w", it.SKU, err)
		}
		sum = sum.Add(p.Mul(decimal.NewFromInt(it.Qty)))
	}
	return sum.Round(2), nil
}

// ID derives the identifier of name: a version 5 UUID.
func ID(name string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte(name)).String()
}

// A Reservation is stock set aside.
type Reservation struct {
	ID  string `+"`json:\"id\"`"+`
	SKU string `+"`json:\"sku\"`"+`
	Qty int64  `+"`json:\"qty\"`"+`
	Rev string `+"`json:\"rev\"`"+`
}

// A Payment is a charge made.
type Payment struct {
	ID     string `+"`json:\"id\"`"+`
	Amount string `+"`json:\"amount\"`"+`
	Rev    string `+"`json:\"rev\"`"+`
}

// An Order is an order placed.
type Order struct {
	ID           string        `+"`json:\"id\"`"+`
	Total        string        `+"`json:\"total\"`"+`
	Reservations []Reservation `+"`json:\"reservations\"`"+`
	Payment      Payment       `+"`json:\"payment\"`"+`
	Notice       string        `+"`json:\"notice\"`"+`
	Rev          string        `+"`json:\"rev\"`"+`
}
`, nonce, gen)
}

// serviceSource is service package name at generation gen: its own
// revision is "[xGEN]", x its first letter.
func serviceSource(name string, gen int, nonce int64) []byte {
	head := fmt.Sprintf("// Package %s is a service package of the benchmark's module.\npackage %s\n\n", name, name)
	rev := fmt.Sprintf("\n// %d\n\nconst rev = \"[%c%d]\"\n\n// Rev returns the revisions of the library and of this package.\n//\n//microfn:service\nfunc Rev() string { return domain.Rev + rev }\n", nonce, name[0], gen)
	var body string
	switch name {
	case "inventory":
		body = `import (
	"errors"

	"` + modPath + `/domain"
)
` + rev + `
// Reserve sets qty of sku aside.
//
//microfn:service
func Reserve(sku string, qty int64) (domain.Reservation, error) {
	if qty <= 0 {
		return domain.Reservation{}, errors.New("nothing to reserve")
	}
	return domain.Reservation{ID: domain.ID("reservation/" + sku), SKU: sku, Qty: qty, Rev: domain.Rev + rev}, nil
}
`
	case "payments":
		body = `import (
	"errors"

	"github.com/shopspring/decimal"

	"` + modPath + `/domain"
)
` + rev + `
// Charge charges amount, a decimal, rounded to cents.
//
//microfn:service
func Charge(customer, amount string) (domain.Payment, error) {
	a, err := decimal.NewFromString(amount)
	if err != nil {
		return domain.Payment{}, err
	}
	if !a.IsPositive() {
		return domain.Payment{}, errors.New("nothing to charge")
	}
	return domain.Payment{ID: domain.ID("payment/" + customer + "/" + a.StringFixed(2)), Amount: a.StringFixed(2), Rev: domain.Rev + rev}, nil
}
`
	case "notify":
		body = `import (
	"fmt"

	"` + modPath + `/domain"
)
` + rev + `
// Send tells customer msg.
//
//microfn:service
func Send(customer, msg string) string {
	return fmt.Sprintf("to %s: %s %s", customer, msg, domain.Rev+rev)
}
`
	case "orders":
		body = `import (
	"fmt"

	"` + modPath + `/domain"
	"` + modPath + `/inventory"
	"` + modPath + `/notify"
	"` + modPath + `/payments"
)
` + rev + `
// PlaceOrder reserves the items, charges their total and tells the
// customer: a call of a service of each other package.
//
//microfn:service
func PlaceOrder(customer string, items []domain.Item) (domain.Order, error) {
	total, err := domain.Total(items)
	if err != nil {
		return domain.Order{}, err
	}
	o := domain.Order{ID: domain.ID("order/" + customer + "/" + total.String()), Total: total.StringFixed(2), Rev: domain.Rev + rev}
	for _, it := range items {
		r, err := inventory.Reserve(it.SKU, it.Qty)
		if err != nil {
			return domain.Order{}, fmt.Errorf("reserve %s: %w", it.SKU, err)
		}
		o.Reservations = append(o.Reservations, r)
	}
	if o.Payment, err = payments.Charge(customer, o.Total); err != nil {
		return domain.Order{}, err
	}
	o.Notice = notify.Send(customer, "order "+o.ID+" placed, "+o.Total)
	return o, nil
}
`
	}
	return []byte(head + body)
}

// writeModule writes the module into dir at generation 0.
func writeModule(dir string, nonce int64) error {
	files := map[string][]byte{
		"go.mod":           []byte(modGoMod),
		"go.sum":           []byte(modGoSum),
		"domain/domain.go": domainSource(0, nonce),
	}
	for _, name := range modServices {
		files[name+"/"+name+".go"] = serviceSource(name, 0, nonce)
	}
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, src, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// placeOrderPath is the call of PlaceOrder the scenario checks.
var placeOrderPath = "/orders/PlaceOrder?customer=ada&items=" + url.QueryEscape(`[{"sku":"book","qty":2,"price":"12.50"},{"sku":"pen","qty":3,"price":"1.99"}]`)

// A modCase is what one row of the module-reload scenario saves and
// polls.
type modCase struct {
	what  string
	dir   string // the served folder
	allow string // serve's --allow, if any
	paths []string
	// save writes generation gen; marker is what the polled routes
	// answer at generation gen (and not at any other).
	save   func(gen int) error
	marker func(gen int) string
	check  func(ctx context.Context, c *caller, base string, gen int) error // after a save, untimed; nil: none
}

// modreload measures how soon a save is served: the seed (examples/seed),
// and a module of five packages with third-party imports, saving its
// library (which reloads every package that imports it) or a leaf
// service package, with --tier=interpreted and with --tier=auto, where
// it also measures how soon the compiled tier serves the save.
func (b *bench) modreload(ctx context.Context) {
	if err := b.modDownload(ctx); err != nil {
		b.fail("modreload: %v", err)
		return
	}
	type row struct {
		what, tier string
		modResult
	}
	var rows []row
	var libInterp []time.Duration
	for _, kind := range []string{"seed", "library", "leaf"} {
		for _, tier := range []string{"interpreted", "auto"} {
			if ctx.Err() != nil {
				return
			}
			if tier == "auto" && !slices.Contains(b.cfg.modAuto, kind) {
				continue
			}
			reps := b.cfg.modReps
			if tier == "auto" {
				reps = b.cfg.modAutoReps
			}
			mc, cleanup, err := b.modCase(kind)
			if err != nil {
				b.fail("modreload: %v", err)
				return
			}
			r := b.modRun(ctx, mc, tier, reps, nil)
			cleanup()
			rows = append(rows, row{mc.what, tier, r})
			if kind == "library" && tier == "interpreted" {
				libInterp = r.interp
			}
		}
	}

	s := b.newSection("modreload", "12. Module reload",
		fmt.Sprintf("microfn serving with file watching on (`%s`), with `--tier=interpreted` and with `--tier=auto`. Each step saves a file so that a service answers a new value, then polls the service's route every millisecond until it does: the time from the write to that answer is save → interpreted. "+
			"With `--tier=auto`, it then polls `/healthz` every 5ms until every package's `tier` is `compiled` (the new version, compiled in the background and swapped in): save → compiled; the next save waits for it. "+
			"The seed is `examples/seed` (one package of 8 services) plus a file with a service `Rev`, the file each step rewrites. "+
			"The module has five packages: a library, `domain`, that imports `github.com/google/uuid` and `github.com/shopspring/decimal` (served with `--allow "+modAllow+"`, which they need), and four service packages that import it, `inventory`, `payments`, `notify` and `orders`, whose `PlaceOrder` calls a service of each of the other three; each service package has a service `Rev` that returns the library's revision and its own. "+
			"A library save changes the library's revision: every package that imports it is reloaded, and the step is served when the `Rev` of all four answer it. A leaf save rewrites `notify` (imported by `orders` only, for its calls): the step is served when `/notify/Rev` answers the new revision. After each step, untimed, `PlaceOrder` must answer with the new revisions. "+
			"%d saves with `--tier=interpreted`, %d with `--tier=auto`, after one unmeasured save each; every save's source is one no build has seen. "+
			"Packages reloaded per save counts the server's `reloaded` log lines (the library itself is one); CPU per save is the CPU time of the server's process tree over the measured saves (the server, its worker processes, old and new, and with `--tier=auto` the go command's builds of the compiled tier), the polling's calls included, ÷ saves.",
			isolated, b.cfg.modReps, b.cfg.modAutoReps))
	tab := table{header: []string{"save", "tier", "saves", "save → interpreted p50", "p99", "save → compiled p50", "p99", "packages reloaded per save", "CPU per save", "failed"}}
	for _, r := range rows {
		c50, c99 := "", ""
		if r.tier == "auto" {
			c50, c99 = fmtDur(quantile(r.compiled, 0.5)), fmtDur(quantile(r.compiled, 0.99))
		}
		tab.rows = append(tab.rows, []string{r.what, "--tier=" + r.tier, strconv.Itoa(len(r.interp)), fmtDur(quantile(r.interp, 0.5)), fmtDur(quantile(r.interp, 0.99)), c50, c99, fmt.Sprintf("%.3g", r.reloaded), fmtDur(r.cpu), strconv.Itoa(r.failed)})
		p50 := quantile(r.interp, 0.5)
		switch {
		case r.what == "seed" && r.tier == "interpreted":
			b.addGoal("save → interpreted p50, seed", "≤ 60ms", fmtDur(p50)+fmt.Sprintf(" (p99 %s)", fmtDur(quantile(r.interp, 0.99))), orNaN(p50), float64(60*time.Millisecond), false)
		case strings.HasPrefix(r.what, "module, library") && r.tier == "interpreted":
			b.addGoal("save → interpreted p50, 5-package module, library save", "≤ 300ms, else profiled", fmtDur(p50)+fmt.Sprintf(" (p99 %s)", fmtDur(quantile(r.interp, 0.99))), orNaN(p50), float64(300*time.Millisecond), false)
		}
	}
	s.tables = append(s.tables, tab)

	if p50 := quantile(libInterp, 0.5); p50 > 300*time.Millisecond && b.cfg.modProfReps > 0 && ctx.Err() == nil {
		// Where the time of a library save goes: perf over the whole
		// machine during a few more saves, reported for the server and
		// the processes it started.
		mc, cleanup, err := b.modCase("library")
		if err == nil {
			b.modRun(ctx, mc, "interpreted", b.cfg.modProfReps, func(p *proc) func() {
				return b.startTreePerf(ctx, p, fmt.Sprintf("library saves of the 5-package module (%d saves, --tier=interpreted, save → interpreted p50 %s)", b.cfg.modProfReps, fmtDur(p50)))
			})
			cleanup()
			s.notes = append(s.notes, fmt.Sprintf("save → interpreted of a library save is over 300ms, so the tool took a CPU profile during %d more library saves: see \"Where microfn's CPU goes\" at the end of the report.", b.cfg.modProfReps))
		}
	}
	b.print(s)
}

// modDownload makes sure the module cache has the module's requirements
// (go mod download: nothing to do when it has them, else the module
// proxy, as the go command is configured).
func (b *bench) modDownload(ctx context.Context) error {
	dir, err := os.MkdirTemp(b.tmp, "moddl-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := writeModule(dir, 0); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "github.com/google/uuid", "github.com/shopspring/decimal")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go mod download: %v\n%s", err, out)
	}
	return nil
}

// modCase writes a fresh folder for kind (seed, library or leaf) and
// returns what to save and poll there, and a function that removes it.
func (b *bench) modCase(kind string) (*modCase, func(), error) {
	dir, err := os.MkdirTemp(filepath.Join(b.tmp), "mod-"+kind+"-")
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { os.RemoveAll(dir) }
	nonce := time.Now().UnixNano()
	mc := &modCase{dir: dir}
	switch kind {
	case "seed":
		mc.what = "seed"
		seed := filepath.Join(b.root, "examples", "seed")
		entries, err := os.ReadDir(seed)
		if err != nil {
			cleanup()
			return nil, nil, err
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
				continue
			}
			data, err := os.ReadFile(filepath.Join(seed, e.Name()))
			if err == nil {
				err = os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644)
			}
			if err != nil {
				cleanup()
				return nil, nil, err
			}
		}
		mc.paths = []string{"/Rev"}
		mc.marker = func(gen int) string { return fmt.Sprintf("[s%d]", gen) }
		mc.save = func(gen int) error {
			return os.WriteFile(filepath.Join(dir, "rev.go"), fmt.Appendf(nil, "package seed\n\n// %d\n\n// Rev returns the revision of this file.\n//\n//microfn:service\nfunc Rev() string { return %q }\n", nonce, mc.marker(gen)), 0o644)
		}
		mc.check = func(ctx context.Context, c *caller, base string, gen int) error {
			got, _, err := c.get(ctx, base, "/Fib?n=5")
			if err == nil && got != "8\n" {
				err = fmt.Errorf("GET /Fib?n=5 = %q, want 8", got)
			}
			return err
		}
	case "library", "leaf":
		if err := writeModule(dir, nonce); err != nil {
			cleanup()
			return nil, nil, err
		}
		// What microfn check asks for: uuid and decimal implement
		// database/sql's interfaces, and uuid reads the network
		// interfaces and the user and group ids.
		mc.allow = modAllow
		if kind == "library" {
			mc.what = "module, library (domain: 4 importers)"
			for _, name := range modServices {
				mc.paths = append(mc.paths, "/"+name+"/Rev")
			}
			mc.marker = func(gen int) string { return fmt.Sprintf("[d%d]", gen) }
			mc.save = func(gen int) error {
				return os.WriteFile(filepath.Join(dir, "domain", "domain.go"), domainSource(gen, nonce), 0o644)
			}
		} else {
			mc.what = "module, leaf (notify)"
			mc.paths = []string{"/notify/Rev"}
			mc.marker = func(gen int) string { return fmt.Sprintf("[n%d]", gen) }
			mc.save = func(gen int) error {
				return os.WriteFile(filepath.Join(dir, "notify", "notify.go"), serviceSource("notify", gen, nonce), 0o644)
			}
		}
		mc.check = func(ctx context.Context, c *caller, base string, gen int) error {
			// PlaceOrder, whose nested calls reach every package,
			// answers the new revision: within 10s, since a package
			// that imports the one saved may still be reloading.
			want := mc.marker(gen)
			var got string
			var err error
			for start := time.Now(); time.Since(start) < 10*time.Second && ctx.Err() == nil; time.Sleep(5 * time.Millisecond) {
				got, _, err = c.get(ctx, base, placeOrderPath)
				if err == nil && strings.Contains(got, want) && !strings.Contains(got, mc.marker(gen-1)) && strings.Contains(got, `"total":"30.97"`) {
					return nil
				}
			}
			if err == nil {
				err = fmt.Errorf("PlaceOrder = %s, want %s throughout and a total of 30.97", trim(got, 400), want)
			}
			return err
		}
	default:
		cleanup()
		return nil, nil, fmt.Errorf("no case %q", kind)
	}
	if err := mc.save(0); err != nil {
		cleanup()
		return nil, nil, err
	}
	return mc, cleanup, nil
}

// A modResult is what modRun measured.
type modResult struct {
	// For each measured save: the time to the new value on every polled
	// route, and with --tier=auto the time until /healthz says every
	// package is compiled.
	interp, compiled []time.Duration
	failed           int           // saves not served
	cpu              time.Duration // of the server's process tree, per measured save
	reloaded         float64       // packages the server reloaded, per measured save
}

// reloadedLine is the server's log line of a package reloaded.
var reloadedLine = regexp.MustCompile(`(?m) reloaded \S+ in `)

// modRun serves mc.dir with tier, saves reps+1 times (the first save
// unmeasured) and returns what it measured. profile, if not nil, is
// called once the server is up and returns the function that ends the
// profile.
func (b *bench) modRun(ctx context.Context, mc *modCase, tier string, reps int, profile func(*proc) func()) (res modResult) {
	interp, compiled, failed := &res.interp, &res.compiled, &res.failed
	ready := mc.paths[len(mc.paths)-1]
	spec := procSpec{name: "microfn --tier=" + tier, argv: []string{b.microfnBin, "serve", mc.dir, "--addr", "{addr}", "--quiet", isolated, "--tier=" + tier}, ready: ready}
	if mc.allow != "" {
		spec.argv = append(spec.argv, "--allow", mc.allow)
	}
	p, _, err := b.start(ctx, spec, 2*time.Minute)
	if err != nil {
		b.fail("modreload: %s: start: %v", mc.what, err)
		res.failed = reps
		return res
	}
	defer b.stopProc(p)
	c := newCaller()
	defer c.close()
	limit := 30 * time.Second
	if tier == "auto" {
		// The first compiled build of the module: wait for it, so that
		// no save races it.
		if _, ok := b.waitCompiled(ctx, c, p.base, time.Now(), 3*time.Minute); !ok {
			b.fail("modreload: %s, --tier=auto: not compiled within 3 minutes of start; microfn's log ends with:\n%s", mc.what, indent(p.log.lastLines(10)))
			res.failed = reps
			return res
		}
		limit = 3 * time.Minute
	}
	var stop func()
	if profile != nil {
		stop = profile(p)
	}
	b.progress("modreload: %s, --tier=%s, %d saves", mc.what, tier, reps)
	var cpu0 time.Duration
	lines0 := 0
	for gen := 1; gen <= reps+1 && ctx.Err() == nil; gen++ {
		want := mc.marker(gen)
		start := time.Now()
		if err := mc.save(gen); err != nil {
			b.fail("modreload: %v", err)
			res.failed += reps
			return res
		}
		served := true
		for _, path := range mc.paths {
			for {
				got, _, err := c.get(ctx, p.base, path)
				if err == nil && strings.Contains(got, want) {
					break
				}
				if time.Since(start) > limit || ctx.Err() != nil {
					served = false
					break
				}
				time.Sleep(time.Millisecond)
			}
			if !served {
				break
			}
		}
		ti := time.Since(start)
		var tc time.Duration
		if served && tier == "auto" {
			tc, served = b.waitCompiled(ctx, c, p.base, start, limit)
		}
		if !served {
			if gen > 1 {
				*failed++
			}
			b.fail("modreload: %s, --tier=%s, save %d: not served within %s; microfn's log ends with:\n%s", mc.what, tier, gen, limit, indent(p.log.lastLines(10)))
			continue
		}
		if mc.check != nil {
			if err := mc.check(ctx, c, p.base, gen); err != nil {
				b.fail("modreload: %s, --tier=%s, save %d: %v", mc.what, tier, gen, err)
			}
		}
		if gen > 1 {
			*interp = append(*interp, ti)
			if tier == "auto" {
				*compiled = append(*compiled, tc)
			}
		}
		if gen == 1 {
			cpu0, lines0 = p.cpuTime(), len(reloadedLine.FindAllStringIndex(p.log.String(), -1))
		}
	}
	if stop != nil {
		stop()
	}
	if n := len(res.interp); n > 0 {
		if cpu0 > 0 {
			res.cpu = (p.cpuTime() - cpu0) / time.Duration(n)
		}
		res.reloaded = float64(len(reloadedLine.FindAllStringIndex(p.log.String(), -1))-lines0) / float64(n)
	}
	return res
}

// waitCompiled polls /healthz every 5ms until every package with
// services is served compiled, and returns the time since start, or
// false after limit.
func (b *bench) waitCompiled(ctx context.Context, c *caller, base string, start time.Time, limit time.Duration) (time.Duration, bool) {
	type pkg struct {
		Services []string `json:"services"`
		Tier     string   `json:"tier"`
	}
	for time.Since(start) < limit && ctx.Err() == nil {
		body, _, err := c.get(ctx, base, "/healthz")
		var h struct {
			Packages []pkg `json:"packages"`
		}
		if err == nil && json.Unmarshal([]byte(body), &h) == nil {
			n := 0
			for _, p := range h.Packages {
				if len(p.Services) > 0 && p.Tier != "compiled" {
					n = -1
					break
				}
				if len(p.Services) > 0 {
					n++
				}
			}
			if n > 0 {
				return time.Since(start), true
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0, false
}

// startTreePerf records the whole machine with perf (a process attached
// to with -p does not take its children along, and every reload starts
// new worker processes) until the returned function is called, while it
// notes every process of p's tree; that function then adds to b.profiles
// the profile of the server's process and of the processes it started.
// It returns nil when perf cannot record.
func (b *bench) startTreePerf(ctx context.Context, p *proc, title string) func() {
	if _, err := exec.LookPath("perf"); err != nil {
		b.progress("modreload: perf is not on PATH; no profile of %s", title)
		return nil
	}
	data := filepath.Join(b.tmp, fmt.Sprintf("perf-tree-%d.data", len(b.profiles)))
	rec := exec.CommandContext(ctx, "perf", "record", "-a", "-F", "999", "-g", "-o", data)
	out := newTail(1 << 16)
	rec.Stdout, rec.Stderr = out, out
	if err := rec.Start(); err != nil {
		b.progress("modreload: perf: %v", err)
		return nil
	}
	var mu sync.Mutex
	seen := map[int]bool{}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			pids := p.workerPIDs()
			mu.Lock()
			for _, pid := range pids {
				seen[pid] = true
			}
			mu.Unlock()
			select {
			case <-done:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	time.Sleep(300 * time.Millisecond) // let perf start before the saves
	return func() {
		close(done)
		wg.Wait()
		rec.Process.Signal(syscall.SIGINT)
		waited := make(chan error, 1)
		go func() { waited <- rec.Wait() }()
		select {
		case <-waited:
		case <-time.After(60 * time.Second):
			rec.Process.Kill()
			<-waited
		}
		var children []string
		for pid := range seen {
			children = append(children, strconv.Itoa(pid))
		}
		slices.Sort(children)
		type who struct{ name, pids string }
		groups := []who{{fmt.Sprintf("The server process (%s)", p.spec.name), strconv.Itoa(p.pid())}}
		if len(children) > 0 {
			groups = append(groups, who{fmt.Sprintf("The processes it started: %d worker processes (each reload starts one per package reloaded) and any go command", len(children)), strings.Join(children, ",")})
		}
		pr := profile{title: title, how: "`perf record -a -F 999 -g` of the whole machine while the ids of the server's process tree were noted every 2ms (each reload starts new worker processes, which `perf record -p` would not follow), " +
			"then for the server, and for the processes it started, `perf report --pid PIDS --percentage relative --no-children --sort symbol` (own time, symbols above 1% of those processes' samples) " +
			"and `perf report --pid PIDS --percentage relative --children --sort symbol` restricted to microfn's packages, yaegi, go/parser, go/types, reflect and the runtime's stack growth, allocation, GC, scheduling and syscalls (time including callees, above 3%)."}
		for _, g := range groups {
			self, err := perfReport(ctx, data, "--pid", g.pids, "--percentage", "relative", "--no-children", "--percent-limit", "1")
			if err != nil {
				b.progress("modreload: perf report: %v; perf record said:\n%s", err, out.String())
				return
			}
			cum, err := perfReport(ctx, data, "--pid", g.pids, "--percentage", "relative", "--children", "--percent-limit", "3")
			if err != nil {
				b.progress("modreload: perf report: %v", err)
				return
			}
			var keep []string
			for _, l := range strings.Split(cum, "\n") {
				if cumPattern.MatchString(l) || strings.Contains(l, "go/parser") || strings.Contains(l, "go/types") || strings.Contains(l, "reflect.") {
					keep = append(keep, l)
				}
			}
			pr.parts = append(pr.parts, profilePart{who: g.name, self: self, cum: strings.Join(keep, "\n")})
		}
		b.profiles = append(b.profiles, pr)
	}
}
