package server

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/state"
	"github.com/microfn/microfn/state/dbconf"
)

// StateDirName is the state folder's name in the served folder (in the
// working directory for a built application), when --state does not
// say: hidden, so that the watcher and the go command leave it alone.
const StateDirName = ".microfn"

// WithState sets the state folder, where each database of service code
// is an SQLite file (default: .microfn in the served folder; for a built
// application, which has no folder, .microfn in the working directory).
func WithState(dir string) Option { return optionFunc(func(c *config) { c.state.dir = dir }) }

// WithDatabase places database name at url, a PostgreSQL database
// (postgres://…), instead of an SQLite file of the state folder.
func WithDatabase(name, url string) Option {
	return optionFunc(func(c *config) {
		if c.state.urls == nil {
			c.state.urls = map[string]string{}
		}
		c.state.urls[name] = url
	})
}

// stateOptions are the options of the databases.
type stateOptions struct {
	dir  string
	urls map[string]string
}

// check reports a database option that cannot work.
func (o stateOptions) check() error {
	for name, u := range o.urls {
		if err := dbconf.CheckName(name); err != nil {
			return fmt.Errorf("--database: %w", err)
		}
		if _, err := dbconf.ParseURL(u); err != nil {
			return fmt.Errorf("--database %s: %w", name, err)
		}
	}
	return nil
}

// A stateManager is the server's side of the databases of service code:
// it applies the migrations of every package before the package loads,
// keeps what /healthz, /metrics and /docs say of each database, and, with
// IsolateNone, opens them for the interpreter.
type stateManager struct {
	cfg dbconf.Config
	// prebuilt, for a built application, carries each package's
	// migrations: it reads no folder.
	prebuilt *Prebuilt
	logger   *slog.Logger
	// set is the databases of the code that runs in the server's
	// process (IsolateNone), which count its statements in counters.
	set      *state.Set
	counters dbconf.Counters

	mu sync.Mutex
	// admin are the server's own connections, for migrations and
	// health.
	admin map[string]*sql.DB
	// users maps a package to the databases it declares or migrates.
	users map[string][]string
	// lastErr is each database's last migration error.
	lastErr map[string]error
}

// newStateManager returns the state manager of a server of root, or,
// with prebuilt set, of a built application (whose root names the
// folder it was built from, which is not where it runs).
func newStateManager(root string, prebuilt *Prebuilt, o stateOptions, logger *slog.Logger) *stateManager {
	dir := o.dir
	switch {
	case dir != "":
	case prebuilt != nil:
		dir = StateDirName
	default:
		dir = filepath.Join(root, StateDirName)
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	cfg := dbconf.Config{Dir: dir, URLs: o.urls}
	m := &stateManager{
		cfg:      cfg,
		prebuilt: prebuilt,
		logger:   logger,
		admin:    map[string]*sql.DB{},
		users:    map[string][]string{},
		lastErr:  map[string]error{},
	}
	m.set = state.NewCountedSet(cfg, &m.counters)
	return m
}

// close closes the server's connections.
func (m *stateManager) close() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, db := range m.admin {
		db.Close()
	}
	m.admin = map[string]*sql.DB{}
	m.set.Close()
}

// adminDB returns the server's connection to database name.
func (m *stateManager) adminDB(name string) (*sql.DB, dbconf.Target, error) {
	t, err := m.cfg.Where(name)
	if err != nil {
		return nil, t, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if db := m.admin[name]; db != nil {
		return db, t, nil
	}
	db, err := state.Open(t)
	if err != nil {
		return nil, t, err
	}
	m.admin[name] = db
	return db, t, nil
}

// sandbox lets workers reach the databases: write the folder of the
// SQLite files, connect to the PostgreSQL servers' ports.
func (m *stateManager) sandbox(sb *protocol.Sandbox) {
	sb.WriteDirs = append(sb.WriteDirs, dbconf.DatabasesDir(m.cfg.Dir))
	for _, name := range m.cfg.Names() {
		if p := postgresPort(m.cfg.URLs[name]); p > 0 {
			sb.DatabasePorts = append(sb.DatabasePorts, p)
		}
	}
}

// postgresPort is the TCP port of a PostgreSQL URL: its own, else 5432.
func postgresPort(raw string) int {
	u, err := url.Parse(raw)
	if err != nil {
		return 0
	}
	if p := u.Port(); p != "" {
		n, _ := strconv.Atoi(p)
		return n
	}
	if h := u.Query().Get("port"); h != "" {
		n, _ := strconv.Atoi(h)
		return n
	}
	if _, p, err := net.SplitHostPort(u.Host); err == nil {
		n, _ := strconv.Atoi(p)
		return n
	}
	return 5432
}

// prepare makes the folder of the SQLite databases if one of names is
// an SQLite database: before a package that uses it loads, so that its
// worker's sandbox can let it write there. A server whose code declares
// no database makes no state folder.
func (m *stateManager) prepare(names []string) error {
	for _, n := range names {
		if t, err := m.cfg.Where(n); err == nil && t.Kind == dbconf.SQLite {
			if err := os.MkdirAll(dbconf.DatabasesDir(m.cfg.Dir), 0o700); err != nil {
				return fmt.Errorf("make the state folder: %w", err)
			}
			return nil
		}
	}
	return nil
}

// declared returns the migrations of the package in rel, whose sources
// are src, by database: its migrations/NAME/*.sql, or, in a built
// application, those it was built with.
func (m *stateManager) declared(rel string, src *funcs.Package) (map[string][]state.Migration, error) {
	if m.prebuilt == nil {
		return state.Declared(src.Dir)
	}
	for _, p := range m.prebuilt.Packages {
		if p.Rel == rel {
			return p.migrations(m.prebuilt.Root), nil
		}
	}
	return nil, nil
}

// hashMigrations adds the migrations of the package in dir to its hash h,
// so that a new or changed migration loads the package again.
func hashMigrations(h [32]byte, dir string) [32]byte {
	ms, err := state.Declared(dir)
	if err != nil || len(ms) == 0 {
		return h
	}
	sum := sha256.New()
	sum.Write(h[:])
	names := make([]string, 0, len(ms))
	for n := range ms {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		for _, mg := range ms[n] {
			fmt.Fprintf(sum, "%s/%s\x00%d\x00%s", n, mg.Name, len(mg.SQL), mg.SQL)
		}
	}
	var out [32]byte
	copy(out[:], sum.Sum(nil))
	return out
}

// migrationOwner maps a folder the watcher reports to the package whose
// migrations it holds (x/migrations/orders to x), and any other to
// itself.
func migrationOwner(rel string) string {
	parent, name := path.Split(rel)
	parent = strings.TrimSuffix(parent, "/")
	if dbconf.CheckName(name) != nil {
		return rel
	}
	switch {
	case parent == "migrations":
		return "."
	case strings.HasSuffix(parent, "/migrations"):
		return strings.TrimSuffix(parent, "/migrations")
	}
	return rel
}

// migrate applies the migrations of a package about to load (its
// migrations/NAME/*.sql), and records the databases it uses. A migration
// that fails is the package's load error, at the file.
func (m *stateManager) migrate(ctx context.Context, rel string, src *funcs.Package) error {
	ms, err := m.declared(rel, src)
	if err != nil {
		return err
	}
	used := declaredDatabases(src)
	names := make([]string, 0, len(ms))
	for n := range ms {
		names = append(names, n)
		used = append(used, n)
	}
	sort.Strings(names)
	slices.Sort(used)
	used = slices.Compact(used)
	for _, n := range used {
		if err := dbconf.CheckName(n); err != nil {
			return err
		}
	}
	m.mu.Lock()
	m.users[rel] = used
	m.mu.Unlock()
	if err := m.prepare(used); err != nil {
		return err
	}
	for _, name := range names {
		db, t, err := m.adminDB(name)
		if err != nil {
			return err
		}
		applied, err := state.Migrate(ctx, db, t.Kind, ms[name])
		m.mu.Lock()
		m.lastErr[name] = err
		m.mu.Unlock()
		for _, a := range applied {
			m.logger.Info(fmt.Sprintf("database %s: applied migration %s", name, a))
		}
		if err != nil {
			var me *state.MigrationError
			if errors.As(err, &me) {
				return funcs.ErrorList{&funcs.SourceError{Pos: token.Position{Filename: filepath.ToSlash(me.Path), Line: me.Line}, Msg: fmt.Sprintf("migration of database %s failed (nothing of it applied): %v", name, me.Err)}}
			}
			return err
		}
	}
	return nil
}

// forget drops what the manager knows of a package that is gone.
func (m *stateManager) forget(rel string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.users, rel)
}

// declaredDatabases returns the names of the databases src declares
// with microfn.Database and microfn.KV and a constant string.
func declaredDatabases(src *funcs.Package) []string {
	var out []string
	for _, f := range src.Files {
		if f.AST == nil {
			continue
		}
		local := ""
		for _, imp := range f.AST.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == interp.APIPath {
				local = "microfn"
				if imp.Name != nil {
					local = imp.Name.Name
				}
			}
		}
		if local == "" {
			continue
		}
		ast.Inspect(f.AST, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Database" && sel.Sel.Name != "KV") {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); !ok || id.Name != local {
				return true
			}
			if lit, ok := call.Args[0].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if s, err := strconv.Unquote(lit.Value); err == nil {
					out = append(out, s)
				}
			}
			return true
		})
	}
	return out
}

// databasesOf returns the databases the package in rel uses.
func (m *stateManager) databasesOf(rel string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.users[rel])
}

// kinds returns the kind of every database a package uses, by name.
func (m *stateManager) kinds() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]string{}
	for _, names := range m.users {
		for _, n := range names {
			if t, err := m.cfg.Where(n); err == nil {
				out[n] = string(t.Kind)
			}
		}
	}
	return out
}

// DatabaseStatus is what /healthz says of one database.
type DatabaseStatus struct {
	Name string `json:"name"`
	// Kind is "sqlite" or "postgres"; Where its file, or its URL
	// without the password.
	Kind  string `json:"kind"`
	Where string `json:"where"`
	// State is "ok", or "error" with Error.
	State string `json:"state"`
	Error string `json:"error,omitempty"`
	// Migrations are the names of the migrations applied, in order.
	Migrations []string `json:"migrations"`
	// Packages are the packages that declare it or carry its
	// migrations.
	Packages []string `json:"packages"`
}

// status reports every database a package uses or --database names. It
// asks each database, for at most a second.
func (m *stateManager) status() []DatabaseStatus {
	m.mu.Lock()
	byDB := map[string][]string{}
	for _, n := range m.cfg.Names() {
		byDB[n] = nil
	}
	for rel, names := range m.users {
		for _, n := range names {
			byDB[n] = append(byDB[n], rel)
		}
	}
	lastErr := map[string]error{}
	for n, err := range m.lastErr {
		lastErr[n] = err
	}
	m.mu.Unlock()
	out := []DatabaseStatus{}
	for name, pkgs := range byDB {
		sort.Strings(pkgs)
		ds := DatabaseStatus{Name: name, State: "ok", Packages: pkgs, Migrations: []string{}}
		if ds.Packages == nil {
			ds.Packages = []string{}
		}
		db, t, err := m.adminDB(name)
		ds.Kind = string(t.Kind)
		ds.Where = t.Path
		if t.Kind == dbconf.Postgres {
			ds.Where = dbconf.Redact(t.URL)
		}
		if err == nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			var applied []state.Applied
			applied, err = state.Status(ctx, db)
			cancel()
			for _, a := range applied {
				ds.Migrations = append(ds.Migrations, a.Name)
			}
		}
		if err == nil {
			err = lastErr[name]
		}
		if err != nil {
			ds.State, ds.Error = "error", err.Error()
		}
		out = append(out, ds)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
