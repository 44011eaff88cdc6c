package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"

	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/proto"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/supervisor"
)

// WorkerSettings are the settings a server passes to its worker
// processes, so that their proxies call services as the server would.
type WorkerSettings struct {
	Monolith     bool          `json:"monolith,omitempty"`
	Unrestricted bool          `json:"unrestricted,omitempty"`
	Allow        []string      `json:"allow,omitempty"`
	Env          []string      `json:"env,omitempty"`
	MaxDepth     int           `json:"max_depth"`
	BodyLimit    int           `json:"body_limit"`
	Defaults     policy.Policy `json:"defaults"`
	Only         []string      `json:"only,omitempty"`
	Routes       RouteTable    `json:"routes,omitempty"`
	Token        string        `json:"token,omitempty"`
	CallDeadline time.Duration `json:"call_deadline"`
	Quiet        bool          `json:"quiet,omitempty"`
	// ChainKeys are the keys that sign call chains; the first signs.
	ChainKeys [][]byte `json:"chain_keys"`
	// WorkerKey is the secret the server sends with every call to this
	// worker: the worker takes no other calls.
	WorkerKey []byte `json:"worker_key"`
}

// runDirPrefix starts the names of the servers' private directories in
// the temporary directory; runLock is the file each server holds locked
// in its own for as long as it runs.
const (
	runDirPrefix = "microfn-"
	runLock      = "server.lock"
)

// listenInternal makes the private directory of the workers' temporary
// folders and the listener of the connections workers open to the server
// for their nested calls, which their supervisor hands it (see
// supervisor.Broker): no socket file is involved. It first removes the
// directories of servers that ended without removing theirs (killed).
func (s *Server) listenInternal() error {
	removeStaleRunDirs(os.TempDir(), s.cfg.logger)
	dir, lock, err := makeRunDir(os.TempDir())
	if err != nil {
		return fmt.Errorf("make the workers' directory: %w", err)
	}
	s.runDir, s.runLock, s.internal = dir, lock, newConnListener()
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

// A connListener is a net.Listener of connections handed to it.
type connListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newConnListener() *connListener {
	return &connListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

// push hands c to Accept, or closes it if the listener is closed.
func (l *connListener) push(c net.Conn) {
	select {
	case l.conns <- c:
	case <-l.done:
		c.Close()
	}
}

// Accept returns the next connection handed to the listener.
func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

// Close stops Accept.
func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

// Addr names the listener, which has no address.
func (l *connListener) Addr() net.Addr { return internalAddr{} }

type internalAddr struct{}

func (internalAddr) Network() string { return "microfn" }
func (internalAddr) String() string  { return "workers" }

// workerSettings are the settings of this server's workers.
func (s *Server) workerSettings() WorkerSettings {
	return WorkerSettings{
		Monolith:     s.cfg.monolith,
		Unrestricted: s.cfg.unrestricted,
		Allow:        s.cfg.allow,
		Env:          s.cfg.env,
		MaxDepth:     s.cfg.maxDepth,
		BodyLimit:    s.cfg.bodyLimit,
		Defaults:     s.cfg.defaults,
		Only:         s.cfg.only,
		Routes:       s.cfg.routes,
		Token:        s.cfg.token,
		CallDeadline: s.cfg.callDeadline,
		Quiet:        s.cfg.quiet,
		ChainKeys:    s.signer.keys,
	}
}

// startWorker starts the worker process of one version of the package in
// rel, with its files as read, and waits until it has loaded them.
func (s *Server) startWorker(ctx context.Context, rel, label string, files []funcs.SourceFile, prep *interp.Prepared, key []byte) (*supervisor.Group, error) {
	set := s.workerSettings()
	set.WorkerKey = key
	settings, err := json.Marshal(set)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", label, err)
	}
	spec := supervisor.Spec{
		Root:     s.root,
		Packages: []supervisor.PackageSpec{{Rel: rel, Files: files, Prepared: preparedJSON(prep)}},
		Limits:   s.cfg.workerLimits,
		Sandbox:  s.workerSandbox(),
		Settings: settings,
	}
	cfg := supervisor.Config{
		Command:     s.cfg.workerCommand,
		Dir:         s.runDir,
		Label:       label,
		LoadTimeout: s.cfg.loadTimeout,
		Grace:       s.cfg.runawayGrace,
		MaxMemory:   s.cfg.workerLimits.MaxMemory,
		Env:         s.cfg.env,
		Package:     label,
		Connect:     s.internal.push,
		Routes:      s.routeAddrs(),
		Logger:      s.cfg.logger,
		OnCrash:     func(c supervisor.Crash) { s.crashes.add(rel, c) },
	}
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
		return nil, supervisor.Err(list)
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

	mu     sync.Mutex // guards byPkg
	byPkg  map[string]*CrashStatus
	counts map[string]int
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
// that one /metrics shows the whole server.
type workerMetrics struct{ s *Server }

// Gather fetches and parses every worker's metrics. A worker that does
// not answer (it is restarting) is left out.
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
	byName := map[string]*dto.MetricFamily{}
	for rel, g := range groups {
		text, err := g.Metrics()
		if err != nil || len(text) == 0 {
			continue
		}
		parser := expfmt.NewTextParser(model.UTF8Validation)
		fams, err := parser.TextToMetricFamilies(bytes.NewReader(text))
		if err != nil {
			continue
		}
		for _, f := range workerProcessMetrics(g) {
			fams[f.GetName()] = f
		}
		for name, f := range fams {
			for _, m := range f.Metric {
				m.Label = append(m.Label, &dto.LabelPair{Name: proto.String("worker"), Value: proto.String(rel)})
			}
			if have, ok := byName[name]; ok {
				have.Metric = append(have.Metric, f.Metric...)
			} else {
				byName[name] = f
			}
		}
	}
	out := make([]*dto.MetricFamily, 0, len(byName))
	for _, f := range byName {
		out = append(out, f)
	}
	return out, nil
}

// workerProcessMetrics are the process metrics (process_*: CPU, memory,
// open files) of g's current worker, which the server reads from /proc:
// the worker cannot, /proc is closed to it.
func workerProcessMetrics(g *supervisor.Group) []*dto.MetricFamily {
	pid := g.PID()
	if pid == 0 {
		return nil
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{PidFn: func() (int, error) { return pid, nil }}))
	fams, _ := reg.Gather() // what could be read
	return fams
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
// the served folder and what Go reads at run time, and nothing more
// unless --allow os (the file system), --allow net (the network) or
// --unrestricted says so. (Its connections to this server and to the
// routes' servers come from its supervisor: see supervisor.Broker.)
func (s *Server) workerSandbox() supervisor.Sandbox {
	sb := supervisor.Sandbox{
		Off:       s.cfg.unrestricted,
		ReadDirs:  append([]string{s.root}, runtimeReadDirs...),
		ReadFiles: runtimeReadFiles,
		Hidden:    s.cfg.secretFiles,
	}
	if abs, err := filepath.Abs(s.root); err == nil {
		sb.ReadDirs[0] = abs
	}
	for _, a := range s.cfg.allow {
		switch a {
		case "os":
			sb.OpenFS = true
		case "net":
			sb.OpenNet = true
		}
	}
	return sb
}

// routeAddrs are the addresses (host:port) of the servers of the routes,
// which workers may reach through their supervisor.
func (s *Server) routeAddrs() []string {
	var out []string
	for _, base := range s.cfg.routes {
		u, err := url.Parse(base)
		if err != nil || u.Host == "" {
			continue
		}
		port := u.Port()
		if port == "" {
			port = "80"
			if u.Scheme == "https" {
				port = "443"
			}
		}
		if addr := net.JoinHostPort(u.Hostname(), port); !slices.Contains(out, addr) {
			out = append(out, addr)
		}
	}
	return out
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
	key   []byte // the secret the shared workers take calls with
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
			ferr = supervisor.Err(list)
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
			return nil, supervisor.Err(list)
		}
		for other, list := range failed {
			return nil, fmt.Errorf("load %s: package %s no longer loads beside it: %v", label, other, supervisor.Err(list))
		}
	}
	return g, nil
}

// launchShared starts a shared worker with every package's current
// version, and with the package in rel at (files, prep) unless rel is "".
// It returns the worker, if any package loaded, and the packages that
// failed to. The caller holds s.shared.mu.
func (s *Server) launchShared(ctx context.Context, rel, label string, files []funcs.SourceFile, prep *interp.Prepared) (*supervisor.Group, map[string][]supervisor.LoadError, error) {
	news := map[string]*version{}
	if rel != "" {
		news[rel] = &version{rel: rel, files: files, prep: prep}
	}
	return s.launchSharedWith(ctx, label, news)
}

// launchSharedWith is launchShared with new versions of several packages:
// news, by package directory (their files and prepared code).
func (s *Server) launchSharedWith(ctx context.Context, label string, news map[string]*version) (*supervisor.Group, map[string][]supervisor.LoadError, error) {
	set := s.workerSettings()
	set.WorkerKey = s.shared.key
	settings, err := json.Marshal(set)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", label, err)
	}
	var pkgs []supervisor.PackageSpec
	for rel, v := range news {
		pkgs = append(pkgs, supervisor.PackageSpec{Rel: rel, Files: v.files, Prepared: preparedJSON(v.prep)})
	}
	s.mu.Lock()
	for other, st := range s.packages {
		if _, isNew := news[other]; !isNew && st.current != nil && st.current.prep != nil && st.current.servesAny() {
			pkgs = append(pkgs, supervisor.PackageSpec{Rel: other, Files: st.current.files, Prepared: preparedJSON(st.current.prep)})
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
	spec := supervisor.Spec{Root: s.root, Packages: pkgs, Limits: s.cfg.workerLimits, Sandbox: s.workerSandbox(), Settings: settings}
	cfg := supervisor.Config{
		Command:     s.cfg.workerCommand,
		Dir:         s.runDir,
		Label:       "every package",
		LoadTimeout: s.cfg.loadTimeout,
		Grace:       s.cfg.runawayGrace,
		MaxMemory:   s.cfg.workerLimits.MaxMemory,
		Env:         s.cfg.env,
		Connect:     s.internal.push,
		Routes:      s.routeAddrs(),
		Logger:      s.cfg.logger,
		OnCrash: func(c supervisor.Crash) {
			for _, r := range rels {
				s.crashes.add(r, c)
			}
		},
	}
	g, ready, err := supervisor.Start(ctx, cfg, spec)
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
		old.Drain()
	}
}

// preparedJSON encodes a prepared package for a worker's spec.
func preparedJSON(prep *interp.Prepared) json.RawMessage {
	b, err := json.Marshal(prep)
	if err != nil {
		panic(fmt.Sprintf("encode a prepared package: %v", err)) // plain data: cannot fail
	}
	return b
}
