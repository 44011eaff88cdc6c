package state

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"net/url"
	"time"

	"github.com/microfn/microfn/state/dbconf"
)

// BusyTimeout is how long a connection to a SQLite database waits for
// another's write lock before it gives up with SQLITE_BUSY.
const BusyTimeout = 10 * time.Second

// SQLiteDSN is the modernc.org/sqlite data source name microfn opens the
// SQLite file path with: WAL mode (readers never wait for the writer,
// and every process sees every commit), synchronous=NORMAL (durable
// across a crash of a process; the last commits may be lost to a crash
// of the machine), the busy timeout, foreign keys enforced, and
// transactions that take the write lock when they begin (BEGIN
// IMMEDIATE), so that two read-then-write transactions wait for each
// other instead of failing with SQLITE_BUSY.
func SQLiteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", BusyTimeout.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Open opens target t now (not lazily): for the server, its tools and
// tests. The caller closes it.
func Open(t dbconf.Target) (*sql.DB, error) {
	c, err := connector(t)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(c)
	configure(db, t.Kind)
	return db, nil
}

// configure sets the pool of a database of kind k. Every connection of
// the pool may stay idle, so that calls at once reuse connections rather
// than open new ones (a PostgreSQL connection is a backend process of the
// server); an idle one closes after a while.
func configure(db *sql.DB, k dbconf.Kind) {
	if k == dbconf.SQLite {
		// One writer at a time in any case; a few connections let
		// readers run beside it.
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
		db.SetConnMaxIdleTime(5 * time.Minute)
	} else {
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(16)
		db.SetConnMaxIdleTime(time.Minute)
	}
}

// Ping opens target t, checks that it answers within ctx and closes it.
func Ping(ctx context.Context, t dbconf.Target) error {
	db, err := Open(t)
	if err != nil {
		return err
	}
	defer db.Close()
	return db.PingContext(ctx)
}

// dsnConnector is a connector of a driver that has none of its own.
type dsnConnector struct {
	drv driver.Driver
	dsn string
}

// Connect opens a connection.
func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }

// Driver returns the driver.
func (c dsnConnector) Driver() driver.Driver { return c.drv }
