//go:build !microfn_nodb

package state

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"

	"github.com/microfn/microfn/state/dbconf"
)

// The database drivers, SQLite (modernc.org/sqlite) and PostgreSQL
// (pgx), are linked unless the build tag microfn_nodb is set: a compiled
// worker whose code declares no database is built with it, and holds
// neither (see package compile).

// connector returns the database/sql connector of target t. A SQLite
// file's folder is made if it is missing.
func connector(t dbconf.Target) (driver.Connector, error) {
	switch t.Kind {
	case dbconf.SQLite:
		if err := os.MkdirAll(filepath.Dir(t.Path), 0o700); err != nil {
			return nil, fmt.Errorf("database %s: %w", t.Name, err)
		}
		return dsnConnector{drv: &sqlite.Driver{}, dsn: SQLiteDSN(t.Path)}, nil
	case dbconf.Postgres:
		c, err := stdlib.GetDefaultDriver().(driver.DriverContext).OpenConnector(t.URL)
		if err != nil {
			return nil, fmt.Errorf("database %s (%s): %w", t.Name, dbconf.Redact(t.URL), err)
		}
		return c, nil
	}
	return nil, fmt.Errorf("database %s: unknown kind %q", t.Name, t.Kind)
}

// errorLine is the line of sql that err points at, where the database
// says (PostgreSQL gives the offset of the error), else 1.
func errorLine(sql string, err error) int {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Position > 0 {
		r := []rune(sql)
		if int(pg.Position) <= len(r) {
			return 1 + strings.Count(string(r[:pg.Position-1]), "\n")
		}
	}
	return 1
}
