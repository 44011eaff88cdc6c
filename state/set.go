package state

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/microfn/microfn/state/dbconf"
)

// A Set is the databases of one process, or of one interpreter: each
// name opened once, lazily, into one *sql.DB that every package of it
// that declares the name shares.
type Set struct {
	// config returns where the databases live; it may fail until the
	// configuration is known (a compiled worker's code initialises
	// before its worker reads its spec).
	config func() (dbconf.Config, error)
	// test, outside microfn, applies the migrations of the packages
	// that declared a database when it first opens.
	test bool
	// counters count the statements run on its databases; pkg labels
	// them with the package of a view (see ForPackage).
	counters *dbconf.Counters
	pkg      string

	mu      sync.Mutex
	handles map[string]*handle
	views   map[string]*Set
}

// A handle is one database of a Set.
type handle struct {
	set  *Set
	name string
	db   *sql.DB

	mu   sync.Mutex
	conn driver.Connector // set on first use
	kind dbconf.Kind
	dirs []string // test: the folders of the packages that declared it
}

// NewSet returns the Set of databases configured by cfg, whose
// statements are counted in the process's counters
// (dbconf.ProcessCounters).
func NewSet(cfg dbconf.Config) *Set {
	return NewCountedSet(cfg, dbconf.ProcessCounters())
}

// NewCountedSet returns the Set of databases configured by cfg, whose
// statements are counted in counters: a server that runs service code
// in its own process counts its own, apart from other servers of the
// process.
func NewCountedSet(cfg dbconf.Config, counters *dbconf.Counters) *Set {
	return &Set{config: func() (dbconf.Config, error) { return cfg, nil }, counters: counters, handles: map[string]*handle{}}
}

// ForPackage returns the view of the set that the package pkg uses:
// the same databases, through connections of its own, whose statements
// are counted under pkg (the same view for the same pkg). A process that
// runs several packages tells their queries apart this way.
func (s *Set) ForPackage(pkg string) *Set {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v := s.views[pkg]; v != nil {
		return v
	}
	if s.views == nil {
		s.views = map[string]*Set{}
	}
	v := &Set{config: s.config, test: s.test, counters: s.counters, pkg: pkg, handles: map[string]*handle{}}
	s.views[pkg] = v
	return v
}

// Counters returns the counters of the set's statements.
func (s *Set) Counters() *dbconf.Counters { return s.counters }

// DB returns database name, opened on first use. It panics if name is
// not a database name (dbconf.CheckName): service code declares its
// databases with constant names, and a bad one is a load error at the
// declaration.
func (s *Set) DB(name string) *sql.DB { return s.handle(name, "").db }

// handle returns the handle of name; dir, in a test, is the folder of
// the package that declares it.
func (s *Set) handle(name, dir string) *handle {
	if err := dbconf.CheckName(name); err != nil {
		panic("microfn.Database: " + err.Error())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.handles[name]
	if h == nil {
		h = &handle{set: s, name: name}
		h.db = sql.OpenDB(h)
		s.handles[name] = h
	}
	if dir != "" {
		h.mu.Lock()
		h.dirs = append(h.dirs, dir)
		h.mu.Unlock()
	}
	return h
}

// Kind returns the kind of database name, resolving where it lives.
func (s *Set) Kind(name string) (dbconf.Kind, error) {
	h := s.handle(name, "")
	if _, err := h.resolve(); err != nil {
		return "", err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.kind, nil
}

// Close closes every database of the set and of its views.
func (s *Set) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, h := range s.handles {
		errs = append(errs, h.db.Close())
	}
	for _, v := range s.views {
		errs = append(errs, v.Close())
	}
	return errors.Join(errs...)
}

// resolve returns the connector of the database, found on first use.
func (h *handle) resolve() (driver.Connector, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conn != nil {
		return h.conn, nil
	}
	cfg, err := h.set.config()
	if err != nil {
		return nil, fmt.Errorf("database %s: %w", h.name, err)
	}
	t, err := cfg.Where(h.name)
	if err != nil {
		return nil, err
	}
	c, err := connector(t)
	if err != nil {
		return nil, err
	}
	if h.set.test {
		if err := migrateDirs(t, h.dirs); err != nil {
			return nil, err
		}
	}
	h.conn, h.kind = c, t.Kind
	// The pool of the kind, as the server's own connections have it:
	// database/sql's default keeps 2 idle connections of an unbounded
	// pool, so that under concurrent calls every query past the second
	// opened a connection of its own (a PostgreSQL backend, an SQLite
	// file opened again with its pragmas) and closed it after.
	configure(h.db, t.Kind)
	return c, nil
}

// Connect opens a connection to the database, whose statements are
// counted.
func (h *handle) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := h.resolve()
	if err != nil {
		return nil, err
	}
	conn, err := c.Connect(ctx)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	sqlite := h.kind == dbconf.SQLite
	h.mu.Unlock()
	return &countedConn{Conn: conn, name: h.name, pkg: h.set.pkg, counters: h.set.counters, sqlite: sqlite}, nil
}

// Driver returns a driver that opens connections to the database.
func (h *handle) Driver() driver.Driver { return handleDriver{h} }

type handleDriver struct{ h *handle }

// Open opens a connection to the handle's database, whatever name says.
func (d handleDriver) Open(string) (driver.Conn, error) { return d.h.Connect(context.Background()) }

// migrateDirs applies the migrations of the packages in dirs to the
// database t, outside microfn (go test).
func migrateDirs(t dbconf.Target, dirs []string) error {
	var all []Migration
	seen := map[string]bool{}
	for _, d := range dirs {
		ms, err := ReadMigrations(filepath.Join(d, "migrations", t.Name))
		if err != nil {
			return err
		}
		for _, m := range ms {
			if !seen[m.Name] {
				seen[m.Name] = true
				all = append(all, m)
			}
		}
	}
	if len(all) == 0 {
		return nil
	}
	db, err := Open(t)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = Migrate(context.Background(), db, t.Kind, SortMigrations(all))
	return err
}

// EnvWorker is protocol.EnvWorker, which marks a worker process: package
// state does not import package protocol, so that service code's go test
// does not build it.
const EnvWorker = "MICROFN_WORKER"

// process is the Set of the process's compiled code, and of service code
// outside microfn. Its configuration is the process's (dbconf.Process).
var process = sync.OnceValue(func() *Set {
	s := &Set{handles: map[string]*handle{}, counters: dbconf.ProcessCounters()}
	if os.Getenv(EnvWorker) == "1" {
		s.config = func() (dbconf.Config, error) {
			cfg, ok := dbconf.Process()
			if !ok {
				return dbconf.Config{}, errors.New("used before the worker read its configuration (while its package initialised): use it in a service, or in a function a service calls")
			}
			return cfg, nil
		}
		return s
	}
	// Outside microfn: go test of service code, or a program of its
	// module. Each database is a temporary SQLite file, made on first
	// use, with the migrations of the packages that declare it.
	s.test = true
	dir := sync.OnceValues(func() (string, error) { return os.MkdirTemp("", "microfn-state-") })
	s.config = func() (dbconf.Config, error) {
		if cfg, ok := dbconf.Process(); ok {
			return cfg, nil
		}
		d, err := dir()
		if err != nil {
			return dbconf.Config{}, fmt.Errorf("make a temporary state folder: %w", err)
		}
		return dbconf.Config{Dir: d}, nil
	}
	return s
})

// Process returns the process's Set: that of compiled service code,
// whose configuration its worker sets (dbconf.SetProcess), and outside
// microfn that of temporary databases.
func Process() *Set { return process() }

// Declare returns database name of the process's Set, declared by the
// package in folder dir (whose migrations a test applies; "" if
// unknown).
func Declare(name, dir string) *sql.DB { return process().handle(name, dir).db }
