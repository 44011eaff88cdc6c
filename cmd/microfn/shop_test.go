package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
	"github.com/microfn/microfn/state"
	"github.com/microfn/microfn/state/dbconf"
)

// shopDir is examples/shop, a Go module of its own: a library package
// (util), a service package (billing), a service package that calls
// billing's services across packages and keeps the stock, the orders and
// the carts in databases (api), and one that streams its order history
// from a database (orders).
const shopDir = "../../examples/shop"

// TestShopExampleGoToolchain: the example is plain Go, vetted and tested
// by the go command as a module of its own.
func TestShopExampleGoToolchain(t *testing.T) {
	t.Parallel()
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("the go command is not on PATH (%v): cannot vet and test %s with the toolchain", err, shopDir)
	}
	for _, args := range [][]string{{"vet", "./..."}, {"test", "./..."}} {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		cmd := exec.CommandContext(ctx, goCmd, args...)
		cmd.Dir = shopDir
		cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("go %s in %s: %v\n%s", strings.Join(args, " "), shopDir, err, out)
		}
	}
}

// TestShopExampleCheck: microfn check finds the example's packages and
// services and no error.
func TestShopExampleCheck(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, context.Background(), "check", shopDir)
	const want = "ok: 4 packages, 12 services"
	if code != 0 || !strings.Contains(out, want) {
		t.Errorf("check %s: exit %d, stdout %q, stderr %q; want exit 0 and %q", shopDir, code, out, errOut, want)
	}
}

// TestShopExampleServed: served by microfn, the example answers over
// HTTP what the go command's tests expect of it as plain Go (see
// checkShop).
func TestShopExampleServed(t *testing.T) {
	t.Parallel()
	// Served by its relative path, as from the README, its databases in
	// a state folder of the test's.
	in := microfntest.StartDir(t, shopDir, server.WithQuiet(false), server.WithWatch(false), server.WithState(t.TempDir()))
	checkShop(t, instanceServer{in})
}

// A servedShop is a server of the shop example: one of this process, or
// a process of its own (microfn serve, or the application microfn build
// makes of the example).
type servedShop interface {
	// get returns the status and body of GET path.
	get(path string) (int, string)
	// fetch returns the whole answer to GET path.
	fetch(path string) microfntest.Response
	// nestedCalls counts the calls of billing's services at depth 1
	// in the server's log.
	nestedCalls() int
}

// instanceServer is a servedShop of this process.
type instanceServer struct{ in *microfntest.Instance }

func (s instanceServer) get(path string) (int, string) {
	r := s.in.Get(path)
	return r.Status, r.Body
}

func (s instanceServer) fetch(path string) microfntest.Response { return s.in.Get(path) }

func (s instanceServer) nestedCalls() int {
	return s.in.Logs().Count(func(r microfntest.Record) bool {
		return strings.Contains(r.Msg, "POST /billing/") && r.Attrs["depth"] == "1"
	})
}

// checkShop checks that a server of the shop example, its databases
// fresh, answers what the go command's tests expect of it as plain Go:
// the library has no route, api's calls of billing's services go over
// HTTP, a declined card's error keeps its text and its identity
// (errors.Is(err, billing.ErrDeclined)) across the call, and the stock,
// the orders and the carts are kept in the databases.
func checkShop(t *testing.T, in servedShop) {
	t.Helper()
	// Bodies are decoded before comparing: encoding/json escapes some
	// characters in strings.
	decode := func(path, body string, v any) {
		t.Helper()
		if err := json.Unmarshal([]byte(body), v); err != nil {
			t.Fatalf("%s: body %q: %v", path, body, err)
		}
	}
	type order struct {
		Item    string `json:"item"`
		Total   string `json:"total"`
		Receipt string `json:"receipt"`
	}
	type attempt struct {
		OK       bool   `json:"ok"`
		Declined bool   `json:"declined"`
		Detail   string `json:"detail"`
	}
	ok := []struct {
		path      string
		got, want any
	}{
		{"/api/Price?cents=1000", new(string), "$10.30"},
		{"/api/Checkout?item=book&number=4242424242424242&cents=1000", new(order), order{Item: "book", Total: "$10.30", Receipt: "r-4242-1030"}},
		{"/api/TryCharge?number=4242424242424242&cents=1000", new(attempt), attempt{OK: true, Detail: "charged $10.30 as r-4242-1030"}},
		{"/api/TryCharge?number=4000000000000000&cents=1000", new(attempt), attempt{Declined: true, Detail: "charge $10.30 to card 0000: card declined"}},
	}
	for _, c := range ok {
		status, body := in.get(c.path)
		if status != 200 {
			t.Errorf("GET %s = %d %s, want 200", c.path, status, body)
			continue
		}
		decode(c.path, body, c.got)
		if got := reflect.ValueOf(c.got).Elem().Interface(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("GET %s = %+v, want %+v", c.path, got, c.want)
		}
	}

	// A declined checkout is api's error wrapping billing's: the same
	// text as in Go, matching billing.ErrDeclined.
	const declined = "/api/Checkout?item=book&number=4000000000000000&cents=1000"
	status, body := in.get(declined)
	var problem struct {
		Detail   string `json:"detail"`
		Returned struct {
			Is []string `json:"is"`
		} `json:"returned"`
	}
	decode(declined, body, &problem)
	if want := "checkout book: charge $10.30 to card 0000: card declined"; status != 500 || problem.Detail != want {
		t.Errorf("GET %s = %d, detail %q; want 500, detail %q", declined, status, problem.Detail, want)
	}
	if !slices.Contains(problem.Returned.Is, "example.com/shop/billing.ErrDeclined") {
		t.Errorf("GET %s: the error matches %q, want example.com/shop/billing.ErrDeclined among them", declined, problem.Returned.Is)
	}

	// billing maps ErrDeclined to 402 (errors=); api's Checkout, which
	// failed through it, stays a 500 that says the callee's status.
	if r := in.fetch("/billing/Charge?number=4000000000000000&cents=1000"); r.Status != 402 {
		t.Errorf("a declined charge = %d %s, want 402", r.Status, r.Body)
	}

	// The checkout of a book took one of the 1000 of the stock and
	// recorded the order; the declined one put its book back. The two
	// lamps sell, a third is out of stock: 409 (errors=).
	checkState(t, in, shopState{book: 999, bookOrders: 1})
	for i := range 2 {
		if status, body := in.get("/api/Checkout?item=lamp&number=4242424242424242&cents=4000"); status != 200 {
			t.Errorf("checkout of lamp %d = %d %s", i+1, status, body)
		}
	}
	if r := in.fetch("/api/Checkout?item=lamp&number=4242424242424242&cents=4000"); r.Status != 409 || !strings.Contains(r.Body, "checkout lamp: out of stock") {
		t.Errorf("a checkout of a lamp out of stock = %d %s, want 409", r.Status, r.Body)
	}
	if status, body := in.get("/api/Stock?item=lamp"); status != 200 || strings.TrimSpace(body) != "0" {
		t.Errorf("Stock(lamp) = %d %s, want 0", status, body)
	}
	// The key-value store carts keeps a cart's items.
	for _, item := range []string{"book", "pen"} {
		if status, body := in.get("/api/AddToCart?cart=ann&item=" + item); status != 200 {
			t.Errorf("AddToCart(ann, %s) = %d %s", item, status, body)
		}
	}
	checkState(t, in, shopState{book: 999, bookOrders: 1, cart: []string{"book", "pen"}})

	// orders streams a customer's history, as newline-delimited JSON or
	// server-sent events, and reads it through a nested call.
	r := in.fetch("/orders/History?customer=ann")
	lines := strings.Split(strings.TrimSpace(r.Body), "\n")
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/x-ndjson" || len(lines) != 3 || !strings.Contains(lines[0], `"status":"shipped"`) {
		t.Errorf("GET /orders/History?customer=ann = %d %s %q", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if r := in.fetch("/orders/History?customer=nobody"); r.Status != 404 {
		t.Errorf("the history of nobody = %d %s, want 404", r.Status, r.Body)
	}
	if r := in.fetch("/orders/CountShipped?customer=ann"); strings.TrimSpace(r.Body) != "2" {
		t.Errorf("CountShipped(ann) = %d %s", r.Status, r.Body)
	}
	if r := in.fetch("/orders/Place?customer=bob&item=mug&number=4000000000000000&cents=800"); r.Status != 500 || !strings.Contains(r.Body, `"status":402`) {
		t.Errorf("a declined order = %d %s, want 500 saying billing's 402", r.Status, r.Body)
	}
	if r := in.fetch("/orders/History?customer=bob"); r.Status != 404 {
		t.Errorf("the history of bob after a declined order = %d %s, want 404", r.Status, r.Body)
	}
	if r := in.fetch("/orders/Place?customer=bob&item=mug&number=4242424242424242&cents=800"); r.Status != 200 || !strings.Contains(r.Body, `"id":"o-1"`) {
		t.Errorf("bob's first order = %d %s, want o-1", r.Status, r.Body)
	}
	checkState(t, in, shopState{book: 999, bookOrders: 1, cart: []string{"book", "pen"}, bobOrders: 1})

	// The docs page's tags are the packages, with their doc comments.
	var doc struct {
		Tags []struct{ Name, Description string }
	}
	decode("/openapi.json", in.fetch("/openapi.json").Body, &doc)
	var tags []string
	for _, tg := range doc.Tags {
		if tg.Description == "" {
			t.Errorf("tag %s has no description", tg.Name)
		}
		tags = append(tags, tg.Name)
	}
	if !slices.Equal(tags, []string{"api", "billing", "orders"}) {
		t.Errorf("tags %v, want the packages api, billing, orders", tags)
	}

	// The library is served nowhere.
	if status, body := in.get("/util/Fee?amount=100"); status != 404 {
		t.Errorf("GET /util/Fee = %d %s: a library function is routed", status, body)
	}

	// api's calls of billing went over HTTP, one level down the chain.
	if nested := in.nestedCalls(); nested < len(ok) {
		t.Errorf("%d nested calls of billing's services logged, want at least %d", nested, len(ok))
	}

	// Every package loaded; only the service packages serve routes.
	_, body = in.get("/healthz")
	var h server.Health
	decode("/healthz", body, &h)
	if h.Status != "ok" {
		t.Errorf("/healthz status %q, want ok: %s", h.Status, body)
	}
	services := map[string][]string{}
	for _, p := range h.Packages {
		if p.State != "ok" || len(p.Errors) > 0 {
			t.Errorf("package %s: state %q, errors %q; want ok", p.Dir, p.State, p.Errors)
		}
		if len(p.Services) > 0 {
			services[p.Dir] = slices.Sorted(slices.Values(p.Services))
		}
	}
	want := map[string][]string{
		"api":     {"/api/AddToCart", "/api/Cart", "/api/Checkout", "/api/Orders", "/api/Price", "/api/Stock", "/api/TryCharge"},
		"billing": {"/billing/Charge", "/billing/Quote"},
		"orders":  {"/orders/CountShipped", "/orders/History", "/orders/Place"},
	}
	if !reflect.DeepEqual(services, want) {
		t.Errorf("/healthz services by package = %v, want %v", services, want)
	}
}

// TestShopExampleRun: microfn run calls a service whose call of another
// package's service goes through the server's internal socket, which run
// serves although it listens on no port; with --state, what one run
// writes to a database the next one reads, in the folder --state names.
func TestShopExampleRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	stateDir := t.TempDir()
	code, out, errOut := runCLI(t, ctx, "run", "--state", stateDir, shopDir, "api/TryCharge", "number=4000000000000000", "cents=1000")
	if code != 0 || !strings.Contains(out, `"declined":true`) || !strings.Contains(out, "card declined") {
		t.Errorf("run api/TryCharge: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, ctx, "run", shopDir, "--state", stateDir, "api/Checkout", "item=lamp", "number=4242424242424242", "cents=4000")
	if code != 0 || !strings.Contains(out, `"receipt":"r-4242-4120"`) {
		t.Errorf("run api/Checkout: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, ctx, "run", shopDir, "--state", stateDir, "api/Stock", "item=lamp")
	if code != 0 || out != "1\n" {
		t.Errorf("run api/Stock after a checkout: exit %d, stdout %q, stderr %q; want 1", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(stateDir, "db", "shop.sqlite")); err != nil {
		t.Errorf("the database is not in --state: %v", err)
	}
	// (Whether the example's folder gets a state folder cannot be seen
	// here: other tests serve the same folder at the same time.)
}

// shopState is what checkState expects of the shop's databases.
type shopState struct {
	book       int      // books in stock
	bookOrders int      // orders of books
	cart       []string // the items of ann's cart
	bobOrders  int      // orders in bob's history (0: none)
}

// checkState checks the shop's stock of books, the orders of books, ann's
// cart and bob's history: what its databases hold.
func checkState(t *testing.T, in servedShop, want shopState) {
	t.Helper()
	if status, body := in.get("/api/Stock?item=book"); status != 200 || strings.TrimSpace(body) != strconv.Itoa(want.book) {
		t.Errorf("Stock(book) = %d %s, want %d", status, body, want.book)
	}
	status, body := in.get("/api/Orders?item=book")
	var orders []struct{ Item, Total, Receipt string }
	if err := json.Unmarshal([]byte(body), &orders); status != 200 || err != nil || len(orders) != want.bookOrders {
		t.Errorf("Orders(book) = %d %s, want %d orders", status, body, want.bookOrders)
	}
	for _, o := range orders {
		if o.Item != "book" || o.Total != "$10.30" || o.Receipt != "r-4242-1030" {
			t.Errorf("an order of a book: %+v", o)
		}
	}
	status, body = in.get("/api/Cart?cart=ann")
	var cart []string
	if err := json.Unmarshal([]byte(body), &cart); status != 200 || err != nil || !slices.Equal(cart, want.cart) && len(cart)+len(want.cart) > 0 {
		t.Errorf("Cart(ann) = %d %s, want %q", status, body, want.cart)
	}
	r := in.fetch("/orders/History?customer=bob")
	switch n := strings.Count(strings.TrimSpace(r.Body), "\n") + 1; {
	case want.bobOrders == 0 && r.Status != 404:
		t.Errorf("History(bob) = %d %s, want 404", r.Status, r.Body)
	case want.bobOrders > 0 && (r.Status != 200 || n != want.bobOrders):
		t.Errorf("History(bob) = %d %s, want %d orders", r.Status, r.Body, want.bobOrders)
	}
}

// copyShop copies the shop example to a folder of the test's, its go.mod
// replacing microfn (and yaegi) by this repository's folders, as the
// example's relative ones do, and returns the folder.
func copyShop(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "shop")
	err = filepath.WalkDir(shopDir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(shopDir, p)
		if e.IsDir() {
			if e.Name() == server.StateDirName {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if rel == "go.mod" {
			data = []byte(strings.ReplaceAll(string(data), "=> ../..", "=> "+root))
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestShopExampleStateLasts: what the shop's services write to its
// databases (an order and the stock it took, a cart, a customer's order)
// survives a save of the api package, which reloads it, and a restart of
// the server; the migrations apply once.
func TestShopExampleStateLasts(t *testing.T) {
	t.Parallel()
	dir, stateDir := copyShop(t), t.TempDir()
	serve := func() *proc {
		addr := freeAddr(t)
		return startProc(t, addr, []string{"serve", dir, "--addr", addr, "--state", stateDir, "--tier=interpreted"})
	}
	p := serve()
	shop := procShop{p}
	checkState(t, shop, shopState{book: 1000})
	if status, body := p.get("/api/Checkout?item=book&number=4242424242424242&cents=1000"); status != 200 {
		t.Fatalf("checkout = %d %s", status, body)
	}
	if status, body := p.get("/api/AddToCart?cart=ann&item=lamp"); status != 200 {
		t.Fatalf("AddToCart = %d %s", status, body)
	}
	if status, body := p.get("/orders/Place?customer=bob&item=mug&number=4242424242424242&cents=800"); status != 200 {
		t.Fatalf("Place = %d %s", status, body)
	}
	placed := shopState{book: 999, bookOrders: 1, cart: []string{"lamp"}, bobOrders: 1}
	checkState(t, shop, placed)

	// A save of api.go (a new service) reloads the package.
	src, err := os.ReadFile(filepath.Join(dir, "api", "api.go"))
	if err != nil {
		t.Fatal(err)
	}
	saved := string(src) + "\n//microfn:service\nfunc Saved() string { return \"saved\" }\n"
	if err := os.WriteFile(filepath.Join(dir, "api", "api.go"), []byte(saved), 0o644); err != nil {
		t.Fatal(err)
	}
	microfntest.Eventually(t, 30*time.Second, func() (bool, string) {
		status, body := p.get("/api/Saved")
		return status == 200 && body == `"saved"`, fmt.Sprintf("GET /api/Saved = %d %s", status, body)
	})
	checkState(t, shop, placed)

	// A new server of the same folder and state folder finds it all, and
	// applies no migration again (which would restock the books).
	p.stop()
	p = serve()
	shop = procShop{p}
	checkState(t, shop, placed)
	if strings.Contains(p.log.String(), "applied migration") {
		t.Errorf("the restarted server applied migrations again:\n%s", p.log.String())
	}
	var h server.Health
	_, body := p.get("/healthz")
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		t.Fatalf("/healthz: %v: %s", err, body)
	}
	got := map[string]string{}
	for _, d := range h.Databases {
		got[d.Name] = d.State + " " + strings.Join(d.Migrations, ",")
	}
	if want := map[string]string{"carts": "ok ", "orders": "ok 001_history.sql", "shop": "ok 001_stock_and_orders.sql"}; !reflect.DeepEqual(got, want) {
		t.Errorf("/healthz databases %v, want %v", got, want)
	}
}

// TestShopExamplePostgres: served with its three databases on
// PostgreSQL, the shop answers as on SQLite: the same code, the same
// migrations.
func TestShopExamplePostgres(t *testing.T) {
	t.Parallel()
	pgURL := microfntest.Postgres(t)
	admin, err := state.Open(dbconf.Target{Name: "postgres", Kind: dbconf.Postgres, URL: pgURL})
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	opts := []server.Option{server.WithQuiet(false), server.WithWatch(false), server.WithState(t.TempDir())}
	for _, name := range []string{"shop", "orders", "carts"} {
		if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
			t.Fatal(err)
		}
		opts = append(opts, server.WithDatabase(name, strings.Replace(pgURL, "/postgres?", "/"+name+"?", 1)))
	}
	in := microfntest.StartDir(t, shopDir, opts...)
	checkShop(t, instanceServer{in})
	var h server.Health
	if err := json.Unmarshal([]byte(in.Get("/healthz").Body), &h); err != nil {
		t.Fatal(err)
	}
	for _, d := range h.Databases {
		if d.Kind != "postgres" || d.State != "ok" {
			t.Errorf("database %s: %s, %s; want postgres, ok", d.Name, d.Kind, d.State)
		}
	}
	if len(h.Databases) != 3 {
		t.Errorf("/healthz lists %d databases, want 3: %+v", len(h.Databases), h.Databases)
	}
}
