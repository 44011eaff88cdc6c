package server

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
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

// The tiers a version runs at, as /healthz and Microfn-Tier say.
const (
	tierInterpreted = "interpreted"
	tierCompiled    = "compiled"
)

// HeaderTier on a response names the tier of the code that answered:
// "interpreted" or "compiled".
const HeaderTier = "Microfn-Tier"

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

// maxParallelBuilds bounds the builds of compiled workers that run at
// once: each go build uses every core.
const maxParallelBuilds = 1

// tiering is the server's compiled tier.
type tiering struct {
	builder *compile.Builder
	sem     chan struct{}
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
	b, err := compile.NewBuilder(opts)
	if err != nil {
		if s.cfg.tier == TierCompiled {
			return fmt.Errorf("--tier=compiled: %w", err)
		}
		s.cfg.logger.Warn("the compiled tier is off, every package is served interpreted: " + err.Error())
		return nil
	}
	s.tiers = &tiering{builder: b, sem: make(chan struct{}, maxParallelBuilds)}
	return nil
}

// A buildState is what the server knows of the builds of one package.
type buildState struct {
	cancel   context.CancelFunc // ends the build under way, if any
	building bool
	took     time.Duration // of the last build that succeeded
	err      error         // of the last build, if it failed
	at       time.Time     // when the last build ended
	// onlyCompiled is why the interpreter cannot run the package, when
	// it is served compiled only.
	onlyCompiled string
}

// build builds a version of the package in rel with the compiled tier and
// starts a worker group on it: the code is prepared (prep) and read
// (files, src) already.
func (s *Server) build(ctx context.Context, rel, label string, src *funcs.Package, files []funcs.SourceFile, prep *interp.Prepared) (*supervisor.Group, time.Duration, error) {
	select {
	case s.tiers.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	req := compile.Request{Dir: filepath.Join(s.root, filepath.FromSlash(rel)), Prepared: prep}
	if mod := s.modules.get(); mod != nil && src.ImportPath != "" {
		req.Module = &compile.Module{Path: mod.Path, Dir: mod.Dir}
	}
	res, err := s.tiers.builder.Build(ctx, req)
	<-s.tiers.sem
	if err != nil {
		return nil, 0, err
	}
	spec := s.spec([]protocol.PackageSpec{{Rel: rel, Files: files, Prepared: preparedJSON(prep), CompiledPath: prep.CompiledPath}})
	cfg := s.groupConfig(label, s.cfg.logger.With("package", label), rel)
	cfg.Command = []string{res.Exe}
	g, ready, err := supervisor.Start(ctx, cfg, spec)
	if err != nil {
		var lt *supervisor.LoadTimeoutError
		if errors.As(err, &lt) {
			return nil, 0, loadTimeoutError(src, lt)
		}
		return nil, 0, err
	}
	for _, w := range ready.Warnings {
		s.warnOnce(w)
	}
	if list, failed := ready.Failed[rel]; failed || g == nil {
		if g != nil {
			g.Close()
			g.Wait()
		}
		if !failed {
			return nil, 0, fmt.Errorf("load %s: the compiled worker loaded nothing", label)
		}
		return nil, 0, protocol.Err(list)
	}
	s.groups.Add(1)
	go func() {
		defer s.groups.Done()
		g.Wait()
	}()
	return g, res.Took, nil
}

// compileLater builds v, the version of st's package that the
// interpreter serves (or, when v.group is nil, that it failed to run:
// reason says why), in the background, and swaps the compiled worker in
// once it is ready, unless a newer version came meanwhile. A newer save
// cancels the build of an older one.
func (s *Server) compileLater(st *pkgState, v *version, src *funcs.Package, reason error) {
	if s.tiers == nil || v.prep == nil {
		return
	}
	if st.build.cancel != nil {
		st.build.cancel()
	}
	seq := st.seq
	ctx, cancel := context.WithCancel(s.life)
	st.build.cancel, st.build.building = cancel, true
	label := filepath.ToSlash(filepath.Join(s.root, filepath.FromSlash(v.rel)))
	s.bg.Add(1)
	go func() {
		defer s.bg.Done()
		defer cancel()
		g, took, err := s.build(ctx, v.rel, label, src, v.files, v.prep)
		s.mu.Lock()
		defer s.mu.Unlock()
		if ctx.Err() != nil || s.packages[v.rel] != st || st.seq != seq {
			// Canceled by a newer version, or the package went away.
			if g != nil {
				g.Close()
			}
			return
		}
		st.build.building, st.build.at = false, time.Now()
		s.metrics.observeBuild(v.rel, took, err)
		if err != nil {
			st.build.err = err
			s.cfg.logger.Error(fmt.Sprintf("compile %s: %s (%s)", label, errorLines(err), stillServing(st)))
			return
		}
		st.build.err, st.build.took = nil, took
		cv, err := s.newVersion(v.rel, src.Services, st.current)
		if err != nil {
			g.Close()
			return
		}
		cv.group, cv.files, cv.prep, cv.tier, cv.buildTook = g, v.files, v.prep, tierCompiled, took
		old := st.current
		st.current = cv
		if reason != nil {
			st.build.onlyCompiled = errorLines(reason)
			st.err = nil
		} else {
			st.build.onlyCompiled = ""
		}
		if old != nil {
			old.retire()
		}
		s.unsyncedPublish()
		s.cfg.logger.Info(fmt.Sprintf("compiled %s in %s", label, took.Round(time.Millisecond)))
	}()
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
