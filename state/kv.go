package state

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"sync"
	"unicode/utf8"

	"github.com/microfn/microfn/state/dbconf"
)

// Errors of the key-value stores.
var (
	// ErrNoKey is the error of Get of a key the store does not hold.
	ErrNoKey = errors.New("no such key")
	// ErrConflict is the error of a CompareAndSwap whose version is not
	// the key's.
	ErrConflict = errors.New("version conflict")
)

// An Entry is a key with its value and version.
type Entry struct {
	Key     string `json:"key"`
	Value   []byte `json:"value"`
	Version int64  `json:"version"`
}

// A KV is a key-value store: the table microfn_kv of a database of a Set.
// Every write of a key gives it the next version (1 for a new key), so
// that CompareAndSwap can tell whether the key changed since it was read.
type KV struct {
	set  *Set
	name string

	mu    sync.Mutex
	ready bool
	kind  dbconf.Kind
}

// KV returns the key-value store kept in database name.
func (s *Set) KV(name string) *KV {
	s.handle(name, "")
	return &KV{set: s, name: name}
}

// Declare returns the key-value store kept in database name of the
// process's Set, declared by the package in folder dir.
func DeclareKV(name, dir string) *KV {
	process().handle(name, dir)
	return process().KV(name)
}

// kvTable is the table of the key-value stores, by kind of database.
var kvTable = map[dbconf.Kind]string{
	dbconf.SQLite:   `CREATE TABLE IF NOT EXISTS microfn_kv (key TEXT PRIMARY KEY, value BLOB NOT NULL, version INTEGER NOT NULL)`,
	dbconf.Postgres: `CREATE TABLE IF NOT EXISTS microfn_kv (key TEXT PRIMARY KEY, value BYTEA NOT NULL, version BIGINT NOT NULL)`,
}

// db returns the store's database, with its table made.
func (kv *KV) db(ctx context.Context) (*sql.DB, dbconf.Kind, error) {
	db := kv.set.DB(kv.name)
	kv.mu.Lock()
	defer kv.mu.Unlock()
	if kv.ready {
		return db, kv.kind, nil
	}
	k, err := kv.set.Kind(kv.name)
	if err != nil {
		return nil, "", err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, "", fmt.Errorf("kv %s: %w", kv.name, err)
	}
	defer tx.Rollback()
	if k == dbconf.Postgres {
		// Servers sharing the database make the table one at a time.
		if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", migrationLock); err != nil {
			return nil, "", fmt.Errorf("kv %s: %w", kv.name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, kvTable[k]); err != nil {
		return nil, "", fmt.Errorf("kv %s: make its table: %w", kv.name, err)
	}
	if err := tx.Commit(); err != nil {
		return nil, "", fmt.Errorf("kv %s: make its table: %w", kv.name, err)
	}
	kv.ready, kv.kind = true, k
	return db, k, nil
}

// Get returns the value and version of key, or ErrNoKey.
func (kv *KV) Get(ctx context.Context, key string) ([]byte, int64, error) {
	db, k, err := kv.db(ctx)
	if err != nil {
		return nil, 0, err
	}
	var v []byte
	var ver int64
	err = db.QueryRowContext(ctx, rebind(k, "SELECT value, version FROM microfn_kv WHERE key = ?"), key).Scan(&v, &ver)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, fmt.Errorf("kv %s: get %q: %w", kv.name, key, ErrNoKey)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("kv %s: get %q: %w", kv.name, key, err)
	}
	return v, ver, nil
}

// Put sets key to value and returns its new version.
func (kv *KV) Put(ctx context.Context, key string, value []byte) (int64, error) {
	db, k, err := kv.db(ctx)
	if err != nil {
		return 0, err
	}
	if value == nil {
		value = []byte{}
	}
	var ver int64
	err = db.QueryRowContext(ctx, rebind(k, `INSERT INTO microfn_kv (key, value, version) VALUES (?, ?, 1)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = microfn_kv.version + 1
		RETURNING version`), key, value).Scan(&ver)
	if err != nil {
		return 0, fmt.Errorf("kv %s: put %q: %w", kv.name, key, err)
	}
	return ver, nil
}

// Delete removes key; a missing key is no error.
func (kv *KV) Delete(ctx context.Context, key string) error {
	db, k, err := kv.db(ctx)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, rebind(k, "DELETE FROM microfn_kv WHERE key = ?"), key); err != nil {
		return fmt.Errorf("kv %s: delete %q: %w", kv.name, key, err)
	}
	return nil
}

// List returns the entries whose keys start with prefix, sorted by key
// (byte order, whatever the database's collation).
func (kv *KV) List(ctx context.Context, prefix string) ([]Entry, error) {
	db, k, err := kv.db(ctx)
	if err != nil {
		return nil, err
	}
	q, args := "SELECT key, value, version FROM microfn_kv", []any{}
	if prefix != "" {
		q += " WHERE substr(key, 1, ?) = ?"
		args = append(args, utf8.RuneCountInString(prefix), prefix)
	}
	rows, err := db.QueryContext(ctx, rebind(k, q), args...)
	if err != nil {
		return nil, fmt.Errorf("kv %s: list %q: %w", kv.name, prefix, err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		if err := rows.Scan(&e.Key, &e.Value, &e.Version); err != nil {
			return nil, fmt.Errorf("kv %s: list %q: %w", kv.name, prefix, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("kv %s: list %q: %w", kv.name, prefix, err)
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare([]byte(out[i].Key), []byte(out[j].Key)) < 0 })
	return out, nil
}

// CompareAndSwap sets key to value if its version is version (0: if the
// key does not exist), and returns its new version; else ErrConflict.
func (kv *KV) CompareAndSwap(ctx context.Context, key string, value []byte, version int64) (int64, error) {
	db, k, err := kv.db(ctx)
	if err != nil {
		return 0, err
	}
	if value == nil {
		value = []byte{}
	}
	var q string
	var args []any
	if version == 0 {
		q = `INSERT INTO microfn_kv (key, value, version) VALUES (?, ?, 1) ON CONFLICT (key) DO NOTHING RETURNING version`
		args = []any{key, value}
	} else {
		q = `UPDATE microfn_kv SET value = ?, version = version + 1 WHERE key = ? AND version = ? RETURNING version`
		args = []any{value, key, version}
	}
	var ver int64
	err = db.QueryRowContext(ctx, rebind(k, q), args...).Scan(&ver)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("kv %s: compare-and-swap %q at version %d: %w", kv.name, key, version, ErrConflict)
	}
	if err != nil {
		return 0, fmt.Errorf("kv %s: compare-and-swap %q: %w", kv.name, key, err)
	}
	return ver, nil
}
