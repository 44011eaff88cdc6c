// Package dbconf says where the databases of service code live: the
// state folder that holds each embedded SQLite database, and the URLs of
// the databases that live elsewhere (PostgreSQL). A server hands a Config
// to its workers in their spec; package state opens the databases it
// names.
//
// It imports no database driver, so that a worker executable that never
// opens a database does not link one.
package dbconf

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"sync"
)

// Config is where a process's databases live.
type Config struct {
	// Dir is the state folder (serve --state): database NAME is the
	// SQLite file Dir/db/NAME.sqlite unless URLs names it.
	Dir string `json:"dir,omitempty"`
	// URLs maps database names to the URLs of databases elsewhere
	// (serve --database NAME=postgres://…).
	URLs map[string]string `json:"urls,omitempty"`
}

// Kind is the kind of a database: "sqlite" or "postgres".
type Kind string

// The kinds of database.
const (
	SQLite   Kind = "sqlite"
	Postgres Kind = "postgres"
)

// A Target is where one database lives.
type Target struct {
	// Name is the database's name, as service code declares it.
	Name string
	// Kind is its kind.
	Kind Kind
	// Path is the SQLite file, for Kind SQLite.
	Path string
	// URL is the PostgreSQL URL, for Kind Postgres.
	URL string
}

// Where returns where database name lives.
func (c Config) Where(name string) (Target, error) {
	if err := CheckName(name); err != nil {
		return Target{}, err
	}
	if u, ok := c.URLs[name]; ok {
		return Target{Name: name, Kind: Postgres, URL: u}, nil
	}
	if c.Dir == "" {
		return Target{}, fmt.Errorf("database %q: no state folder is set", name)
	}
	return Target{Name: name, Kind: SQLite, Path: filepath.Join(DatabasesDir(c.Dir), name+".sqlite")}, nil
}

// DatabasesDir is the folder of the SQLite databases of state folder
// dir: the one folder a worker may write.
func DatabasesDir(dir string) string { return filepath.Join(dir, "db") }

// Names returns the names of the databases that URLs place, sorted.
func (c Config) Names() []string {
	out := make([]string, 0, len(c.URLs))
	for n := range c.URLs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// validName is what a database name may be: it is a file name and a
// folder name of migrations.
var validName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// CheckName reports whether name can name a database: a lower-case
// letter, then lower-case letters, digits and underscores, 63 at most.
func CheckName(name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("database name %q: want a lower-case letter, then lower-case letters, digits or underscores (at most 63)", name)
	}
	return nil
}

// ParseURL checks a database URL of serve --database and returns its
// kind: postgres:// and postgresql:// URLs are PostgreSQL.
func ParseURL(raw string) (Kind, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("database URL: %w", err)
	}
	switch u.Scheme {
	case "postgres", "postgresql":
		return Postgres, nil
	}
	return "", fmt.Errorf("database URL %s: want postgres://…", Redact(raw))
}

// Redact returns raw with its password hidden, for logs and /healthz.
func Redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(malformed URL)"
	}
	return u.Redacted()
}

// The process's configuration: the registry a compiled worker's code
// needs. Compiled service code declares its databases while its package
// initialises, before the worker's main has read its spec; the worker
// sets the configuration here once it has, and the databases open on
// first use.
var process struct {
	mu  sync.Mutex
	cfg *Config
}

// SetProcess sets the configuration of this process's databases.
func SetProcess(c Config) {
	process.mu.Lock()
	defer process.mu.Unlock()
	process.cfg = &c
}

// Process returns the configuration of this process's databases, and
// whether it was set.
func Process() (Config, bool) {
	process.mu.Lock()
	defer process.mu.Unlock()
	if process.cfg == nil {
		return Config{}, false
	}
	return *process.cfg, true
}
