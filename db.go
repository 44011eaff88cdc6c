package microfn

import (
	"context"
	"database/sql"
	"path/filepath"
	"runtime"

	"github.com/microfn/microfn/internal/apihook"
	"github.com/microfn/microfn/state"
)

// Database returns the database name, shared by every package that
// declares it, as a *sql.DB: declare it in a package-level variable,
//
//	var db = microfn.Database("orders")
//
// and use it as any *sql.DB. The migrations of database orders are the
// files migrations/orders/*.sql in the folder of a package that declares
// it, applied in lexical order, each once, before the package loads.
//
// Served by microfn, the database is an SQLite file in the state folder
// (serve --state), or the PostgreSQL database serve --database
// orders=postgres://… names; the service code is the same. Outside
// microfn (go test), it is a temporary SQLite database with the
// package's migrations applied. It opens on first use.
//
// name is a lower-case letter, then lower-case letters, digits and
// underscores; Database panics on any other.
func Database(name string) *sql.DB {
	return state.Declare(name, callerDir())
}

// KV returns the key-value store kept in database name (in its table
// microfn_kv): declare it in a package-level variable,
//
//	var carts = microfn.KV("carts")
//
// Every write of a key gives it the next version, which
// [KVStore.CompareAndSwap] compares.
func KV(name string) *KVStore {
	return &KVStore{kv: state.DeclareKV(name, callerDir())}
}

// callerDir is the folder of the file that called the caller of
// callerDir: where, outside microfn, a declared database's migrations
// are.
func callerDir() string {
	_, file, _, ok := runtime.Caller(2)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	return filepath.Dir(file)
}

func init() {
	apihook.NewKVStore = func(kv *state.KV) any { return &KVStore{kv: kv} }
}

// Errors of a [KVStore].
var (
	// ErrNoKey is the error of Get of a key the store does not hold.
	ErrNoKey = state.ErrNoKey
	// ErrConflict is the error of a CompareAndSwap whose version is not
	// the key's.
	ErrConflict = state.ErrConflict
)

// An Entry is a key of a [KVStore] with its value and version.
type Entry struct {
	Key     string `json:"key"`
	Value   []byte `json:"value"`
	Version int64  `json:"version"`
}

// A KVStore is a key-value store (see [KV]). Its methods are safe for
// concurrent use, by every worker of every package.
type KVStore struct {
	kv *state.KV
}

// Get returns the value and version of key; an error that wraps
// [ErrNoKey] if the store does not hold it.
func (s *KVStore) Get(ctx context.Context, key string) ([]byte, int64, error) {
	return s.kv.Get(ctx, key)
}

// Put sets key to value and returns its new version (1 for a new key).
func (s *KVStore) Put(ctx context.Context, key string, value []byte) (int64, error) {
	return s.kv.Put(ctx, key, value)
}

// Delete removes key; a missing key is no error.
func (s *KVStore) Delete(ctx context.Context, key string) error {
	return s.kv.Delete(ctx, key)
}

// List returns the entries whose keys start with prefix, sorted by key.
func (s *KVStore) List(ctx context.Context, prefix string) ([]Entry, error) {
	es, err := s.kv.List(ctx, prefix)
	out := make([]Entry, len(es))
	for i, e := range es {
		out[i] = Entry(e)
	}
	return out, err
}

// CompareAndSwap sets key to value if its version is still version (0:
// if the key does not exist) and returns its new version; else an error
// that wraps [ErrConflict], and the caller reads the key again.
func (s *KVStore) CompareAndSwap(ctx context.Context, key string, value []byte, version int64) (int64, error) {
	return s.kv.CompareAndSwap(ctx, key, value, version)
}
