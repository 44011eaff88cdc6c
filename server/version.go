package server

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/microfn/microfn/compile"
	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/supervisor"
	"github.com/microfn/microfn/svcrt"
	"github.com/microfn/microfn/worker"
)

// An endpoint is one service of one package version, with its policy.
type endpoint struct {
	route   string // "/IsEven", "/billing/Charge"
	local   bool   // served by this server (see WithOnly)
	desc    *funcs.Descriptor
	policy  policy.Policy
	limiter *policy.Limiter
	version *version
	metrics *routeMetrics
	// auth is what a call from outside must show.
	auth authReq
	// stream is set for a service that streams its values (iter.Seq).
	stream bool
	// admit is set when the worker of the version admits the calls of
	// the service, in place of limiter (see admit.go); it is set before
	// the version is published. holds are then the chains its attempts
	// run in.
	admit bool
	holds workerHolds
}

// A version is one loaded version of a package. Requests hold a reference
// while they run; a retired version is closed (its interpreter stopped)
// when the last reference is released.
type version struct {
	rel       string            // package directory relative to the root, "." for the root
	pkg       *svcrt.Package    // the loaded code, when it runs in this process
	host      *worker.Host      // runs pkg's services, when it runs in this process
	group     *supervisor.Group // its worker process, when it runs in one of its own
	shared    *sharedWorker     // the worker of every package (IsolateShared)
	files     []funcs.SourceFile
	prep      *interp.Prepared  // its code as prepared, for a shared worker's restarts
	pending   *supervisor.Group // a shared worker to install with the version
	tier      string            // tierInterpreted or tierCompiled
	buildTook time.Duration     // how long its compiled worker took to build
	shadow    *supervisor.Group // the interpreted worker of a compiled version, kept for --shadow
	endpoints []*endpoint       // in the order of the package's services
	loadedAt  time.Time
	warnings  funcs.ErrorList // what the checks found that does not stop the load
	databases []string        // the databases the package uses, sorted
	// final, if set, runs before the version's worker is closed: it
	// reads the worker's last counts (see localTally).
	final func()

	// peerHooks run when the version is retired: they end the
	// connections between workers of which it is the callee (peer.go).
	peerHooks peerHooks

	refs    atomic.Int64 // in-flight requests; closedRefs once closed
	retired atomic.Bool
	once    sync.Once
}

const closedRefs = -1 << 40

// acquire takes a reference, or reports false if the version is closed.
func (v *version) acquire() bool {
	for {
		n := v.refs.Load()
		if n < 0 {
			return false
		}
		if v.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release drops a reference, closing a retired version that is no longer
// in use.
func (v *version) release() {
	if v.refs.Add(-1) == 0 && v.retired.Load() {
		v.tryClose()
	}
}

// retire marks the version as replaced; it closes once unused.
func (v *version) retire() {
	v.retired.Store(true)
	v.runRetireHooks()
	v.tryClose()
}

func (v *version) tryClose() {
	if v.refs.CompareAndSwap(0, closedRefs) {
		v.once.Do(func() {
			if v.pkg != nil {
				v.pkg.Close()
			}
			if v.group != nil {
				if v.final != nil {
					v.final()
				}
				v.group.Close()
			}
			if v.shadow != nil {
				v.shadow.Close()
			}
		})
	}
}

// worker returns the group of the worker process that runs the version's
// code, or nil when it runs in this process (or nowhere here).
func (v *version) worker() *supervisor.Group {
	if v.shared != nil {
		return v.shared.group.Load()
	}
	return v.group
}

// limiter returns the concurrency limiter of the version's service at
// route, or nil.
func (v *version) limiter(route string) *policy.Limiter {
	for _, e := range v.endpoints {
		if e.route == route {
			return e.limiter
		}
	}
	return nil
}

// servesAny reports whether the version has a service this server serves.
func (v *version) servesAny() bool {
	for _, e := range v.endpoints {
		if e.local {
			return true
		}
	}
	return false
}

// routePrefix is the route prefix of the package in rel.
func routePrefix(rel string) string { return worker.RoutePrefix(rel) }

// newVersion builds the endpoints of a loaded package, with each
// service's policy: the server's defaults, then the directive's options.
// Limiters carry over from the previous version when the route's scale and
// queue did not change, so a reload does not admit extra calls.
func (p *packages) newVersion(rel string, descs []*funcs.Descriptor, prev *version) (*version, error) {
	v := &version{rel: rel, loadedAt: time.Now(), tier: tierInterpreted, databases: p.state.databasesOf(rel)}
	if p.cfg.prebuilt != nil {
		v.tier = tierCompiled
	}
	old := map[string]*endpoint{}
	if prev != nil {
		for _, e := range prev.endpoints {
			old[e.route] = e
		}
	}
	var list funcs.ErrorList
	for _, desc := range descs {
		pol, err := worker.PolicyOf(p.cfg.defaults, desc)
		if err != nil {
			list = append(list, err.(funcs.ErrorList)...)
		}
		e := &endpoint{route: routePrefix(rel) + desc.Route, desc: desc, policy: pol, version: v}
		e.auth = p.cfg.auth.forRoute(e.route, desc.Auth)
		e.stream = len(desc.Results) == 1 && desc.Results[0].Kind == funcs.Seq
		if reservedRoute(e.route) {
			list = append(list, &funcs.SourceError{Pos: desc.Pos, Msg: fmt.Sprintf("service %s: route %s collides with the server's own routes (/docs, /openapi.json, /metrics, /healthz, /readyz): rename the package directory or the function, or set name=", desc.Name, e.route)})
		}
		e.local = p.cfg.serves(e.route)
		e.metrics = p.metrics.forRoute(e.route)
		if o, ok := old[e.route]; ok && o.policy.Scale == pol.Scale && o.policy.Queue == pol.Queue {
			e.limiter = o.limiter
		} else {
			e.limiter = policy.NewLimiter(pol.Scale, pol.Queue)
		}
		v.endpoints = append(v.endpoints, e)
	}
	if len(list) > 0 {
		return nil, list
	}
	return v, nil
}

// load loads a new version of the package of l, checked already: its
// endpoints, with the package's warnings, and its code, which the server
// starts (see Server.start). built, if not nil, is an executable built
// for it with the other packages of its group (see buildTogether).
func (p *packages) load(ctx context.Context, l *pendingLoad, built *compile.Result) (*version, error) {
	v, err := p.newVersion(l.rel, l.src.Services, l.prev)
	if err != nil {
		return nil, err
	}
	if l.prep != nil {
		v.warnings = l.prep.Warnings
	}
	if err := p.code.start(ctx, v, l, built); err != nil {
		return nil, err
	}
	return v, nil
}

// unsyncedInstall makes a loaded version its package's current one, or
// records its load error; the caller holds p.mu and publishes.
func (p *packages) unsyncedInstall(l pendingLoad) error {
	v, err := l.v, l.err
	if p.byRel[l.rel] != l.st {
		// The package was removed while it loaded.
		if v != nil {
			if v.pending != nil {
				v.pending.Close()
			}
			v.retire()
		}
		return err
	}
	p.metrics.observeReload(l.rel, time.Since(l.start), err)
	if err != nil {
		err = p.unsyncedFailed(l.st, l.rel, l.label, err)
		var f *interpFailure
		if errors.As(err, &f) {
			// What the interpreter cannot run, the compiler may.
			p.code.compileLater(l.st, f.v, l.src, f.err)
		}
		return err
	}
	old := l.st.current
	l.st.current, l.st.err, l.st.warnings = v, nil, v.warnings
	for _, w := range v.warnings {
		p.cfg.logger.Warn("warning: " + w.Error())
	}
	if v.tier == tierCompiled && p.cfg.prebuilt == nil {
		l.st.build = buildState{took: v.buildTook, at: time.Now()}
	} else if v.tier == tierInterpreted && v.group != nil {
		p.code.compileLater(l.st, v, l.src, nil)
	}
	if v.pending != nil {
		// The shared worker with the new code takes calls from the
		// moment the new version is published.
		v.shared.install(v.pending)
		v.pending = nil
	}
	if old != nil {
		old.retire()
	}
	setAdmission(v, old)
	p.cfg.logger.Info(fmt.Sprintf("%s %s in %s: %s", verb(old), l.label, time.Since(l.start).Round(100*time.Microsecond), diffRoutes(old, v)))
	return nil
}

// verb says whether a version replaced old: "loaded" or "reloaded".
func verb(old *version) string {
	if old == nil {
		return "loaded"
	}
	return "reloaded"
}

// routesOf returns the routes of v's services.
func routesOf(v *version) []string {
	var out []string
	for _, e := range v.endpoints {
		out = append(out, e.route)
	}
	return out
}

// diffRoutes describes a reload: +added ~kept -removed routes.
func diffRoutes(old, cur *version) string {
	before := map[string]bool{}
	if old != nil {
		for _, e := range old.endpoints {
			before[e.route] = true
		}
	}
	var parts []string
	now := map[string]bool{}
	for _, e := range cur.endpoints {
		now[e.route] = true
		if before[e.route] {
			parts = append(parts, "~"+e.route)
		} else {
			parts = append(parts, "+"+e.route)
		}
	}
	if old != nil {
		for _, e := range old.endpoints {
			if !now[e.route] {
				parts = append(parts, "-"+e.route)
			}
		}
	}
	if len(parts) == 0 {
		return "no services"
	}
	return strings.Join(parts, " ")
}
