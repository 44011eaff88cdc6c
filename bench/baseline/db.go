package main

// The database operations of the benchmark's db scenario, done with
// database/sql on the driver directly: the same statements microfn's
// key-value store and the scenario's services run, on an SQLite file
// opened with the same settings as microfn's (or on PostgreSQL), so that
// what microfn adds is the call of a service and nothing else.

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
	_ "modernc.org/sqlite"             // database/sql driver "sqlite"
)

// sqliteDSN is the data source name of an SQLite file with microfn's
// settings (see its state.SQLiteDSN): WAL mode, synchronous=NORMAL, a
// 10s busy timeout, foreign keys, transactions that take the write lock
// when they begin.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(ON)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// openDB opens the database of the db routes: the SQLite file path, or
// the PostgreSQL database at pgURL, with microfn's pool settings (its
// state.configure), and
// makes its tables.
func openDB(path, pgURL string) (*sql.DB, error) {
	var db *sql.DB
	var err error
	schema := []string{
		// microfn's key-value store's table.
		`CREATE TABLE IF NOT EXISTS microfn_kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, version INTEGER NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS items (id INTEGER PRIMARY KEY, text TEXT NOT NULL)`,
	}
	if pgURL != "" {
		db, err = sql.Open("pgx", pgURL)
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(16)
		db.SetMaxIdleConns(16)
		db.SetConnMaxIdleTime(time.Minute)
		schema = []string{
			`CREATE TABLE IF NOT EXISTS microfn_kv (key TEXT PRIMARY KEY, value BYTEA NOT NULL, version BIGINT NOT NULL)`,
			`CREATE TABLE IF NOT EXISTS items (id BIGSERIAL PRIMARY KEY, text TEXT NOT NULL)`,
		}
	} else {
		db, err = sql.Open("sqlite", sqliteDSN(path))
		if err != nil {
			return nil, err
		}
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
		db.SetConnMaxIdleTime(5 * time.Minute)
	}
	for _, s := range schema {
		if _, err := db.Exec(s); err != nil {
			db.Close()
			return nil, fmt.Errorf("make the tables: %w", err)
		}
	}
	return db, nil
}

// queryRow runs a query that returns one row into dest and reads its
// rows to their end: a write that returns rows (INSERT … RETURNING) whose
// statement is closed after one row, as database/sql's QueryRow does,
// never lets SQLite checkpoint its write-ahead log, which then grows by
// every write (microfn's state package reads them to their end too).
func queryRow(ctx context.Context, db *sql.DB, query string, args []any, dest ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	for rows.Next() {
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

// dbRoutes adds the routes of the db scenario, each the operation of the
// service of the same name that microfn serves: Noop, KVGet, KVPut,
// Select, Insert, and Seed, which fills the database before the loads.
func dbRoutes(app *fiber.App, db *sql.DB) {
	const (
		kvGet = "SELECT value, version FROM microfn_kv WHERE key = $1"
		kvPut = `INSERT INTO microfn_kv (key, value, version) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = microfn_kv.version + 1
		RETURNING version`
		selectText = "SELECT text FROM items WHERE id = $1"
		insert     = "INSERT INTO items (text) VALUES ($1) RETURNING id"
	)
	answer := func(c *fiber.Ctx, v any, err error) error {
		if err != nil {
			return problem(c, fiber.StatusInternalServerError, err.Error())
		}
		var out []byte
		switch v := v.(type) {
		case string:
			out = strconv.AppendQuote(nil, v)
		case int64:
			out = strconv.AppendInt(nil, v, 10)
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(append(out, '\n'))
	}
	app.Get("/Noop", func(c *fiber.Ctx) error { return answer(c, int64(1), nil) })
	app.Get("/KVGet", func(c *fiber.Ctx) error {
		var v []byte
		var version int64
		err := db.QueryRowContext(c.Context(), kvGet, c.Query("key")).Scan(&v, &version)
		return answer(c, string(v), err)
	})
	app.Get("/KVPut", func(c *fiber.Ctx) error {
		var version int64
		err := queryRow(c.Context(), db, kvPut, []any{c.Query("key"), []byte(c.Query("value"))}, &version)
		return answer(c, version, err)
	})
	app.Get("/Select", func(c *fiber.Ctx) error {
		id, err := strconv.ParseInt(c.Query("id"), 10, 64)
		if err != nil {
			return problem(c, fiber.StatusBadRequest, "parameter \"id\": want int64")
		}
		var text string
		err = db.QueryRowContext(c.Context(), selectText, id).Scan(&text)
		return answer(c, text, err)
	})
	app.Get("/Insert", func(c *fiber.Ctx) error {
		var id int64
		err := queryRow(c.Context(), db, insert, []any{c.Query("text")}, &id)
		return answer(c, id, err)
	})
	app.Get("/Seed", func(c *fiber.Ctx) error {
		n, err := strconv.Atoi(c.Query("n"))
		if err != nil {
			return problem(c, fiber.StatusBadRequest, "parameter \"n\": want int")
		}
		for i := range n {
			var version, id int64
			if err := queryRow(c.Context(), db, kvPut, []any{"k" + strconv.Itoa(i), []byte("v" + strconv.Itoa(i))}, &version); err != nil {
				return answer(c, nil, err)
			}
			if err := queryRow(c.Context(), db, insert, []any{"t" + strconv.Itoa(i)}, &id); err != nil {
				return answer(c, nil, err)
			}
		}
		return answer(c, int64(n), nil)
	})
}
