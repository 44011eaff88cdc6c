package server

import (
	"sort"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/microfn/microfn/funcs"
)

// PackageStatus is the state of one package on /healthz and /readyz.
type PackageStatus struct {
	Dir      string   `json:"dir"`
	State    string   `json:"state"` // "ok", "degraded" (an older version serves) or "failed"
	Services []string `json:"services"`
	LoadedAt string   `json:"loaded_at,omitempty"`
	Errors   []string `json:"errors,omitempty"`
	FailedAt string   `json:"failed_at,omitempty"`
	// Warnings are what the checks of the version serving found that
	// does not stop it from loading, as file:line:col: message: a
	// service that writes into its arguments where another calls it
	// through its proxy.
	Warnings []string `json:"warnings,omitempty"`
	// Crashes counts the package's worker processes that died of a
	// fatal error, with the last one; it stays after the worker has
	// been restarted.
	Crashes *CrashStatus `json:"crashes,omitempty"`
	// Worker is the process id of the package's worker, 0 while it
	// restarts; absent when the package runs in the server's process.
	Worker *int `json:"worker,omitempty"`
	// Idle reports that the package's worker is stopped for lack of
	// calls (--scale-to-zero): the next call starts one.
	Idle bool `json:"idle,omitempty"`
	// Tier is how the current version runs: "interpreted" or
	// "compiled"; "compiling" while the interpreter serves and the
	// compiled worker of the same version is being built.
	Tier string `json:"tier,omitempty"`
	// Build is the state of the compiled tier, once it has built.
	Build *BuildStatus `json:"build,omitempty"`
	// CompiledOnly says why the interpreter cannot run the package, when
	// only its compiled version serves.
	CompiledOnly string `json:"compiled_only,omitempty"`
}

// Health is the body of /healthz and /readyz.
type Health struct {
	Status   string          `json:"status"` // "ok", "degraded", or "loading" while a server made by Open loads its packages for the first time
	Packages []PackageStatus `json:"packages"`
	// Databases are the databases service code declares, or that
	// --database names.
	Databases []DatabaseStatus `json:"databases,omitempty"`
}

// Status reports the state of every package.
func (s *Server) Status() Health {
	dbs := s.state.status() // before the lock: it asks the databases
	h := Health{Status: "ok", Packages: []PackageStatus{}, Databases: dbs}
	s.packages.each(func(st *pkgState) {
		ps := st.status()
		ps.Crashes = s.crashes.get(st.rel)
		if st.err != nil {
			h.Status = "degraded"
		}
		h.Packages = append(h.Packages, ps)
	})
	sort.Slice(h.Packages, func(i, j int) bool { return h.Packages[i].Dir < h.Packages[j].Dir })
	if s.loading.Load() {
		h.Status = "loading"
	}
	return h
}

// status reports the state of the package, without its crashes. The
// caller holds packages.mu.
func (st *pkgState) status() PackageStatus {
	ps := PackageStatus{Dir: st.rel, State: "ok", Services: []string{}}
	if st.current != nil {
		ps.Services = routesOf(st.current)
		ps.LoadedAt = st.current.loadedAt.Format(time.RFC3339)
		if g := st.current.worker(); g != nil {
			pid := g.PID()
			ps.Worker = &pid
			ps.Idle = g.Idle()
		}
		ps.Tier = st.current.tier
		if st.build.building && st.current.tier == tierInterpreted {
			ps.Tier = "compiling"
		}
	}
	ps.Build = st.build.status()
	if st.build.onlyCompiled != "" {
		ps.CompiledOnly = "served compiled only: " + st.build.onlyCompiled
	}
	for _, w := range st.warnings {
		ps.Warnings = append(ps.Warnings, w.Error())
	}
	if st.err != nil {
		ps.State = "degraded"
		if st.current == nil {
			ps.State = "failed"
		}
		ps.FailedAt = st.errAt.Format(time.RFC3339)
		if list, ok := st.err.(funcs.ErrorList); ok {
			for _, e := range list {
				ps.Errors = append(ps.Errors, e.Error())
			}
		} else {
			ps.Errors = []string{st.err.Error()}
		}
	}
	return ps
}

// healthz answers liveness: the process answers, with every package's
// state.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(s.Status())
}

// readyz answers 200 when every package has loaded at least once, else
// 503 (also while the first load of a server made by Open runs), with
// every package's state.
func (s *Server) readyz(c *fiber.Ctx) error {
	h := s.Status()
	if h.Status == "loading" {
		c.Status(fiber.StatusServiceUnavailable)
	}
	for _, p := range h.Packages {
		if p.State == "failed" {
			c.Status(fiber.StatusServiceUnavailable)
			break
		}
	}
	return c.JSON(h)
}
