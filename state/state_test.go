package state_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/state"
	"github.com/microfn/microfn/state/dbconf"
)

// kinds are the kinds of database every test runs on: an SQLite file in
// a temporary state folder, and a real PostgreSQL.
var kinds = []struct {
	name   string
	config func(t *testing.T) dbconf.Config
}{
	{"sqlite", func(t *testing.T) dbconf.Config { return dbconf.Config{Dir: t.TempDir()} }},
	{"postgres", func(t *testing.T) dbconf.Config {
		return dbconf.Config{URLs: map[string]string{"shop": microfntest.Postgres(t)}}
	}},
}

func TestMigrate(t *testing.T) {
	t.Parallel()
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			cfg := k.config(t)
			target, err := cfg.Where("shop")
			if err != nil {
				t.Fatal(err)
			}
			db, err := state.Open(target)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ctx := context.Background()
			dir := t.TempDir()
			one := state.Migration{Name: "001_items.sql", Path: filepath.Join(dir, "001_items.sql"), SQL: "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\nINSERT INTO items (id, name) VALUES (1, 'one');\n"}
			two := state.Migration{Name: "002_stock.sql", Path: filepath.Join(dir, "002_stock.sql"), SQL: "ALTER TABLE items ADD COLUMN stock INTEGER NOT NULL DEFAULT 5;\n"}
			bad := state.Migration{Name: "003_bad.sql", Path: filepath.Join(dir, "003_bad.sql"), SQL: "CREATE TABLE more (a INTEGER);\n\nCREAT TABLE oops (a INTEGER);\n"}
			steps := []struct {
				ms      []state.Migration
				applied []string
				wantErr string
			}{
				{[]state.Migration{one}, []string{"001_items.sql"}, ""},
				{[]state.Migration{one, two}, []string{"002_stock.sql"}, ""},
				{[]state.Migration{one, two}, nil, ""},
				{[]state.Migration{one, two, bad}, nil, "003_bad.sql:"},
				{[]state.Migration{{Name: one.Name, Path: one.Path, SQL: one.SQL + "-- changed\n"}}, nil, "applied already with other content"},
			}
			for i, s := range steps {
				applied, err := state.Migrate(ctx, db, target.Kind, s.ms)
				if fmt.Sprint(applied) != fmt.Sprint(s.applied) {
					t.Errorf("step %d: applied %v, want %v", i, applied, s.applied)
				}
				if (err == nil) != (s.wantErr == "") || (err != nil && !strings.Contains(err.Error(), s.wantErr)) {
					t.Errorf("step %d: error %v, want one containing %q", i, err, s.wantErr)
				}
			}
			// The broken migration left nothing behind, not even its first
			// statement, and the schema before it serves.
			var stock int
			if err := db.QueryRow("SELECT stock FROM items WHERE id = 1").Scan(&stock); err != nil || stock != 5 {
				t.Errorf("stock = %d, %v; want 5", stock, err)
			}
			if _, err := db.Exec("SELECT a FROM more"); err == nil {
				t.Error("table more exists: the failed migration was not rolled back")
			}
			_, err = state.Migrate(ctx, db, target.Kind, []state.Migration{one, two, bad})
			var me *state.MigrationError
			if !errors.As(err, &me) {
				t.Fatalf("error %v is no *MigrationError", err)
			}
			wantLine := 1
			if target.Kind == dbconf.Postgres {
				wantLine = 3 // PostgreSQL says where
			}
			if me.Line != wantLine {
				t.Errorf("line %d, want %d (%v)", me.Line, wantLine, err)
			}
			st, err := state.Status(ctx, db)
			if err != nil || len(st) != 2 || st[0].Name != one.Name || st[1].Name != two.Name {
				t.Errorf("status %+v, %v", st, err)
			}
		})
	}
}

func TestKV(t *testing.T) {
	t.Parallel()
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			set := state.NewSet(k.config(t))
			defer set.Close()
			kv := set.KV("shop")
			ctx := context.Background()
			if _, _, err := kv.Get(ctx, "cart/1"); !errors.Is(err, state.ErrNoKey) {
				t.Fatalf("get of a missing key: %v", err)
			}
			for i, want := range []int64{1, 2} {
				if v, err := kv.Put(ctx, "cart/1", []byte(fmt.Sprint("v", i))); err != nil || v != want {
					t.Fatalf("put: version %d, %v; want %d", v, err, want)
				}
			}
			for _, key := range []string{"cart/2", "cart/10", "carts", "other", "cart/é"} {
				if _, err := kv.Put(ctx, key, []byte(key)); err != nil {
					t.Fatal(err)
				}
			}
			val, ver, err := kv.Get(ctx, "cart/1")
			if err != nil || string(val) != "v1" || ver != 2 {
				t.Errorf("get: %q %d %v", val, ver, err)
			}
			es, err := kv.List(ctx, "cart/")
			var keys []string
			for _, e := range es {
				keys = append(keys, e.Key)
			}
			if err != nil || fmt.Sprint(keys) != "[cart/1 cart/10 cart/2 cart/é]" {
				t.Errorf("list: %v, %v", keys, err)
			}
			cases := []struct {
				key     string
				version int64
				want    int64
				err     error
			}{
				{"cart/1", 1, 0, state.ErrConflict},
				{"cart/1", 2, 3, nil},
				{"new", 0, 1, nil},
				{"new", 0, 0, state.ErrConflict},
				{"gone", 4, 0, state.ErrConflict},
			}
			for _, c := range cases {
				v, err := kv.CompareAndSwap(ctx, c.key, []byte("x"), c.version)
				if v != c.want || !errors.Is(err, c.err) || (c.err == nil && err != nil) {
					t.Errorf("CompareAndSwap(%s, %d) = %d, %v; want %d, %v", c.key, c.version, v, err, c.want, c.err)
				}
			}
			if err := kv.Delete(ctx, "cart/1"); err != nil {
				t.Fatal(err)
			}
			if _, _, err := kv.Get(ctx, "cart/1"); !errors.Is(err, state.ErrNoKey) {
				t.Errorf("get after delete: %v", err)
			}
			// Concurrent increments by compare-and-swap lose nothing.
			const workers, each = 4, 25
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for range each {
						for {
							b, v, err := kv.Get(ctx, "counter")
							n := 0
							if err == nil {
								fmt.Sscan(string(b), &n)
							} else if !errors.Is(err, state.ErrNoKey) {
								t.Error(err)
								return
							}
							_, err = kv.CompareAndSwap(ctx, "counter", []byte(fmt.Sprint(n+1)), v)
							if err == nil {
								break
							}
							if !errors.Is(err, state.ErrConflict) {
								t.Error(err)
								return
							}
						}
					}
				})
			}
			wg.Wait()
			b, _, err := kv.Get(ctx, "counter")
			if err != nil || string(b) != fmt.Sprint(workers*each) {
				t.Errorf("counter = %q, %v; want %d", b, err, workers*each)
			}
		})
	}
}

// TestDeclareOutsideMicrofn: outside microfn (as under go test of
// service code) a declared database is a temporary SQLite file with the
// migrations of the package that declares it.
func TestDeclareOutsideMicrofn(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mig := filepath.Join(dir, "migrations", "outside_test")
	if err := os.MkdirAll(mig, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mig, "001.sql"), []byte("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (42);"), 0o644); err != nil {
		t.Fatal(err)
	}
	db := state.Declare("outside_test", dir)
	var n int
	if err := db.QueryRow("SELECT n FROM t").Scan(&n); err != nil || n != 42 {
		t.Fatalf("n = %d, %v; want 42", n, err)
	}
	if state.Declare("outside_test", "") != db {
		t.Error("a second declaration of the name is another *sql.DB")
	}
	st := db.Stats()
	if st.OpenConnections == 0 {
		t.Error("no connection open")
	}
	found := false
	for _, s := range dbconf.Snapshot() {
		if s.Database == "outside_test" && s.Queries > 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("the query was not counted: %+v", dbconf.Snapshot())
	}
}

func TestEnvWorker(t *testing.T) {
	t.Parallel()
	if state.EnvWorker != protocol.EnvWorker {
		t.Fatalf("state.EnvWorker is %q, protocol.EnvWorker %q", state.EnvWorker, protocol.EnvWorker)
	}
}

// TestSetPool: the databases service code uses keep the pool of their
// kind (at most 8 connections to an SQLite file, 16 to PostgreSQL), and
// the connections of calls at once stay open for the next ones instead of
// being closed and opened again.
func TestSetPool(t *testing.T) {
	t.Parallel()
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			set := state.NewSet(k.config(t))
			defer set.Close()
			db := set.DB("shop")
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			// 8 calls hold a connection each, all at once.
			const n = 8
			var held, done sync.WaitGroup
			held.Add(n)
			release := make(chan struct{})
			errs := make(chan error, n)
			for range n {
				done.Go(func() {
					c, err := db.Conn(ctx)
					held.Done()
					if err != nil {
						errs <- err
						return
					}
					defer c.Close()
					select {
					case <-release:
					case <-ctx.Done():
					}
					errs <- c.PingContext(ctx)
				})
			}
			held.Wait()
			close(release)
			done.Wait()
			for range n {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			want := map[string]int{"sqlite": 8, "postgres": 16}[k.name]
			st := db.Stats()
			if st.MaxOpenConnections != want || st.Idle != n || st.MaxIdleClosed != 0 {
				t.Errorf("pool: at most %d connections, %d idle after %d at once, %d closed for lack of idle room; want at most %d, %d idle, none closed",
					st.MaxOpenConnections, st.Idle, n, st.MaxIdleClosed, want, n)
			}
		})
	}
}

// TestWritesReturningCheckpoint: writes whose statements return rows,
// read with QueryRow as KV.Put and service code do, let SQLite checkpoint
// its write-ahead log: it stays about its 1000-page threshold instead of
// growing by every write (until a worker's file size limit failed them
// all).
func TestWritesReturningCheckpoint(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	set := state.NewSet(dbconf.Config{Dir: dir})
	defer set.Close()
	ctx := context.Background()
	kv := set.KV("carts")
	db := set.DB("shop")
	if _, err := db.ExecContext(ctx, "CREATE TABLE items (id INTEGER PRIMARY KEY, text TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	const writes = 3000 // a page of the log each, 4 KiB: 12 MiB unchecked
	for i := range writes {
		if _, err := kv.Put(ctx, fmt.Sprint("cart/", i), []byte("x")); err != nil {
			t.Fatal(err)
		}
		var id int64
		if err := db.QueryRowContext(ctx, "INSERT INTO items (text) VALUES ($1) RETURNING id", "x").Scan(&id); err != nil || id != int64(i+1) {
			t.Fatalf("insert %d: id %d, %v", i, id, err)
		}
	}
	for _, name := range []string{"carts", "shop"} {
		wal, err := os.Stat(filepath.Join(dbconf.DatabasesDir(dir), name+".sqlite-wal"))
		if err != nil {
			t.Fatal(err)
		}
		if wal.Size() > 8<<20 {
			t.Errorf("%s: the write-ahead log takes %d MiB after %d writes: it was not checkpointed", name, wal.Size()>>20, writes)
		}
	}
	// What the log held is in the database.
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM items").Scan(&n); err != nil || n != writes {
		t.Errorf("%d rows, %v; want %d", n, err, writes)
	}
}
