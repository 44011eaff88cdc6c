package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// shopDir is examples/shop, a Go module of its own: a library package
// (util), a service package (billing), a service package that calls
// billing's services across packages (api), and one that streams its
// order history (orders).
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
	if code != 0 || !strings.Contains(out, "ok: 4 packages, 8 services") {
		t.Errorf("check %s: exit %d, stdout %q, stderr %q; want exit 0 and %q", shopDir, code, out, errOut, "ok: 4 packages, 8 services")
	}
}

// TestShopExampleServed: served by microfn, the example answers over
// HTTP what the go command's tests expect of it as plain Go (see
// checkShop).
func TestShopExampleServed(t *testing.T) {
	t.Parallel()
	// Served by its relative path, as from the README.
	in := microfntest.StartDir(t, shopDir, server.WithQuiet(false), server.WithWatch(false))
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

// checkShop checks that a server of the shop example answers what the go
// command's tests expect of it as plain Go: the library has no route,
// api's calls of billing's services go over HTTP, and a declined card's
// error keeps its text and its identity (errors.Is(err,
// billing.ErrDeclined)) across the call.
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
		"api":     {"/api/Checkout", "/api/Price", "/api/TryCharge"},
		"billing": {"/billing/Charge", "/billing/Quote"},
		"orders":  {"/orders/CountShipped", "/orders/History", "/orders/Place"},
	}
	if !reflect.DeepEqual(services, want) {
		t.Errorf("/healthz services by package = %v, want %v", services, want)
	}
}

// TestShopExampleRun: microfn run calls a service whose call of another
// package's service goes through the server's internal socket, which run
// serves although it listens on no port.
func TestShopExampleRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code, out, errOut := runCLI(t, ctx, "run", shopDir, "api/TryCharge", "number=4000000000000000", "cents=1000")
	if code != 0 || !strings.Contains(out, `"declined":true`) || !strings.Contains(out, "card declined") {
		t.Errorf("run api/TryCharge: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
