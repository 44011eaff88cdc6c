package server_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// todoSource is a to-do service that keeps its items in database todo;
// Version says which save serves.
func todoSource(version int) string {
	return fmt.Sprintf(`package todo

import "github.com/microfn/microfn"

var db = microfn.Database("todo")

//microfn:service retry=1
func Add(text string) (int64, error) {
	r, err := db.Exec("INSERT INTO items (text) VALUES ($1)", text)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

//microfn:service
func Count() (int, error) {
	var n int
	err := db.QueryRow("SELECT count(*) FROM items").Scan(&n)
	return n, err
}

//microfn:service
func Version() int { return %d }
`, version)
}

const todoMigration = "CREATE TABLE items (id SERIAL PRIMARY KEY, text TEXT NOT NULL);\n"

// stateKinds are the databases the server's state tests run on: the
// default SQLite file, and a real PostgreSQL.
var stateKinds = []struct {
	name string
	opts func(t *testing.T, names ...string) []server.Option
}{
	{"sqlite", func(t *testing.T, names ...string) []server.Option { return nil }},
	{"postgres", func(t *testing.T, names ...string) []server.Option {
		url := microfntest.Postgres(t)
		var opts []server.Option
		for _, n := range names {
			opts = append(opts, server.WithDatabase(n, url))
		}
		return opts
	}},
}

// load calls Add from clients goroutines until stop closes, and returns
// the calls that succeeded and those that failed, with the first
// failure.
func load(base string, clients int, stop <-chan struct{}) (ok, failed *atomic.Int64, first *atomic.Value, wait func()) {
	ok, failed, first = &atomic.Int64{}, &atomic.Int64{}, &atomic.Value{}
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := http.Get(fmt.Sprintf("%s/Add?text=c%d-%d", base, c, i))
				if err == nil {
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d: %s", resp.StatusCode, body)
					}
				}
				if err != nil {
					failed.Add(1)
					first.CompareAndSwap(nil, err.Error())
					continue
				}
				ok.Add(1)
			}
		})
	}
	return ok, failed, first, wg.Wait
}

// TestDatabaseSurvives: a to-do service keeps its items across saves
// under load (no call fails, no write is lost), across a SIGKILL of its
// worker, and across a restart of the server.
func TestDatabaseSurvives(t *testing.T) {
	t.Parallel()
	saves := 100
	if iso := os.Getenv(microfntest.EnvIsolation); iso != "" && iso != "package" {
		saves = 10 // the other modes run the same code paths
	}
	for _, k := range stateKinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			saves := saves
			if k.name == "postgres" {
				saves = min(saves, 20) // the server's side is the same; the suite's time is not
			}
			dir := t.TempDir()
			microfntest.WriteFile(t, dir, "todo.go", todoSource(0))
			microfntest.WriteFile(t, dir, "migrations/todo/001_items.sql", todoMigration)
			opts := k.opts(t, "todo")
			in := microfntest.StartDir(t, dir, opts...)
			in.WaitBody("/Version", "0", 20*time.Second)

			stop := make(chan struct{})
			ok, failed, first, wait := load(in.URL, 4, stop)
			for v := 1; v <= saves; v++ {
				in.Write("todo.go", todoSource(v))
				in.WaitBody("/Version", fmt.Sprint(v), 20*time.Second)
			}
			if pids := in.Server.WorkerPIDs(); len(pids) > 0 {
				for _, pid := range pids {
					if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
						t.Fatal(err)
					}
				}
				microfntest.Eventually(t, 20*time.Second, func() (bool, string) {
					now := in.Server.WorkerPIDs()
					return len(now) > 0 && now[0] != pids[0], fmt.Sprintf("workers %v after killing %v", now, pids)
				})
				// Calls go on against the restarted worker.
				before := ok.Load()
				microfntest.Eventually(t, 20*time.Second, func() (bool, string) {
					return ok.Load() > before+20, "no calls succeed after the worker was killed"
				})
			}
			close(stop)
			wait()
			// A call in flight when its worker was killed is a 502 (and
			// Add has retry=1); none other may fail.
			if n := failed.Load(); n > 4 || (n > 0 && !strings.Contains(fmt.Sprint(first.Load()), "502")) {
				t.Errorf("%d calls failed, the first with %v", n, first.Load())
			}
			count := func(in *microfntest.Instance) int {
				var n int
				fmt.Sscan(in.Get("/Count").Body, &n)
				return n
			}
			// Every write that was answered 200 is there; a call that
			// failed may or may not have written.
			got, want := count(in), int(ok.Load())
			if got < want || got > want+int(failed.Load()) {
				t.Fatalf("%d items after %d saves, want %d (+ up to %d failed)", got, saves, want, failed.Load())
			}
			t.Logf("%d saves, %d writes, %d failed calls", saves, want, failed.Load())

			// A new server on the same folder finds them.
			in.Server.Close()
			again := microfntest.StartDir(t, dir, opts...)
			again.WaitBody("/Count", fmt.Sprint(got), 20*time.Second)
		})
	}
}

// TestDatabaseSharedByPackages: two packages declare one database; their
// concurrent increments lose nothing.
func TestDatabaseSharedByPackages(t *testing.T) {
	t.Parallel()
	inc := func(pkg string) string {
		return `package ` + pkg + `

import "github.com/microfn/microfn"

var db = microfn.Database("counter")

//microfn:service retry=1
func Inc() error {
	_, err := db.Exec("UPDATE c SET n = n + 1 WHERE id = 1")
	return err
}

//microfn:service
func Get() (int, error) {
	var n int
	err := db.QueryRow("SELECT n FROM c WHERE id = 1").Scan(&n)
	return n, err
}
`
	}
	for _, k := range stateKinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			in := microfntest.Start(t, map[string]string{
				"a/a.go":                       inc("a"),
				"a/migrations/counter/001.sql": "CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER NOT NULL);\nINSERT INTO c VALUES (1, 0);\n",
				"b/b.go":                       inc("b"),
			}, k.opts(t, "counter")...)
			in.WaitBody("/a/Get", "0", 20*time.Second)
			const perClient, clients = 25, 4
			var wg sync.WaitGroup
			var failures atomic.Int64
			for c := range clients {
				wg.Go(func() {
					route := []string{"/a/Inc", "/b/Inc"}[c%2]
					for range perClient {
						resp, err := http.Post(in.URL+route, "application/json", strings.NewReader("{}"))
						if err != nil {
							failures.Add(1)
							continue
						}
						io.Copy(io.Discard, resp.Body)
						resp.Body.Close()
						if resp.StatusCode != http.StatusOK {
							failures.Add(1)
						}
					}
				})
			}
			wg.Wait()
			if n := failures.Load(); n > 0 {
				t.Errorf("%d increments failed", n)
			}
			in.WaitBody("/b/Get", fmt.Sprint(perClient*clients), 5*time.Second)
		})
	}
}

// TestMigrationsOnSave: a new migration is applied when it is saved; a
// broken one is a load error at its file, and the version before it keeps
// serving on the schema before it. Service code cannot open databases
// itself.
func TestMigrationsOnSave(t *testing.T) {
	t.Parallel()
	const withStock = `package shop

import "github.com/microfn/microfn"

var db = microfn.Database("shop")

//microfn:service
func Stock(id int) (int, error) {
	var n int
	err := db.QueryRow("SELECT stock FROM items WHERE id = $1", id).Scan(&n)
	return n, err
}
`
	for _, k := range stateKinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			in := microfntest.Start(t, map[string]string{
				"shop.go":                      withStock,
				"migrations/shop/001_init.sql": "CREATE TABLE items (id INTEGER PRIMARY KEY);\nINSERT INTO items VALUES (1);\n",
			}, k.opts(t, "shop")...)
			// Stock has no column yet: the service answers its error.
			microfntest.Eventually(t, 20*time.Second, func() (bool, string) {
				r := in.Get("/Stock?id=1")
				return r.Status == http.StatusInternalServerError && strings.Contains(r.Body, "stock"), r.Body
			})
			in.Write("migrations/shop/002_stock.sql", "ALTER TABLE items ADD COLUMN stock INTEGER NOT NULL DEFAULT 7;\n")
			in.WaitBody("/Stock?id=1", "7", 20*time.Second)

			in.Write("migrations/shop/003_bad.sql", "UPDATE items SET stock = 0;\nALTER TABLE nowhere ADD COLUMN x INTEGER;\n")
			microfntest.Eventually(t, 20*time.Second, func() (bool, string) {
				r := in.Get("/Stock?id=1")
				stale := r.Header.Get(server.HeaderStale)
				return strings.Contains(stale, "migrations/shop/003_bad.sql:") && strings.TrimSpace(r.Body) == "7",
					fmt.Sprintf("%d %s (stale: %q)", r.Status, r.Body, stale)
			})
			h := in.Server.Status()
			var found bool
			for _, d := range h.Databases {
				if d.Name == "shop" {
					found = true
					if d.Kind != k.name || strings.Join(d.Migrations, ",") != "001_init.sql,002_stock.sql" || d.State != "error" {
						t.Errorf("healthz says %+v", d)
					}
				}
			}
			if !found {
				t.Errorf("healthz has no database shop: %+v", h.Databases)
			}
			in.Remove("migrations/shop/003_bad.sql")
			in.Write("shop.go", strings.Replace(withStock+"\nfunc open() { _, _ = sql.Open(\"sqlite\", \"/etc/passwd\") }\n", `import "github.com/microfn/microfn"`, "import (\n\t\"database/sql\"\n\n\t\"github.com/microfn/microfn\"\n)", 1))
			microfntest.Eventually(t, 20*time.Second, func() (bool, string) {
				stale := in.Get("/Stock?id=1").Header.Get(server.HeaderStale)
				return strings.Contains(stale, "database/sql.Open is outside microfn's sandbox"), stale
			})
		})
	}
}

// TestSplitServersSharePostgres: two servers, each serving a part of the
// services, share one PostgreSQL database.
func TestSplitServersSharePostgres(t *testing.T) {
	t.Parallel()
	url := microfntest.Postgres(t)
	dir := t.TempDir()
	microfntest.WriteFile(t, dir, "todo.go", todoSource(0))
	microfntest.WriteFile(t, dir, "migrations/todo/001_items.sql", todoMigration)
	adds := microfntest.StartDir(t, dir, server.WithDatabase("todo", url), server.WithOnly("Add"), server.WithState(t.TempDir()))
	counts := microfntest.StartDir(t, dir, server.WithDatabase("todo", url), server.WithOnly("Count"), server.WithState(t.TempDir()))
	counts.WaitBody("/Count", "0", 20*time.Second)
	for i := range 10 {
		if r := adds.Get(fmt.Sprintf("/Add?text=%d", i)); r.Status != http.StatusOK {
			t.Fatalf("add: %d %s", r.Status, r.Body)
		}
	}
	counts.WaitBody("/Count", "10", 5*time.Second)
}
