package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/microfn/microfn/internal/pgbin"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", to make the databases

	"github.com/microfn/microfn/internal/freeport"
)

// 13. Databases

// dbSource is the package microfn serves in the db scenario: each service
// does one operation on a database declared with microfn.Database or
// microfn.KV, the same operation the baseline's route of the same name
// does with database/sql on the driver directly (bench/baseline/db.go).
// Noop is the cost of a call with no operation in it.
const dbSource = `// Package benchdb is the db scenario's services.
package benchdb

import (
	"context"
	"strconv"

	"github.com/microfn/microfn"
)

var (
	db = microfn.Database("bench")
	kv = microfn.KV("benchkv")
)

// Noop does nothing: the cost of the call alone.
//
//microfn:service scale=64 queue=100
func Noop() int64 { return 1 }

// KVGet returns the value of key.
//
//microfn:service scale=64 queue=100
func KVGet(ctx context.Context, key string) (string, error) {
	v, _, err := kv.Get(ctx, key)
	return string(v), err
}

// KVPut sets key to value and returns its version.
//
//microfn:service retry=1 scale=64 queue=100
func KVPut(ctx context.Context, key, value string) (int64, error) {
	return kv.Put(ctx, key, []byte(value))
}

// Select returns the text of row id.
//
//microfn:service scale=64 queue=100
func Select(ctx context.Context, id int64) (string, error) {
	var text string
	err := db.QueryRowContext(ctx, "SELECT text FROM items WHERE id = $1", id).Scan(&text)
	return text, err
}

// Insert adds a row and returns its id.
//
//microfn:service retry=1 scale=64 queue=100
func Insert(ctx context.Context, text string) (int64, error) { return insert(ctx, text) }

// insert is Insert's operation; Seed calls it in process (a call of the
// service Insert would be a call over HTTP).
func insert(ctx context.Context, text string) (int64, error) {
	var id int64
	err := db.QueryRowContext(ctx, "INSERT INTO items (text) VALUES ($1) RETURNING id", text).Scan(&id)
	return id, err
}

// Seed puts the keys k0… (values v0…) and inserts the rows t0… (ids 1…).
//
//microfn:service retry=1 timeout=5m
func Seed(ctx context.Context, n int) (int64, error) {
	for i := range n {
		if _, err := kv.Put(ctx, "k"+strconv.Itoa(i), []byte("v"+strconv.Itoa(i))); err != nil {
			return 0, err
		}
		if _, err := insert(ctx, "t"+strconv.Itoa(i)); err != nil {
			return 0, err
		}
	}
	return int64(n), nil
}
`

// dbMigration is the migration of database bench, by kind.
var dbMigration = map[string]string{
	"sqlite":   "CREATE TABLE items (id INTEGER PRIMARY KEY, text TEXT NOT NULL);\n",
	"postgres": "CREATE TABLE items (id BIGSERIAL PRIMARY KEY, text TEXT NOT NULL);\n",
}

// writeDBPackage writes the db scenario's package, with the migration of
// kind, into dir.
func writeDBPackage(dir, kind string) error {
	if err := os.MkdirAll(filepath.Join(dir, "migrations", "bench"), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "db.go"), []byte(dbSource), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "migrations", "bench", "001_items.sql"), []byte(dbMigration[kind]), 0o644)
}

// dbFileLimit is the file size limit of the db scenario's workers.
const dbFileLimit = "4GiB"

// dbRows is how many keys and rows Seed writes, which the loads read.
const dbRows = 1000

// dbTargets are the db scenario's loads: the operations, and Noop first.
func dbTargets() []target {
	var gets, puts, selects []string
	for i := range dbRows {
		gets = append(gets, fmt.Sprintf("/KVGet?key=k%d", i))
		selects = append(selects, fmt.Sprintf("/Select?id=%d", i+1))
	}
	for i := range 100 {
		puts = append(puts, fmt.Sprintf("/KVPut?key=p%d&value=x", i))
	}
	return []target{
		{name: "Noop", method: http.MethodGet, path: "/Noop", want: "1\n"},
		{name: "KV get", method: http.MethodGet, path: gets[0], more: gets[1:]},
		{name: "KV put", method: http.MethodGet, path: puts[0], more: puts[1:]},
		{name: "SQL select", method: http.MethodGet, path: selects[0], more: selects[1:]},
		{name: "SQL insert", method: http.MethodGet, path: "/Insert?text=x"},
	}
}

// db measures the operations of service code on its databases (KV get and
// put, a one-row SQL select and insert) through a service, against the
// same operations on the driver in a compiled program, on SQLite and, if
// PostgreSQL is installed, on PostgreSQL.
func (b *bench) db(ctx context.Context) {
	s := b.newSection("db", "13. Databases",
		fmt.Sprintf("Service code's operations on its databases, each a service of a package that declares `microfn.Database(\"bench\")` and `microfn.KV(\"benchkv\")`: `KV get` (`Get` of one of %d keys, in turn), `KV put` (`Put` of one of 100 keys), `SQL select` (`SELECT text FROM items WHERE id = $1`, one of %d rows) and `SQL insert` (`INSERT INTO items (text) VALUES ($1) RETURNING id`), and `Noop`, a service that does nothing: the cost of the call alone. "+
			"The baseline does the same statements (those of microfn's key-value store for KV) with database/sql on the driver directly, in its Fiber handlers, on a database of its own opened with microfn's settings (SQLite: WAL, synchronous=NORMAL, a 10s busy timeout, 8 connections). "+
			"microfn serves the package `%s` (its SQLite files in a state folder of the run's) with the interpreter and with `%s`. "+
			"Each operation is loaded twice: one request at a time (one connection: the latency of an operation alone) and on %d connections; %s per server and round after a %s warm-up, the servers taking turns in slices of about 2s; the load comes from %s. Medians of %d round(s). "+
			"The goal of each operation: microfn's p50 and p99 at one connection at most 1.5× the baseline's plus one call's cost, the cost of a call being microfn's Noop figure less the baseline's. "+
			"microfn runs with `--max-write-size %s --max-temp-size %s`: a worker's file size limit (64 MiB by default) bounds the SQLite files it writes as well, and the log of a database written this fast passes it, after which every write fails (see docs/databases.md, Pools and limits).",
			dbRows, dbRows, isolated, compiledTier, b.cfg.conns, b.cfg.duration, b.cfg.warmup, b.loadgenDesc(), b.cfg.rounds, dbFileLimit, dbFileLimit))
	b.dbKind(ctx, s, "sqlite", nil)
	pg, err := startPostgres(ctx, b.tmp)
	switch {
	case err != nil:
		b.fail("db: start PostgreSQL: %v", err)
	case pg == nil:
		s.notes = append(s.notes, "PostgreSQL is not installed (Debian's postgresql package): measured on SQLite only.")
	default:
		defer pg.stop()
		urls := map[string]string{}
		for _, name := range []string{"microfn_bench_0", "microfn_bench_1", "baseline_bench"} {
			u, err := pg.createDB(ctx, name)
			if err != nil {
				b.fail("db: %v", err)
				return
			}
			urls[name] = u
		}
		b.dbKind(ctx, s, "postgres", urls)
		s.notes = append(s.notes, "PostgreSQL "+pg.version+" runs on the same machine, started by the benchmark (synchronous_commit=off, as SQLite's synchronous=NORMAL, which does not wait for the disk at each commit either); microfn's databases bench and benchkv are one of its databases (one for each tier), the baseline's another.")
	}
	b.print(s)
}

// dbKind runs the db scenario on databases of kind ("sqlite", or
// "postgres" at urls) and adds its table and goals to s.
func (b *bench) dbKind(ctx context.Context, s *section, kind string, urls map[string]string) {
	dir := filepath.Join(b.tmp, "pkg", "benchdb-"+kind)
	if err := writeDBPackage(dir, kind); err != nil {
		b.fail("db: %v", err)
		return
	}
	label := map[string]string{"sqlite": "SQLite", "postgres": "PostgreSQL"}[kind]
	var specs []procSpec
	for i, mode := range [][]string{{isolated}, {isolated, compiledTier}} {
		flags := append([]string{}, mode...)
		if kind == "postgres" {
			u := urls[fmt.Sprintf("microfn_bench_%d", i)]
			flags = append(flags, "--database", "bench="+u, "--database", "benchkv="+u)
		}
		spec := b.microfnSpec(dir, flags...)
		spec.name = "microfn " + strings.Join(mode, " ")
		// A worker's file size limit (--max-write-size, 64MiB) bounds
		// the SQLite files it writes too, the log of a busy database
		// past it: the loads' writes would fail (docs/databases.md, "Pools and limits").
		spec.argv = append(spec.argv, "--max-write-size", dbFileLimit, "--max-temp-size", dbFileLimit)
		// Each server its own state folder: no two share an SQLite file.
		spec.argv = append(spec.argv, "--state", filepath.Join(b.tmp, fmt.Sprintf("state-%s-%d", kind, i)))
		specs = append(specs, spec)
	}
	base := b.baselineSpec()
	if kind == "postgres" {
		base.argv = append(base.argv, "--postgres", urls["baseline_bench"])
	} else {
		base.argv = append(base.argv, "--sqlite", filepath.Join(b.tmp, "baseline-bench.sqlite"))
	}
	specs = append(specs, base)

	ps := make([]*proc, len(specs))
	for i, spec := range specs {
		// A compiled worker is built before it is ready: the first
		// build of the SQLite driver takes minutes.
		p, _, err := b.start(ctx, spec, 10*time.Minute)
		if err != nil {
			b.fail("db: start %s: %v", spec.name, err)
			return
		}
		defer b.stopProc(p)
		ps[i] = p
	}
	c := newCaller()
	defer c.close()
	for _, p := range ps {
		if _, _, err := c.get(ctx, p.base, fmt.Sprintf("/Seed?n=%d", dbRows)); err != nil {
			b.fail("db: %s: seed: %v", p.spec.name, err)
			return
		}
		for _, q := range []struct{ path, want string }{
			{"/Noop", "1\n"}, {"/KVGet?key=k7", "\"v7\"\n"}, {"/Select?id=8", "\"t7\"\n"}, {"/KVPut?key=k7&value=v7", "2\n"},
		} {
			if got, _, err := c.get(ctx, p.base, q.path); err != nil || got != q.want {
				b.fail("db: %s: GET %s = %q, %v; want %q", p.spec.name, q.path, got, err, q.want)
				return
			}
		}
	}

	targets := dbTargets()
	conns := []int{1, b.cfg.conns}
	res := map[[3]int][]loadResult{} // by conns, target, server
	saved := b.cfg.conns
	defer func() { b.cfg.conns = saved }()
	for round := range b.cfg.rounds {
		for ci, n := range conns {
			b.cfg.conns = n
			for ti, t := range targets {
				b.progress("db: %s, round %d/%d, %s, %d connection(s)", label, round+1, b.cfg.rounds, t.name, n)
				runs := make([]loadRun, len(ps))
				for i, p := range ps {
					runs[i] = loadRun{p, t}
				}
				for i, r := range b.interleaved(ctx, runs, b.cfg.duration, round) {
					if r.errors > 0 {
						b.fail("db: %s on %s (%s, %d connections): %d of %d requests failed, such as: %s", t.name, ps[i].spec.name, label, n, r.errors, r.requests, r.sample)
					}
					r.lat = nil
					res[[3]int{ci, ti, i}] = append(res[[3]int{ci, ti, i}], r)
				}
			}
		}
	}
	b.cfg.conns = saved

	bi := len(specs) - 1
	tab := table{header: []string{label, "server", "p50, 1 conn", "p99, 1 conn", "goal: ≤ 1.5× baseline + a call", fmt.Sprintf("req/s, %d conns", b.cfg.conns), fmt.Sprintf("p50, %d conns", b.cfg.conns), fmt.Sprintf("p99, %d conns", b.cfg.conns), "CPU/req", "req/s ÷ baseline"}}
	one := func(ti, i int) summary { return summarize(res[[3]int{0, ti, i}]) }
	many := func(ti, i int) summary { return summarize(res[[3]int{1, ti, i}]) }
	for ti, t := range targets {
		for i, spec := range specs {
			m1, mn := one(ti, i), many(ti, i)
			goalCell, rr := "", ""
			if i != bi {
				rr = fmtRatio(ratio(mn.rps, many(ti, bi).rps))
				if ti > 0 {
					b1, n1, nb := one(ti, bi), one(0, i), one(0, bi)
					p50Target := dbTarget(b1.p50, n1.p50, nb.p50)
					p99Target := dbTarget(b1.p99, n1.p99, nb.p99)
					worst := math.Max(ratio(float64(m1.p50), float64(p50Target)), ratio(float64(m1.p99), float64(p99Target)))
					goalCell = fmt.Sprintf("p50 ≤ %s, p99 ≤ %s: %s", fmtDur(p50Target), fmtDur(p99Target), map[bool]string{true: "met", false: "missed"}[worst <= 1])
					tier := "interpreted"
					if strings.Contains(spec.name, compiledTier) {
						tier = "compiled"
					}
					b.addGoal(fmt.Sprintf("db %s p50/p99, %s, %s", t.name, label, tier), "≤ 1.5× baseline + a call",
						fmt.Sprintf("%s / %s (targets %s / %s)", fmtDur(m1.p50), fmtDur(m1.p99), fmtDur(p50Target), fmtDur(p99Target)), worst, 1, false)
				}
			}
			tab.rows = append(tab.rows, []string{t.name, spec.name, fmtDur(m1.p50), fmtDur(m1.p99), goalCell, fmtCount(mn.rps), fmtDur(mn.p50), fmtDur(mn.p99), fmtDur(mn.cpu), rr})
		}
	}
	s.tables = append(s.tables, tab)
}

// dbTarget is the goal of an operation: 1.5× the baseline's figure base,
// plus the cost of one call, microfn's Noop figure less the baseline's.
func dbTarget(base, noop, baseNoop time.Duration) time.Duration {
	call := max(noop-baseNoop, 0)
	return time.Duration(1.5*float64(base)) + call
}

// A pgServer is a PostgreSQL server the benchmark started.
type pgServer struct {
	cmd     *exec.Cmd
	dir     string
	addr    string
	version string
	exited  chan struct{}
	log     *tail
}

// startPostgres starts a PostgreSQL server in a folder below tmp, on a
// free loopback port (as the user postgres when the benchmark runs as
// root, which PostgreSQL refuses), or returns nil if PostgreSQL is not
// installed.
func startPostgres(ctx context.Context, tmp string) (*pgServer, error) {
	bin := pgbin.Dir()
	if bin == "" {
		return nil, nil
	}
	dir, err := os.MkdirTemp(tmp, "pg-")
	if err != nil {
		return nil, err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("PostgreSQL runs as a normal user, and there is no user postgres: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		// The user postgres goes through the folders above dir.
		if err := os.Chmod(tmp, 0o755); err != nil {
			return nil, err
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			return nil, err
		}
	}
	command := func(name string, args ...string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, filepath.Join(bin, name), args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "LC_ALL=C")
		cmd.SysProcAttr = serverAttr()
		cmd.SysProcAttr.Credential = cred
		return cmd
	}
	data := filepath.Join(dir, "data")
	if out, err := command("initdb", "-D", data, "-U", "microfn", "--auth=trust", "--no-sync", "-E", "UTF8").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	addr, err := freeport.Addr()
	if err != nil {
		return nil, err
	}
	_, port, _ := net.SplitHostPort(addr)
	p := &pgServer{dir: dir, addr: addr, exited: make(chan struct{}), log: newTail(1 << 14), version: filepath.Base(filepath.Dir(bin))}
	p.cmd = command("postgres", "-D", data, "-p", port, "-k", dir, "-c", "listen_addresses=127.0.0.1",
		"-c", "synchronous_commit=off", "-c", "max_connections=200")
	p.cmd.Cancel = func() error { return p.cmd.Process.Signal(syscall.SIGINT) }
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	go func() { _ = p.cmd.Wait(); close(p.exited) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if err := p.ping(ctx); err == nil {
			return p, nil
		}
		select {
		case <-p.exited:
			return nil, fmt.Errorf("postgres exited: %s", p.log.lastLines(10))
		default:
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			p.stop()
			return nil, errors.New("postgres did not accept connections within 30s")
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// url is the URL of database name of the server.
func (p *pgServer) url(name string) string {
	return fmt.Sprintf("postgres://microfn@%s/%s?sslmode=disable", p.addr, name)
}

// ping checks that the server takes logins.
func (p *pgServer) ping(ctx context.Context) error {
	db, err := sql.Open("pgx", p.url("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return db.PingContext(cctx)
}

// createDB makes the database name and returns its URL.
func (p *pgServer) createDB(ctx context.Context, name string) (string, error) {
	db, err := sql.Open("pgx", p.url("postgres"))
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return p.url(name), nil
}

// stop shuts the server down (SIGINT: fast shutdown), SIGKILL after 20s.
func (p *pgServer) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-p.exited:
	case <-time.After(20 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.exited
	}
	os.RemoveAll(p.dir)
}
