package state

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/microfn/microfn/state/dbconf"
)

// A Migration is one file of migrations/NAME/*.sql: SQL run once on the
// database NAME.
type Migration struct {
	// Name is the file's name ("002_add_stock.sql"): migrations run in
	// the lexical order of their names, and are recorded by name.
	Name string
	// Path is the file, for errors.
	Path string
	// SQL is its text.
	SQL string
}

// Sum is the SHA-256 of the migration's text, recorded with it.
func (m Migration) Sum() string {
	h := sha256.Sum256([]byte(m.SQL))
	return hex.EncodeToString(h[:])
}

// ReadMigrations reads the migrations in dir (a migrations/NAME folder),
// sorted by name. A missing folder has none.
func ReadMigrations(dir string) ([]Migration, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") || strings.HasPrefix(name, ".") {
			continue
		}
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read migration: %w", err)
		}
		out = append(out, Migration{Name: name, Path: p, SQL: string(b)})
	}
	return SortMigrations(out), nil
}

// SortMigrations sorts migrations by name, in place, and returns them.
func SortMigrations(ms []Migration) []Migration {
	sort.Slice(ms, func(i, j int) bool { return ms[i].Name < ms[j].Name })
	return ms
}

// Declared returns the migrations of the package in folder dir, by
// database: its migrations/NAME folders.
func Declared(dir string) (map[string][]Migration, error) {
	entries, err := os.ReadDir(filepath.Join(dir, "migrations"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read migrations: %w", err)
	}
	out := map[string][]Migration{}
	for _, e := range entries {
		if !e.IsDir() || dbconf.CheckName(e.Name()) != nil {
			continue
		}
		ms, err := ReadMigrations(filepath.Join(dir, "migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		if len(ms) > 0 {
			out[e.Name()] = ms
		}
	}
	return out, nil
}

// A MigrationError is a migration that failed: nothing of it was
// applied.
type MigrationError struct {
	// Path is the migration's file; Line the line of the error in it,
	// where the database says (else 1).
	Path string
	Line int
	Err  error
}

func (e *MigrationError) Error() string {
	return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err)
}

func (e *MigrationError) Unwrap() error { return e.Err }

// An Applied is a migration recorded as applied.
type Applied struct {
	Name      string    `json:"name"`
	Sum       string    `json:"sum"`
	AppliedAt time.Time `json:"applied_at"`
}

// migrationsTable records the migrations applied; the statement is the
// same in SQLite and PostgreSQL.
const migrationsTable = `CREATE TABLE IF NOT EXISTS microfn_migrations (
	name TEXT PRIMARY KEY,
	sum TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`

// migrationLock is the PostgreSQL advisory lock that servers sharing a
// database take to apply migrations one at a time (SQLite's BEGIN
// IMMEDIATE serialises them there).
const migrationLock = 727_001

// Migrate applies the migrations ms of a database of kind k, in their
// order, each in a transaction of its own, and those not applied yet:
// it returns the names of those it applied. A migration recorded with
// other text is an error, and so is one that fails (a *MigrationError:
// it is rolled back, and the later ones are not tried).
func Migrate(ctx context.Context, db *sql.DB, k dbconf.Kind, ms []Migration) ([]string, error) {
	var applied []string
	for _, m := range ms {
		done, err := migrateOne(ctx, db, k, m)
		if err != nil {
			return applied, err
		}
		if done {
			applied = append(applied, m.Name)
		}
	}
	return applied, nil
}

// migrateOne applies m unless it was; it reports whether it did.
func migrateOne(ctx context.Context, db *sql.DB, k dbconf.Kind, m Migration) (bool, error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("%s: %w", m.Path, err)
	}
	defer tx.Rollback()
	if k == dbconf.Postgres {
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return false, fmt.Errorf("%s: %w", m.Path, err)
		}
	}
	if _, err := tx.ExecContext(ctx, migrationsTable); err != nil {
		return false, fmt.Errorf("%s: record migrations: %w", m.Path, err)
	}
	var sum string
	err = tx.QueryRowContext(ctx, rebind(k, "SELECT sum FROM microfn_migrations WHERE name = ?"), m.Name).Scan(&sum)
	switch {
	case err == nil:
		if sum != m.Sum() {
			return false, &MigrationError{Path: m.Path, Line: 1, Err: errors.New("this migration was applied already with other content: add a new migration instead of changing this one")}
		}
		return false, nil
	case !errors.Is(err, sql.ErrNoRows):
		return false, fmt.Errorf("%s: %w", m.Path, err)
	}
	if strings.TrimSpace(m.SQL) != "" {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return false, &MigrationError{Path: m.Path, Line: errorLine(m.SQL, err), Err: err}
		}
	}
	if _, err := tx.ExecContext(ctx, rebind(k, "INSERT INTO microfn_migrations (name, sum, applied_at) VALUES (?, ?, ?)"),
		m.Name, m.Sum(), time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		return false, fmt.Errorf("%s: record the migration: %w", m.Path, err)
	}
	if err := tx.Commit(); err != nil {
		return false, &MigrationError{Path: m.Path, Line: 1, Err: err}
	}
	return true, nil
}

// Status returns the migrations recorded in db, in their order.
func Status(ctx context.Context, db *sql.DB) ([]Applied, error) {
	if _, err := db.ExecContext(ctx, migrationsTable); err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, "SELECT name, sum, applied_at FROM microfn_migrations ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Applied
	for rows.Next() {
		var a Applied
		var at string
		if err := rows.Scan(&a.Name, &a.Sum, &at); err != nil {
			return nil, err
		}
		a.AppliedAt, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, a)
	}
	return out, rows.Err()
}

// rebind turns the ? placeholders of query into $1, $2, … for
// PostgreSQL.
func rebind(k dbconf.Kind, query string) string {
	if k != dbconf.Postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
