package server_test

import (
	"encoding/json"
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

	dto "github.com/prometheus/client_model/go"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/protocol"
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

// load calls Add from clients goroutines until stop closes, each
// pausing for pause between its calls, and returns the calls that
// succeeded and those that failed, with the first failure.
func load(base string, clients int, pause time.Duration, stop <-chan struct{}) (ok, failed *atomic.Int64, first *atomic.Value, wait func()) {
	ok, failed, first = &atomic.Int64{}, &atomic.Int64{}, &atomic.Value{}
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				case <-time.After(pause):
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
	// Each save reloads the package (about 300ms, several seconds under
	// the race detector, which slows the load and the server alike).
	saves := 100
	if iso := os.Getenv(microfntest.EnvIsolation); raceEnabled || iso != "" && iso != "package" {
		saves = 10 // the same code paths, under the same load
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

			// The load pauses between calls: the calls overlap every
			// save, and leave the reloads the CPU they need.
			stop := make(chan struct{})
			ok, failed, first, wait := load(in.URL, 4, 2*time.Millisecond, stop)
			quiet := 0 // saves during which no call succeeded
			for v := 1; v <= saves; v++ {
				before := ok.Load()
				in.Write("todo.go", todoSource(v))
				in.WaitBody("/Version", fmt.Sprint(v), 20*time.Second)
				if ok.Load() == before {
					quiet++
				}
			}
			// A save served in a few tens of milliseconds can fall
			// between two answers; most must overlap the load, or the
			// test proves nothing.
			if quiet > saves/2 {
				t.Errorf("no call succeeded during %d of %d saves: the load did not overlap them", quiet, saves)
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
				stale := r.Header.Get(protocol.HeaderStale)
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
				stale := in.Get("/Stock?id=1").Header.Get(protocol.HeaderStale)
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

// ordersSource is a package of orders kept in database orders; Bad runs
// a statement that fails.
const ordersSource = `package orders

import "github.com/microfn/microfn"

var db = microfn.Database("orders")

//microfn:service
func Add(item string) (int64, error) {
	r, err := db.Exec("INSERT INTO items (item) VALUES ($1)", item)
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

//microfn:service retry=1
func Bad() error {
	_, err := db.Exec("INSERT INTO nowhere VALUES (1)")
	return err
}
`

// reportSource reads database orders too, and keeps a key-value store
// of its own.
const reportSource = `package report

import (
	"context"
	"strconv"

	"github.com/microfn/microfn"
)

var (
	db    = microfn.Database("orders")
	cache = microfn.KV("cache")
)

//microfn:service
func Total(ctx context.Context) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM items").Scan(&n); err != nil {
		return 0, err
	}
	_, err := cache.Put(ctx, "total", []byte(strconv.Itoa(n)))
	return n, err
}

//microfn:service
func Cached(ctx context.Context) (string, error) {
	v, _, err := cache.Get(ctx, "total")
	return string(v), err
}
`

// TestDatabaseMetricsAndDocs: /metrics counts the statements each
// package ran on each database, failures and latency included, and the
// OpenAPI document says which services use which database.
func TestDatabaseMetricsAndDocs(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{
		"orders/orders.go":                 ordersSource,
		"orders/migrations/orders/001.sql": "CREATE TABLE items (id INTEGER PRIMARY KEY, item TEXT NOT NULL);\n",
		"report/report.go":                 reportSource,
		"plain/plain.go":                   "package plain\n\n//microfn:service\nfunc Echo(s string) string { return s }\n",
	}, server.WithQuiet(true))
	in.WaitBody("/orders/Count", "0", 20*time.Second)
	in.WaitBody("/report/Total", "0", 20*time.Second)
	for _, c := range []struct {
		path   string
		status int
	}{
		{"/orders/Add?item=a", 200}, {"/orders/Add?item=b", 200}, {"/orders/Add?item=c", 200},
		{"/orders/Count", 200}, {"/orders/Bad", 500},
		{"/report/Total", 200},
	} {
		if r := in.Get(c.path); r.Status != c.status {
			t.Fatalf("%s = %d %s, want %d", c.path, r.Status, r.Body, c.status)
		}
	}
	in.WaitBody("/report/Cached", `"3"`, 5*time.Second)

	// orders ran 2 counts, 3 inserts and 1 failed insert; report 2
	// counts, and cache's statements are its own.
	fams := scrape(t, in)
	for _, c := range []struct {
		metric, database, pkg string
		want                  float64
	}{
		{"microfn_db_queries_total", "orders", "orders", 6},
		{"microfn_db_query_errors_total", "orders", "orders", 1},
		{"microfn_db_query_duration_seconds", "orders", "orders", 6},
		{"microfn_db_queries_total", "orders", "report", 2},
		{"microfn_db_query_errors_total", "orders", "report", 0},
		{"microfn_db_queries_total", "orders", "plain", 0},
		{"microfn_db_queries_total", "cache", "orders", 0},
	} {
		if got := value(fams, c.metric, map[string]string{"database": c.database, "package": c.pkg}); got != c.want {
			t.Errorf("%s{database=%q,package=%q} = %v, want %v", c.metric, c.database, c.pkg, got, c.want)
		}
	}
	// The key-value store's statements: 2 Puts and 1 Get, each a
	// statement or a transaction of a few, and its table made once.
	if got := value(fams, "microfn_db_queries_total", map[string]string{"database": "cache", "package": "report"}); got < 3 {
		t.Errorf("cache's statements by report: %v, want at least 3", got)
	}
	var latency *dto.Histogram
	for _, m := range fams["microfn_db_query_duration_seconds"].GetMetric() {
		if labelsOf(m)["database"] == "orders" && labelsOf(m)["package"] == "orders" {
			latency = m.GetHistogram()
		}
	}
	if latency == nil || latency.GetSampleSum() <= 0 || len(latency.GetBucket()) == 0 ||
		latency.GetBucket()[len(latency.GetBucket())-1].GetCumulativeCount() > latency.GetSampleCount() {
		t.Errorf("latency of orders by orders: %v", latency)
	}

	// The document: each operation names its package's databases, and
	// the document lists each database with the services using it.
	var doc struct {
		Info struct {
			Description string `json:"description"`
		} `json:"info"`
		Databases []struct {
			Name     string   `json:"name"`
			Kind     string   `json:"kind"`
			Services []string `json:"services"`
		} `json:"x-microfn-databases"`
		Paths map[string]map[string]struct {
			Databases []string `json:"x-microfn-databases"`
		} `json:"paths"`
	}
	r := in.Get("/openapi.json")
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
		t.Fatalf("/openapi.json: %v", err)
	}
	for path, want := range map[string]string{"/orders/Add": "orders", "/orders/Bad": "orders", "/report/Total": "cache,orders", "/plain/Echo": ""} {
		for _, method := range []string{"get", "post"} {
			if got := strings.Join(doc.Paths[path][method].Databases, ","); got != want {
				t.Errorf("%s %s: databases %q, want %q", method, path, got, want)
			}
		}
	}
	got := fmt.Sprint(doc.Databases)
	if want := "[{cache sqlite [/report/Cached /report/Total]} {orders sqlite [/orders/Add /orders/Bad /orders/Count /report/Cached /report/Total]}]"; got != want {
		t.Errorf("the document's databases: %s, want %s", got, want)
	}
	if !strings.Contains(doc.Info.Description, "- **orders** (SQLite): /orders/Add, /orders/Bad, /orders/Count, /report/Cached, /report/Total") {
		t.Errorf("the docs page's description does not list the databases: %s", doc.Info.Description)
	}
}

// labelsOf returns the labels of m.
func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// defaultIsolationOnly skips a test in the suite's runs with another
// isolation than the default: it sets its own, or what it shows does
// not depend on it.
func defaultIsolationOnly(t *testing.T) {
	t.Helper()
	if iso := os.Getenv(microfntest.EnvIsolation); iso != "" && iso != string(server.IsolatePackage) {
		t.Skipf("runs with the default isolation only (%s=%s)", microfntest.EnvIsolation, iso)
	}
}

// TestDatabaseCompiled: a package with a database and a key-value store,
// served compiled (--tier=compiled), has its migrations applied, reads
// and writes both, keeps them across a save, and its statements are
// counted under its package.
func TestDatabaseCompiled(t *testing.T) {
	t.Parallel()
	defaultIsolationOnly(t) // compiled code needs a worker per package
	src := func(version int) string {
		return fmt.Sprintf(`package orders

import (
	"context"

	"github.com/microfn/microfn"
)

var (
	db    = microfn.Database("orders")
	seen  = microfn.KV("seen")
)

//microfn:service
func Add(ctx context.Context, item string) (int, error) {
	if _, err := db.ExecContext(ctx, "INSERT INTO items (item) VALUES ($1)", item); err != nil {
		return 0, err
	}
	if _, err := seen.Put(ctx, item, []byte("yes")); err != nil {
		return 0, err
	}
	var n int
	err := db.QueryRowContext(ctx, "SELECT count(*) FROM items").Scan(&n)
	return n, err
}

//microfn:service
func Seen(ctx context.Context, item string) (bool, error) {
	_, _, err := seen.Get(ctx, item)
	if errors.Is(err, microfn.ErrNoKey) {
		return false, nil
	}
	return err == nil, err
}

//microfn:service
func Version() int { return %d }
`, version)
	}
	withErrors := func(s string) string {
		return strings.Replace(s, "\t\"context\"\n", "\t\"context\"\n\t\"errors\"\n", 1)
	}
	in := microfntest.Start(t, map[string]string{
		"orders/orders.go":                      withErrors(src(1)),
		"orders/migrations/orders/001_init.sql": "CREATE TABLE items (id INTEGER PRIMARY KEY, item TEXT NOT NULL);\n",
	}, server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierCompiled), server.WithQuiet(true))
	in.WaitBody("/orders/Version", "1", 2*time.Minute)
	for i, item := range []string{"a", "b"} {
		r := in.Get("/orders/Add?item=" + item)
		if r.Status != 200 || strings.TrimSpace(r.Body) != fmt.Sprint(i+1) || r.Header.Get(protocol.HeaderTier) != "compiled" {
			t.Fatalf("Add(%s) = %d %s from %q, want %d compiled", item, r.Status, r.Body, r.Header.Get(protocol.HeaderTier), i+1)
		}
	}
	in.WaitBody("/orders/Seen?item=a", "true", 5*time.Second)
	in.WaitBody("/orders/Seen?item=z", "false", 5*time.Second)
	fams := scrape(t, in)
	if got := value(fams, "microfn_db_queries_total", map[string]string{"database": "orders", "package": "orders"}); got != 4 {
		t.Errorf("statements of orders on orders: %v, want 4", got)
	}

	// A save with a new migration: built again, migrated, the data kept.
	in.Write("orders/migrations/orders/002_price.sql", "ALTER TABLE items ADD COLUMN price INTEGER NOT NULL DEFAULT 5;\n")
	in.Write("orders/orders.go", withErrors(src(2))+`
//microfn:service
func Total(ctx context.Context) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, "SELECT sum(price) FROM items").Scan(&n)
	return n, err
}
`)
	in.WaitBody("/orders/Version", "2", 2*time.Minute)
	if r := in.Get("/orders/Total"); r.Status != 200 || strings.TrimSpace(r.Body) != "10" || r.Header.Get(protocol.HeaderTier) != "compiled" {
		t.Errorf("Total = %d %s from %q, want 10 compiled", r.Status, r.Body, r.Header.Get(protocol.HeaderTier))
	}
	in.WaitBody("/orders/Seen?item=b", "true", 5*time.Second)
}
