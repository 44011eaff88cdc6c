package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/procfs"
	"google.golang.org/protobuf/proto"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/supervisor"
)

// runDirPrefix starts the names of the servers' private directories in
// the temporary directory; runLock is the file each server holds locked
// in its own for as long as it runs.
const (
	runDirPrefix = "microfn-"
	runLock      = "server.lock"
)

// makeRunDir makes the private directory of the workers' temporary
// folders. It first removes the directories of servers that ended
// without removing theirs (killed).
func (s *Server) makeRunDir() error {
	removeStaleRunDirs(os.TempDir(), s.cfg.logger)
	dir, lock, err := makeRunDir(os.TempDir())
	if err != nil {
		return fmt.Errorf("make the workers' directory: %w", err)
	}
	s.runDir, s.runLock = dir, lock
	return nil
}

// makeRunDir makes a server's private directory in tmp, holding its lock
// file locked (flock: the kernel releases the lock when the process
// ends, however it ends). The directory gets its name only once locked,
// so that no other server takes it for a dead one's.
func makeRunDir(tmp string) (string, *os.File, error) {
	staging, err := os.MkdirTemp(tmp, "."+runDirPrefix)
	if err != nil {
		return "", nil, err
	}
	lock, err := os.OpenFile(filepath.Join(staging, runLock), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err == nil {
		err = syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	}
	dir := filepath.Join(tmp, strings.TrimPrefix(filepath.Base(staging), "."))
	if err == nil {
		err = os.Rename(staging, dir)
	}
	if err != nil {
		if lock != nil {
			lock.Close()
		}
		os.RemoveAll(staging)
		return "", nil, err
	}
	return dir, lock, nil
}

// removeStaleRunDirs removes the private directories in tmp of servers
// of this user that no longer run: their lock can be taken. A directory
// without a lock file (made by an older microfn) is left alone.
func removeStaleRunDirs(tmp string, logger *slog.Logger) {
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), runDirPrefix) {
			continue
		}
		dir := filepath.Join(tmp, e.Name())
		if info, err := e.Info(); err != nil || !ownedByMe(info) {
			continue
		}
		lock, err := os.Open(filepath.Join(dir, runLock))
		if err != nil {
			continue
		}
		if syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil {
			if err := os.RemoveAll(dir); err == nil {
				logger.Info("removed the directory of a server that ended without removing it", "dir", dir)
			}
		}
		lock.Close()
	}
}

// ownedByMe reports whether this process's user owns the file of info.
func ownedByMe(info os.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}

// workerSettings are how this server's workers (and hosts) run code.
func (s *Server) workerSettings() protocol.Settings {
	return protocol.Settings{
		Monolith:     s.cfg.monolith,
		Unrestricted: s.cfg.unrestricted,
		Allow:        s.cfg.allow,
		Env:          s.cfg.env,
		MaxDepth:     s.cfg.maxDepth,
		BodyLimit:    s.cfg.bodyLimit,
		Defaults:     s.cfg.defaults,
		Quiet:        s.cfg.quiet,
		MaxResponse:  s.cfg.maxResponseSize,
	}
}

// groupConfig is the configuration of a worker group labelled label,
// whose crashes count against the packages rels; pkg, if set, is the one
// package it runs, which labels what its workers log.
func (s *Server) groupConfig(label, pkg string, rels ...string) supervisor.Config {
	return supervisor.Config{
		Command:     s.cfg.workerCommand,
		Dir:         s.runDir,
		Label:       label,
		Package:     pkg,
		LoadTimeout: s.cfg.loadTimeout,
		Grace:       s.cfg.runawayGrace,
		MaxMemory:   s.cfg.workerLimits.MaxMemory,
		Logger:      s.cfg.logger,
		OnCrash: func(c supervisor.Crash) {
			for _, r := range rels {
				s.crashes.add(r, c)
			}
		},
		Handler:     func(g *supervisor.Group) protocol.Handler { return s.nestedHandler(g) },
		MaxBody:     s.cfg.bodyLimit,
		IdleAfter:   s.cfg.scaleToZero,
		TempWatcher: s.temps,
	}
}

// spec is the spec of a worker that runs pkgs.
func (s *Server) spec(pkgs []protocol.PackageSpec) protocol.Spec {
	return protocol.Spec{Root: s.root, Packages: pkgs, Limits: s.cfg.workerLimits, Sandbox: s.workerSandbox(), Settings: s.workerSettings(), State: s.state.cfg}
}

// startWorker starts the worker process of one version of the package in
// rel, with its files as read, and waits until it has loaded them.
func (s *Server) startWorker(ctx context.Context, rel, label string, files []funcs.SourceFile, prep *interp.Prepared) (*supervisor.Group, error) {
	ps := protocol.PackageSpec{Rel: rel, Files: files, Prepared: preparedJSON(prep)}
	if s.cfg.prebuilt != nil {
		ps.CompiledPath = prep.CompiledPath // the executable's own compiled code
	}
	spec := s.spec([]protocol.PackageSpec{ps})
	cfg := s.groupConfig(label, label, rel)
	g, ready, err := supervisor.Start(ctx, cfg, spec)
	if err != nil {
		return nil, err
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
			return nil, fmt.Errorf("load %s: the worker loaded nothing", label)
		}
		return nil, protocol.Err(list)
	}
	s.groups.Add(1)
	go func() {
		defer s.groups.Done()
		g.Wait()
	}()
	return g, nil
}

// crashLog keeps the crashes of each package's workers, across versions,
// for /healthz and the metrics.
type crashLog struct {
	metric *prometheus.CounterVec

	mu    sync.Mutex // guards byPkg
	byPkg map[string]*CrashStatus
}

// CrashStatus is what /healthz and /readyz say of the crashes of a
// package's worker processes.
type CrashStatus struct {
	// Count is how many times a worker of the package died since the
	// server started.
	Count int `json:"count"`
	// LastError is the first line of the last fatal error.
	LastError string `json:"last_error"`
	// LastAt is when the last crash happened (RFC 3339).
	LastAt string `json:"last_at"`
}

func (l *crashLog) add(rel string, c supervisor.Crash) {
	l.mu.Lock()
	if l.byPkg == nil {
		l.byPkg = map[string]*CrashStatus{}
	}
	st := l.byPkg[rel]
	if st == nil {
		st = &CrashStatus{}
		l.byPkg[rel] = st
	}
	st.Count++
	st.LastError = c.Reason
	st.LastAt = c.At.Format(time.RFC3339Nano)
	l.mu.Unlock()
	if l.metric != nil {
		l.metric.WithLabelValues(rel).Inc()
	}
}

// get returns the crashes of the package in rel, or nil if none.
func (l *crashLog) get(rel string) *CrashStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st := l.byPkg[rel]; st != nil {
		c := *st
		return &c
	}
	return nil
}

// WorkerPIDs returns the process ids of every worker process running now,
// sorted.
func (s *Server) WorkerPIDs() []int {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []int
	for _, st := range s.packages {
		if st.current != nil && st.current.group != nil {
			out = append(out, st.current.group.PIDs()...)
		}
	}
	if s.shared != nil {
		if g := s.shared.group.Load(); g != nil {
			out = append(out, g.PIDs()...)
		}
	}
	sort.Ints(out)
	return out
}

// workerMetrics gathers the metrics of the current worker of every
// package, each series labelled with its package (worker="billing"), so
// that one /metrics shows the whole server: what the worker says of its
// Go runtime (worker.Stats), and what the kernel says of its process;
// and the statements each package ran on each database.
type workerMetrics struct{ s *Server }

// Gather asks every worker for its statistics. A worker that does not
// answer (it is restarting) is left out.
func (w workerMetrics) Gather() ([]*dto.MetricFamily, error) {
	w.s.mu.Lock()
	groups := map[string]*supervisor.Group{}
	for rel, st := range w.s.packages {
		if st.current != nil && st.current.group != nil {
			groups[rel] = st.current.group
		}
	}
	if w.s.shared != nil {
		if g := w.s.shared.group.Load(); g != nil {
			groups["shared"] = g
		}
	}
	w.s.mu.Unlock()
	fams := map[string]*dto.MetricFamily{}
	add := func(name, help string, typ dto.MetricType, rel string, v float64) {
		f := fams[name]
		if f == nil {
			f = &dto.MetricFamily{Name: proto.String(name), Help: proto.String(help), Type: typ.Enum()}
			fams[name] = f
		}
		m := &dto.Metric{Label: []*dto.LabelPair{{Name: proto.String("worker"), Value: proto.String(rel)}}}
		if typ == dto.MetricType_COUNTER {
			m.Counter = &dto.Counter{Value: proto.Float64(v)}
		} else {
			m.Gauge = &dto.Gauge{Value: proto.Float64(v)}
		}
		f.Metric = append(f.Metric, m)
	}
	dbs := dbStats{}
	for rel, g := range groups {
		st, ok := workerStats(g, time.Second)
		if !ok {
			continue
		}
		for _, d := range st.Databases {
			dbs.add(w.s.dbPackage(rel, d.Package), d)
		}
		w.s.tally.absorb(w.s.metrics, g, st)
		add("go_goroutines", "Number of goroutines that currently exist.", dto.MetricType_GAUGE, rel, float64(st.Goroutines))
		add("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use.", dto.MetricType_GAUGE, rel, float64(st.HeapBytes))
		add("go_gc_cycles_total", "Number of completed GC cycles.", dto.MetricType_COUNTER, rel, float64(st.GCCycles))
		if p, err := procfs.NewProc(g.PID()); err == nil {
			if stat, err := p.Stat(); err == nil {
				add("process_resident_memory_bytes", "Resident memory size in bytes.", dto.MetricType_GAUGE, rel, float64(stat.ResidentMemory()))
				add("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", dto.MetricType_COUNTER, rel, stat.CPUTime())
			}
		}
	}
	out := make([]*dto.MetricFamily, 0, len(fams)+3)
	for _, f := range fams {
		out = append(out, f)
	}
	return append(out, dbs.families()...), nil
}

// runtimeReads are what Go reads at run time, which a worker may read
// whatever its sandbox: time zones, certificate roots, name resolution.
// Not /proc: the runtime reads it at start only, before the worker is
// confined.
var (
	runtimeReadDirs  = []string{"/sys/fs/cgroup", "/usr/share/zoneinfo", "/usr/lib/go/lib/time", "/etc/ssl/certs", "/etc/pki/tls/certs", "/usr/share/ca-certificates"}
	runtimeReadFiles = []string{"/etc/localtime", "/etc/resolv.conf", "/etc/hosts", "/etc/nsswitch.conf", "/etc/services", "/etc/ssl/cert.pem"}
)

// workerSandbox is what the operating system lets a worker reach: read
// the served folder and what Go reads at run time, never the files of the
// server's secrets, and nothing more unless --allow os (the file system),
// --allow net (TCP and UDP sockets) or --unrestricted says so. A worker
// needs no socket of its own: its connection to this server is the one it
// is started with, and the server makes the calls to the routes' servers.
func (s *Server) workerSandbox() protocol.Sandbox {
	sb := protocol.Sandbox{
		Off:       s.cfg.unrestricted,
		ReadDirs:  append([]string{s.root}, runtimeReadDirs...),
		ReadFiles: runtimeReadFiles,
		Hidden:    s.cfg.secretFiles,
	}
	if abs, err := filepath.Abs(s.root); err == nil {
		sb.ReadDirs[0] = abs
	}
	if s.cfg.prebuilt != nil {
		sb.ReadDirs = sb.ReadDirs[1:] // an application has no folder
	}
	for _, a := range s.cfg.allow {
		switch a {
		case "os":
			sb.OpenFS = true
		case "net":
			sb.OpenNet = true
		}
	}
	s.state.sandbox(&sb)
	return sb
}

// warnOnce logs a warning the first time it is given.
func (s *Server) warnOnce(msg string) {
	if _, seen := s.warned.LoadOrStore(msg, true); !seen {
		s.cfg.logger.Warn("WARNING: " + msg)
	}
}

// A sharedWorker is the worker process every package runs in with
// IsolateShared. A reload of any package starts a new one with every
// package's current code and swaps it in; the old one finishes its calls
// and ends.
type sharedWorker struct {
	mu    sync.Mutex // serializes reloads: each starts a worker with every package
	group atomic.Pointer[supervisor.Group]
	// starting is set while the server loads its packages for the first
	// time: they are prepared one by one, and then one worker loads them
	// all (startFirstShared), rather than a worker per package loaded.
	starting bool
}

// startFirstShared starts the first shared worker, with every package
// prepared while the server started. A package that fails to load in it
// is a load error; the others are served.
func (s *Server) startFirstShared(ctx context.Context) {
	s.shared.mu.Lock()
	defer s.shared.mu.Unlock()
	s.shared.starting = false
	g, failed, err := s.launchShared(ctx, "", "every package", nil, nil)
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.unsyncedPublish()
	for rel, st := range s.packages {
		if st.current == nil || st.current.shared == nil {
			continue
		}
		ferr := err
		if list, ok := failed[rel]; ok {
			ferr = protocol.Err(list)
		}
		if ferr != nil {
			label := filepath.ToSlash(filepath.Join(s.root, filepath.FromSlash(rel)))
			st.current.retire()
			st.current = nil
			s.unsyncedFailed(st, rel, label, ferr)
		}
	}
	if g != nil {
		s.installShared(g)
	}
}

// startShared starts a shared worker with the package in rel at its new
// version (files, prep) and every other package at its current one, and
// returns it once it has loaded them all; installShared makes it the
// shared worker. The caller holds s.shared.mu.
func (s *Server) startShared(ctx context.Context, rel, label string, files []funcs.SourceFile, prep *interp.Prepared) (*supervisor.Group, error) {
	g, failed, err := s.launchShared(ctx, rel, label, files, prep)
	if err != nil {
		return nil, err
	}
	if len(failed) > 0 {
		if g != nil {
			g.Close()
		}
		if list, ok := failed[rel]; ok {
			return nil, protocol.Err(list)
		}
		for other, list := range failed {
			return nil, fmt.Errorf("load %s: package %s no longer loads beside it: %v", label, other, protocol.Err(list))
		}
	}
	return g, nil
}

// launchShared starts a shared worker with every package's current
// version, and with the package in rel at (files, prep) unless rel is "".
// It returns the worker, if any package loaded, and the packages that
// failed to. The caller holds s.shared.mu.
func (s *Server) launchShared(ctx context.Context, rel, label string, files []funcs.SourceFile, prep *interp.Prepared) (*supervisor.Group, map[string][]protocol.LoadError, error) {
	news := map[string]*version{}
	if rel != "" {
		news[rel] = &version{rel: rel, files: files, prep: prep}
	}
	return s.launchSharedWith(ctx, label, news)
}

// launchSharedWith is launchShared with new versions of several packages:
// news, by package directory (their files and prepared code).
func (s *Server) launchSharedWith(ctx context.Context, label string, news map[string]*version) (*supervisor.Group, map[string][]protocol.LoadError, error) {
	var pkgs []protocol.PackageSpec
	for rel, v := range news {
		pkgs = append(pkgs, protocol.PackageSpec{Rel: rel, Files: v.files, Prepared: preparedJSON(v.prep)})
	}
	s.mu.Lock()
	for other, st := range s.packages {
		if _, isNew := news[other]; !isNew && st.current != nil && st.current.prep != nil && st.current.servesAny() {
			pkgs = append(pkgs, protocol.PackageSpec{Rel: other, Files: st.current.files, Prepared: preparedJSON(st.current.prep)})
		}
	}
	s.mu.Unlock()
	if len(pkgs) == 0 {
		return nil, nil, nil
	}
	rels := make([]string, len(pkgs))
	for i, p := range pkgs {
		rels[i] = p.Rel
	}
	g, ready, err := supervisor.Start(ctx, s.groupConfig("every package", "", rels...), s.spec(pkgs))
	if err != nil {
		return nil, nil, err
	}
	for _, w := range ready.Warnings {
		s.warnOnce(w)
	}
	if g != nil {
		s.groups.Add(1)
		go func() {
			defer s.groups.Done()
			g.Wait()
		}()
	}
	return g, ready.Failed, nil
}

// installShared makes g the shared worker: new calls go to it, and the
// one it replaces ends once its calls have. The caller holds s.mu, and
// publishes the versions g runs right after.
func (s *Server) installShared(g *supervisor.Group) {
	if old := s.shared.group.Swap(g); old != nil {
		// The old worker's last counts of the calls it ran in process
		// first (see localTally), then it finishes what it runs and ends.
		s.finalTally(old)
		old.Drain()
	}
}

// preparedJSON encodes a prepared package for a worker's spec: without
// its version for the compiler, which a worker does not read.
func preparedJSON(prep *interp.Prepared) json.RawMessage {
	b, err := json.Marshal(prep.ForInterpreter())
	if err != nil {
		panic(fmt.Sprintf("encode a prepared package: %v", err)) // plain data: cannot fail
	}
	return b
}
