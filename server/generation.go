package server

import (
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

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

// A generation is the route table published to requests: every service of
// every package's current version. It is immutable.
type generation struct {
	routes map[string]*endpoint
	// names are the routes, sorted, for "did you mean" answers.
	names []string
	// stale maps a package to the error of its failed reload, for the
	// Microfn-Stale header.
	stale map[string]string

	// openapi is the generation's OpenAPI document, built on first use.
	openapi struct {
		once sync.Once
		body []byte
		err  error
	}
}

func newGeneration(versions map[string]*version, stale map[string]string) *generation {
	g := &generation{routes: map[string]*endpoint{}, stale: stale}
	for _, v := range versions {
		for _, e := range v.endpoints {
			if !e.local {
				continue
			}
			g.routes[e.route] = e
			g.names = append(g.names, e.route)
		}
	}
	sort.Strings(g.names)
	return g
}

// nearest returns up to three routes closest to route, for 404 answers.
func (g *generation) nearest(route string) []string {
	type scored struct {
		name string
		d    int
	}
	var list []scored
	lower := strings.ToLower(route)
	for _, n := range g.names {
		list = append(list, scored{n, levenshtein(lower, strings.ToLower(n))})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].d < list[j].d })
	var out []string
	for _, s := range list {
		if len(out) == 3 || s.d > max(3, len(route)/2) {
			break
		}
		out = append(out, s.name)
	}
	return out
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
