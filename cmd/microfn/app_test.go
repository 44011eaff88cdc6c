package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// buildAppExe runs microfn build dir -o FILE and returns FILE.
func buildAppExe(t *testing.T, dir string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds an application with the Go toolchain; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	exe := filepath.Join(t.TempDir(), "app")
	code, out, errOut := runCLI(t, ctx, "build", dir, "-o", exe)
	if code != 0 || !strings.Contains(out, "built "+exe) {
		t.Fatalf("microfn build %s: exit %d\n%s%s", dir, code, out, errOut)
	}
	return exe
}

// startApp runs the application exe with args where nothing of microfn
// is at hand: in an empty folder, with an empty PATH (no Go toolchain)
// and a home of its own, and waits until it has loaded on addr.
func startApp(t *testing.T, exe, addr string, args ...string) *proc {
	t.Helper()
	return startAppIn(t, exe, t.TempDir(), addr, args...)
}

// startAppIn runs the application exe as startApp does, in the folder
// dir.
func startAppIn(t *testing.T, exe, dir, addr string, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, addr: addr, log: &syncBuffer{}, done: make(chan struct{})}
	p.cmd = exec.Command(exe, args...)
	p.cmd.Dir = dir
	p.cmd.Env = []string{"PATH=", "HOME=" + t.TempDir(), "MICROFN_CHAIN_KEY=microfn-tests"}
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(p.stop)
	deadline := time.Now().Add(time.Minute)
	for !loaded(addr) {
		select {
		case <-p.done:
			t.Fatalf("%s %s exited early:\n%s", exe, strings.Join(args, " "), p.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s %s did not load within a minute:\n%s", exe, strings.Join(args, " "), p.log.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	return p
}

// runApp runs the application exe with args as startApp does, to its
// end, and returns its exit code and output.
func runApp(t *testing.T, exe string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(exe, args...)
	cmd.Dir = t.TempDir()
	cmd.Env = []string{"PATH=", "HOME=" + t.TempDir()}
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("run %s: %v", exe, err)
	}
	return code, out.String(), errOut.String()
}

// procShop is a servedShop of a process of its own.
type procShop struct{ p *proc }

func (s procShop) get(path string) (int, string) { return s.p.get(path) }

func (s procShop) fetch(path string) microfntest.Response { return s.p.fetch(path) }

func (s procShop) nestedCalls() int {
	n := 0
	for _, line := range strings.Split(s.p.log.String(), "\n") {
		if strings.Contains(line, "POST /billing/") && strings.Contains(line, " depth=1 ") {
			n++
		}
	}
	return n
}

// TestAppShop: the application microfn build makes of the shop example
// (a module of four packages, one a library) serves it as microfn serve
// does, through the same checks, where there is no Go toolchain and no
// source: every service compiled, its workers the executable itself, its
// databases in the working directory, where a restart finds them.
func TestAppShop(t *testing.T) {
	t.Parallel()
	exe := buildAppExe(t, shopDir)
	addr, work := freeAddr(t), t.TempDir()
	p := startAppIn(t, exe, work, addr, "serve", "--addr", addr, "--no-watch")
	checkShop(t, procShop{p})
	var h server.Health
	_, body := p.get("/healthz")
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatalf("/healthz: %v: %s", err, body)
	}
	for _, pkg := range h.Packages {
		if pkg.Tier != "compiled" || pkg.Worker == nil {
			t.Errorf("package %s: tier %q, worker %v; want compiled, in a worker process", pkg.Dir, pkg.Tier, pkg.Worker)
		}
	}
	// Restarted in the same working directory, the application finds
	// what checkShop wrote to the databases in .microfn there.
	p.stop()
	p = startAppIn(t, exe, work, addr, "serve", "--addr", addr, "--no-watch")
	checkState(t, procShop{p}, shopState{book: 999, bookOrders: 1, cart: []string{"book", "pen"}, bobOrders: 1})
}

// TestAppSeed: the application of examples/seed answers as microfn serve
// examples/seed does (the same answers, problems, routes and OpenAPI
// document), compiled, and its routes and openapi commands print what
// microfn's print for the folder.
func TestAppSeed(t *testing.T) {
	t.Parallel()
	const seed = "../../examples/seed"
	exe := buildAppExe(t, seed)
	appAddr := freeAddr(t)
	app := startApp(t, exe, appAddr, "serve", "--addr", appAddr, "--no-watch")
	served := startServe(t, seed, freeAddr(t), "--tier=interpreted")
	for _, path := range []string{
		"/IsEven?x=5", "/IsOdd?x=5", "/Fib?n=15", "/Factorial?n=10", "/Factorial?n=-1",
		`/Area?r={"Min":{"X":0,"Y":0},"Max":{"X":3,"Y":2}}`, `/Area?r={"Min":{"X":3,"Y":0},"Max":{"X":0,"Y":2}}`,
		`/Distance?a={"X":0,"Y":0}&b={"X":3,"Y":4}`, "/Fib?n=x", "/Fib", "/NoSuchService", "/openapi.json",
	} {
		wantStatus, want := served.get(path)
		status, got := app.get(path)
		if status != wantStatus || got != want {
			t.Errorf("GET %s: the application answers %d %s\nmicrofn serve answers %d %s", path, status, got, wantStatus, want)
		}
	}
	if n := app.waitRequests("POST /Fib", 2); n < 2 {
		t.Errorf("Fib's calls of itself: %d nested calls logged, want them over HTTP", n)
	}
	for _, cmd := range []string{"routes", "openapi"} {
		code, got, errOut := runApp(t, exe, cmd)
		wantCode, want, _ := runCLI(t, context.Background(), cmd, seed)
		if code != wantCode || got != want {
			t.Errorf("app %s: exit %d\n%s%s\nmicrofn %s %s: exit %d\n%s", cmd, code, got, errOut, cmd, seed, wantCode, want)
		}
	}
	_, want, _ := runCLI(t, context.Background(), "run", seed, "Fib", "n=10")
	if code, out, errOut := runApp(t, exe, "run", "Fib", "n=10"); code != 0 || out != want {
		t.Errorf("app run Fib n=10: exit %d, %q %q; microfn run prints %q", code, out, errOut, want)
	}
	// It takes no folder: it serves what it was built with.
	if code, _, errOut := runApp(t, exe, "serve", seed); code != 2 || !strings.Contains(errOut, "Usage") {
		t.Errorf("app serve DIR: exit %d, %s", code, errOut)
	}
	var doc map[string]any
	_, body := app.get("/openapi.json")
	if err := json.Unmarshal([]byte(body), &doc); err != nil || !reflect.DeepEqual(len(doc["paths"].(map[string]any)), 8) {
		t.Errorf("/openapi.json of the application: %v, %d paths, want 8", err, len(doc["paths"].(map[string]any)))
	}
}

// TestBuildAppErrors: code that does not load is reported at its
// file:line:col, every error of every package at once, and no
// executable is written.
func TestBuildAppErrors(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"a/a.go": "package a\n\n//microfn:service\nfunc A(x int) int { return x + \"s\" }\n",
		"b/b.go": "package b\n\nimport \"os/exec\"\n\n//microfn:service\nfunc B() string { return exec.Command(\"true\").String() }\n",
		"c/c.go": "package c\n\n//microfn:service\nfunc C() int { return 1 }\n",
	})
	exe := filepath.Join(t.TempDir(), "app")
	code, _, errOut := runCLI(t, context.Background(), "build", dir, "-o", exe)
	for _, want := range []string{"a.go:4:", "b.go:3:", "os/exec", "no executable written"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("build: stderr lacks %q:\n%s", want, errOut)
		}
	}
	if code != 1 {
		t.Errorf("build: exit %d, want 1", code)
	}
	if _, err := os.Stat(exe); err == nil {
		t.Errorf("build wrote %s despite the errors", exe)
	}
}

// TestAppDatabase: an application of a folder with a database carries
// its migrations and applies them where it runs, keeping the data in
// .microfn in its working directory, or in the folder --state names,
// across restarts.
func TestAppDatabase(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"todo/todo.go": `package todo

import "github.com/microfn/microfn"

var db = microfn.Database("todo")

//microfn:service
func Add(text string) (int64, error) {
	r, err := db.Exec("INSERT INTO items (text) VALUES ($1)", text)
	if err != nil {
		return 0, err
	}
	return r.LastInsertId()
}

//microfn:service
func Count() (int, error) {
	var n int
	err := db.QueryRow("SELECT count(*) FROM items WHERE done = 0").Scan(&n)
	return n, err
}
`,
		"todo/migrations/todo/001_items.sql": "CREATE TABLE items (id INTEGER PRIMARY KEY, text TEXT NOT NULL);\n",
		"todo/migrations/todo/002_done.sql":  "ALTER TABLE items ADD COLUMN done INTEGER NOT NULL DEFAULT 0;\n",
	})
	exe := buildAppExe(t, dir)
	// The migrations are in the application: the folder is not read.
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	addr := freeAddr(t)
	app := startAppIn(t, exe, work, addr, "serve", "--addr", addr)
	for i := 1; i <= 3; i++ {
		if status, body := app.get("/todo/Add?text=x"); status != 200 || strings.TrimSpace(body) != fmt.Sprint(i) {
			t.Fatalf("Add = %d %s, want %d", status, body, i)
		}
	}
	if status, body := app.get("/todo/Count"); status != 200 || strings.TrimSpace(body) != "3" {
		t.Fatalf("Count = %d %s, want 3", status, body)
	}
	file := filepath.Join(work, ".microfn", "db", "todo.sqlite")
	if _, err := os.Stat(file); err != nil {
		t.Errorf("the database is not in the working directory: %v", err)
	}
	var h server.Health
	_, body := app.get("/healthz")
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatalf("/healthz: %v: %s", err, body)
	}
	if len(h.Databases) != 1 || h.Databases[0].Where != file || strings.Join(h.Databases[0].Migrations, ",") != "001_items.sql,002_done.sql" || h.Databases[0].State != "ok" {
		t.Errorf("/healthz databases: %+v, want todo at %s with both migrations", h.Databases, file)
	}

	// Started again in the same folder, it finds its data.
	app.stop()
	app = startAppIn(t, exe, work, addr, "serve", "--addr", addr)
	if status, body := app.get("/todo/Count"); status != 200 || strings.TrimSpace(body) != "3" {
		t.Errorf("Count after a restart = %d %s, want 3", status, body)
	}
	app.stop()

	// --state chooses the folder.
	state := filepath.Join(t.TempDir(), "state")
	app = startAppIn(t, exe, t.TempDir(), addr, "serve", "--addr", addr, "--state", state)
	if status, body := app.get("/todo/Count"); status != 200 || strings.TrimSpace(body) != "0" {
		t.Errorf("Count with a new --state = %d %s, want 0", status, body)
	}
	if _, err := os.Stat(filepath.Join(state, "db", "todo.sqlite")); err != nil {
		t.Errorf("--state: %v", err)
	}
}
