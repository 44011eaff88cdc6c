package server

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/microfn/microfn/compile"
	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/supervisor"
)

// Tier says how the server runs its packages' code.
type Tier string

const (
	// TierAuto serves every version interpreted as soon as it loads, and
	// builds it with the Go toolchain in the background; once the
	// compiled worker is ready, it takes the calls, as a reload would. A
	// package the interpreter cannot run is served once compiled.
	TierAuto Tier = "auto"
	// TierInterpreted serves interpreted versions only.
	TierInterpreted Tier = "interpreted"
	// TierCompiled serves compiled versions only: a version is served
	// once it is built.
	TierCompiled Tier = "compiled"
)

// The tiers a version runs at, as /healthz and protocol.HeaderTier say.
const (
	tierInterpreted = protocol.TierInterpreted
	tierCompiled    = protocol.TierCompiled
)

// WithTier sets how service code runs. Default [TierInterpreted]; the
// compiled tiers need worker processes (IsolatePackage), the Go toolchain
// and microfn's source tree (see package compile).
func WithTier(t Tier) Option { return optionFunc(func(c *config) { c.tier = t }) }

// WithBuildOptions sets how compiled workers are built (the go command,
// microfn's source, the cache); the standard library's error variables
// are added.
func WithBuildOptions(o compile.Options) Option {
	return optionFunc(func(c *config) { c.build = o })
}

// tiering is the server's compiled tier.
type tiering struct {
	builder *compile.Builder
	queue   *buildQueue
}

// startTiering sets up the compiled tier, if the server's tier needs it.
// With TierAuto, a machine that cannot build (no toolchain, no source of
// microfn) serves interpreted, and the log says why.
func (s *Server) startTiering() error {
	if s.cfg.tier == TierInterpreted {
		return nil
	}
	if s.cfg.isolation != IsolatePackage {
		if s.cfg.tier == TierCompiled {
			return fmt.Errorf("--tier=compiled needs a worker per package (--isolate=package)")
		}
		s.cfg.logger.Info(fmt.Sprintf("the compiled tier is off: it needs a worker per package (--isolate=package), not --isolate=%s", s.cfg.isolation))
		return nil
	}
	opts := s.cfg.build
	opts.StdErrors = interp.StdErrorNames()
	if opts.Logger == nil {
		opts.Logger = s.cfg.logger
	}
	b, err := compile.NewBuilder(opts)
	if err != nil {
		if s.cfg.tier == TierCompiled {
			return fmt.Errorf("--tier=compiled: %w", err)
		}
		s.cfg.logger.Warn("the compiled tier is off, every package is served interpreted: " + err.Error())
		return nil
	}
	s.tiers = &tiering{builder: b, queue: &buildQueue{s: s, pending: map[string]*buildJob{}, wake: make(chan struct{}, 1)}}
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		s.tiers.queue.loop(s.life)
	}()
	return nil
}

// A buildState is what the server knows of the builds of one package.
type buildState struct {
	building bool
	took     time.Duration // of the last build that succeeded
	err      error         // of the last build, if it failed
	at       time.Time     // when the last build ended
	// onlyCompiled is why the interpreter cannot run the package, when
	// it is served compiled only.
	onlyCompiled string
}

// A buildJob is a package version waiting for its compiled worker.
type buildJob struct {
	st  *pkgState
	seq uint64   // the load of the package it is the version of
	v   *version // the version the interpreter serves; v.group is nil when the interpreter failed to run it
	src *funcs.Package
	// reason is why the interpreter cannot run the version, if it cannot.
	reason error
	label  string
}

// A buildQueue builds the versions the interpreter serves, in the
// background, one build at a time: the versions of a module's packages
// waiting together go into one executable (one link, whatever their
// number), each package's worker runs it. A newer version of a package
// being built cancels the build; the other versions of it are built again
// with the newer one.
type buildQueue struct {
	s       *Server
	mu      sync.Mutex // guards the fields below
	pending map[string]*buildJob
	running map[string]*buildJob
	cancel  context.CancelFunc // ends the build under way
	wake    chan struct{}
}

// compileLater queues v, the version of st's package that the
// interpreter serves (or failed to run: reason says why), for its
// compiled worker, which is swapped in once ready unless a newer version
// came meanwhile. The caller holds packages.mu. It implements
// codeRunner.
func (s *Server) compileLater(st *pkgState, v *version, src *funcs.Package, reason error) {
	if s.tiers == nil || v.prep == nil {
		return
	}
	st.build.building = true
	s.tiers.queue.add(&buildJob{st: st, seq: st.seq, v: v, src: src, reason: reason, label: s.packages.label(v.rel)})
}

func (q *buildQueue) add(j *buildJob) {
	q.mu.Lock()
	q.pending[j.v.rel] = j
	if _, ok := q.running[j.v.rel]; ok && q.cancel != nil {
		q.cancel()
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// loop builds what is queued until ctx ends.
func (q *buildQueue) loop(ctx context.Context) {
	for {
		select {
		case <-q.wake:
		case <-ctx.Done():
			return
		}
		for ctx.Err() == nil {
			q.mu.Lock()
			if len(q.pending) == 0 {
				q.running = nil
				q.mu.Unlock()
				break
			}
			jobs := q.pending
			q.pending = map[string]*buildJob{}
			bctx, cancel := context.WithCancel(ctx)
			q.running, q.cancel = jobs, cancel
			q.mu.Unlock()
			q.run(bctx, jobs)
			canceled := bctx.Err() != nil && ctx.Err() == nil
			cancel()
			if canceled {
				// The versions no newer one replaces are built again.
				q.mu.Lock()
				for rel, j := range jobs {
					if _, newer := q.pending[rel]; !newer {
						q.pending[rel] = j
					}
				}
				q.mu.Unlock()
			}
		}
	}
}

// run builds jobs, the module's together and each package outside a
// module apart, and swaps in what was built.
func (q *buildQueue) run(ctx context.Context, jobs map[string]*buildJob) {
	s := q.s
	var module []*buildJob
	var batches [][]*buildJob
	mod := s.modules.get()
	for _, j := range jobs {
		if mod != nil && j.src.ImportPath != "" {
			module = append(module, j)
		} else {
			batches = append(batches, []*buildJob{j})
		}
	}
	if len(module) > 0 {
		batches = append(batches, module)
	}
	for _, batch := range batches {
		req := compile.Request{}
		if mod != nil && batch[0].src.ImportPath != "" {
			req.Module = &compile.Module{Path: mod.Path, Dir: mod.Dir}
		}
		for _, j := range batch {
			req.Packages = append(req.Packages, compile.Package{Dir: filepath.Join(s.root, filepath.FromSlash(j.v.rel)), Prepared: j.v.prep})
		}
		res, err := s.tiers.builder.Build(ctx, req)
		if ctx.Err() != nil {
			res.Release()
			return
		}
		if err != nil && len(batch) > 1 {
			// One package's error must not keep the others interpreted:
			// each is built apart, and fails alone.
			for _, j := range batch {
				q.run(ctx, map[string]*buildJob{j.v.rel: j})
			}
			continue
		}
		for _, j := range batch {
			var g *supervisor.Group
			jerr := err
			if jerr == nil {
				g, jerr = s.startCompiled(ctx, j, res.Exe)
			}
			var took time.Duration
			if res != nil {
				took = res.Took
			}
			s.packages.installCompiled(j, g, took, jerr, func() { s.finalTally(g) })
		}
		res.Release() // each worker group holds a lease of its own
	}
}

// startCompiled starts a worker group of j's version on exe, which it
// leases from the cache for as long as the group may start a worker
// from it (until the group is closed and its workers have ended).
func (s *Server) startCompiled(ctx context.Context, j *buildJob, exe string) (*supervisor.Group, error) {
	v := j.v
	lease, err := s.tiers.builder.Cache().Lease(exe)
	if err != nil {
		return nil, err
	}
	w := s.workerSpec(j.label, j.label, packageSpec(v.rel, v.files, v.prep, true))
	w.supervise.Command = []string{exe}
	g, err := s.startPackageGroup(ctx, w, v.rel, "compiled worker")
	if err != nil {
		lease.Release()
		var lt *supervisor.LoadTimeoutError
		if errors.As(err, &lt) {
			return nil, loadTimeoutError(j.src, j.v.prep, lt)
		}
		return nil, err
	}
	s.groups.Add(1)
	go func() {
		defer s.groups.Done()
		g.Wait()
		lease.Release()
	}()
	return g, nil
}

// installCompiled makes the compiled worker g of j's version its
// package's current version, and publishes it, unless a newer version
// came meanwhile; err is why there is none. final reads g's last counts
// before it is closed (see version.final).
func (p *packages) installCompiled(j *buildJob, g *supervisor.Group, took time.Duration, err error, final func()) {
	st := j.st
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.byRel[j.v.rel] != st || st.seq != j.seq {
		// Superseded by a newer version, or the package went away.
		if g != nil {
			g.Close()
		}
		return
	}
	st.build.building, st.build.at = false, time.Now()
	p.metrics.observeBuild(j.v.rel, took, err)
	if err != nil {
		st.build.err = err
		p.cfg.logger.Error(fmt.Sprintf("compile %s: %s (%s)", j.label, errorLines(err), stillServing(st)))
		return
	}
	st.build.err, st.build.took = nil, took
	cv, err := p.newVersion(j.v.rel, j.src.Services, st.current)
	if err != nil {
		g.Close()
		return
	}
	cv.group, cv.files, cv.prep, cv.tier, cv.buildTook = g, j.v.files, j.v.prep, tierCompiled, took
	cv.final = final
	old := st.current
	if p.cfg.shadow > 0 && old != nil && old.tier == tierInterpreted && old.group != nil && old.prep == j.v.prep {
		// The interpreted worker of the same version stays, for shadow
		// calls.
		cv.shadow, old.group = old.group, nil
	}
	st.current = cv
	if j.reason != nil {
		st.build.onlyCompiled = errorLines(j.reason)
		st.err = nil
	} else {
		st.build.onlyCompiled = ""
	}
	if old != nil {
		old.retire()
	}
	setAdmission(cv, old)
	p.unsyncedPublish()
	p.cfg.logger.Info(fmt.Sprintf("compiled %s in %s", j.label, took.Round(time.Millisecond)))
}

// build builds the version of the package in rel at once and starts a
// worker group on it (--tier=compiled): the code is prepared (prep) and
// read (files, src) already. built, if not nil, is an executable built
// for it with the other packages of its group (see buildTogether).
func (s *Server) build(ctx context.Context, rel, label string, src *funcs.Package, files []funcs.SourceFile, prep *interp.Prepared, built *compile.Result) (*supervisor.Group, time.Duration, error) {
	res := built
	if res == nil {
		req := compile.Request{Packages: []compile.Package{{Dir: filepath.Join(s.root, filepath.FromSlash(rel)), Prepared: prep}}}
		if mod := s.modules.get(); mod != nil && src.ImportPath != "" {
			req.Module = &compile.Module{Path: mod.Path, Dir: mod.Dir}
		}
		var err error
		if res, err = s.tiers.builder.Build(ctx, req); err != nil {
			return nil, 0, err
		}
		defer res.Release() // the worker group holds a lease of its own
	}
	v := &version{rel: rel, files: files, prep: prep}
	g, err := s.startCompiled(ctx, &buildJob{v: v, src: src, label: label}, res.Exe)
	if err != nil {
		return nil, 0, err
	}
	return g, res.Took, nil
}

// buildTogether builds, with --tier=compiled, the packages of a module
// that a reload group loads into one executable: one link whatever their
// number, and one copy of the code in memory for all their workers. It
// returns it by package directory; none if there is nothing to build
// together, or if the build failed (then each package is built apart, so
// that an error fails its own package only). The caller releases the
// result once the packages' workers have started.
func (s *Server) buildTogether(ctx context.Context, loads []*pendingLoad) map[string]*compile.Result {
	mod := s.modules.get()
	if s.tiers == nil || s.cfg.tier != TierCompiled || mod == nil {
		return nil
	}
	req := compile.Request{Module: &compile.Module{Path: mod.Path, Dir: mod.Dir}}
	var rels []string
	for _, l := range loads {
		if l.err != nil || l.prep == nil || l.src.ImportPath == "" || l.prep.CompileError() != nil {
			continue
		}
		req.Packages = append(req.Packages, compile.Package{Dir: filepath.Join(s.root, filepath.FromSlash(l.rel)), Prepared: l.prep})
		rels = append(rels, l.rel)
	}
	if len(rels) < 2 {
		return nil
	}
	res, err := s.tiers.builder.Build(ctx, req)
	if err != nil {
		s.cfg.logger.Debug("build together", "packages", len(rels), "error", err)
		return nil
	}
	out := make(map[string]*compile.Result, len(rels))
	for _, rel := range rels {
		out[rel] = res
	}
	return out
}

// errorLines is the text of err, a line per error of a list.
func errorLines(err error) string {
	var list funcs.ErrorList
	if errors.As(err, &list) {
		return strings.TrimSpace(list.Lines())
	}
	return err.Error()
}

// stillServing says what serves while a package's newer code failed.
func stillServing(st *pkgState) string {
	if st.current == nil {
		return "nothing is served from it"
	}
	return "still serving the " + st.current.tier + " version from " + st.current.loadedAt.Format("15:04:05")
}

// BuildStatus is what /healthz says of the compiled tier of a package.
type BuildStatus struct {
	// State is "building", "built" or "failed".
	State string `json:"state"`
	// Took is how long the last build took that succeeded.
	Took string `json:"took,omitempty"`
	// Errors are those of the last build, if it failed.
	Errors []string `json:"errors,omitempty"`
	// At is when the last build ended.
	At string `json:"at,omitempty"`
}

// status reports the package's builds, or nil if it has had none.
func (b *buildState) status() *BuildStatus {
	switch {
	case b.building:
		return &BuildStatus{State: "building"}
	case b.err != nil:
		return &BuildStatus{State: "failed", Errors: strings.Split(errorLines(b.err), "\n"), At: b.at.Format(time.RFC3339)}
	case !b.at.IsZero():
		return &BuildStatus{State: "built", Took: b.took.Round(time.Millisecond).String(), At: b.at.Format(time.RFC3339)}
	}
	return nil
}
