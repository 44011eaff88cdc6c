package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// shopModule is the smallest real layout: a library package, a service
// package that uses it, and a service package that calls the other's
// service across packages.
func shopModule(shout string) map[string]string {
	return map[string]string{
		"go.mod": "module example.com/shop\n\ngo 1.22\n",
		// A program beside the services is never served.
		"cmd/shopctl/main.go": "package main\n\nimport \"example.com/shop/util\"\n\nfunc main() { println(util.Shout(\"hi\")) }\n",
		"util/util.go": `// Package util is a library: it has no services.
package util

import "strings"

// Shout makes s loud.
func Shout(s string) string { return strings.ToUpper(s) + "` + shout + `" }

// Card is a payment card, a type of this package used in other packages.
type Card struct {
	Number string ` + "`json:\"number\"`" + `
	Cents  int    ` + "`json:\"cents\"`" + `
}
`,
		"billing/billing.go": `// Package billing charges cards.
package billing

import (
	"errors"
	"fmt"

	"example.com/shop/util"
)

// ErrDeclined is returned for a declined card.
var ErrDeclined = errors.New("card declined")

// Fee is a plain function other packages call in process.
func Fee(cents int) int { return cents / 10 }

// Charge charges a card.
//
//microfn:service retry=2
func Charge(number string, cents int) (string, error) {
	if number == "0000" {
		return "", fmt.Errorf("charge %d: %w", cents, ErrDeclined)
	}
	c := util.Card{Number: number, Cents: cents + Fee(cents)}
	return util.Shout(fmt.Sprintf("charged %d to %s", c.Cents, c.Number)), nil
}
`,
		"billing/pay.go": `package billing

import "example.com/shop/util"

// Pay takes and returns a type of another package.
//
//microfn:service
func Pay(card util.Card) (util.Card, error) {
	card.Cents += Fee(card.Cents)
	return card, nil
}
`,
		"api/pay.go": `package api

import (
	"example.com/shop/billing"
	"example.com/shop/util"
)

// PayTwice sends a type of another package through a call of a third.
//
//microfn:service
func PayTwice(card util.Card) (util.Card, error) {
	c, err := billing.Pay(card)
	if err != nil {
		return c, err
	}
	return billing.Pay(c)
}
`,
		"api/api.go": `// Package api calls billing.
package api

import (
	"errors"
	"fmt"

	"example.com/shop/billing"
	"example.com/shop/util"
)

// Hello uses the library.
//
//microfn:service
func Hello(name string) string { return util.Shout("hello " + name) }

// Buy calls billing's service across packages.
//
//microfn:service
func Buy(number string) string {
	r, err := billing.Charge(number, 100)
	msg := "ok"
	if err != nil {
		msg = err.Error()
	}
	return fmt.Sprintf("%s|%s|declined=%v|fee=%d", r, msg, errors.Is(err, billing.ErrDeclined), billing.Fee(50))
}
`,
	}
}

// TestModulePackages: packages of a module import each other; a library
// package is interpreted with its importers and never routed; a service
// of another package is called through its proxy over HTTP, under its own
// policy, with the call in the logs and the nested-call metric; an error
// it returns keeps its identity across packages.
func TestModulePackages(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, shopModule("!"), server.WithQuiet(false))
	for _, c := range []struct{ path, want string }{
		{"/api/Hello?name=ann", `"HELLO ANN!"`},
		{"/billing/Charge?number=42&cents=100", `"CHARGED 110 TO 42!"`},
		{"/api/Buy?number=42", `"CHARGED 110 TO 42!|ok|declined=false|fee=5"`},
		{"/api/Buy?number=0000", `"|charge 100: card declined|declined=true|fee=5"`},
	} {
		if r := in.Get(c.path); r.Status != 200 || strings.TrimSpace(r.Body) != c.want {
			t.Errorf("%s = %d %s, want %s", c.path, r.Status, r.Body, c.want)
		}
	}
	// A type of a library package in signatures: over HTTP from the
	// client, across the nested call, and in the OpenAPI document once.
	if r := in.Post("/api/PayTwice", `{"card":{"number":"9","cents":100}}`); r.Status != 200 || strings.TrimSpace(r.Body) != `{"number":"9","cents":121}` {
		t.Errorf("PayTwice = %d %s", r.Status, r.Body)
	}
	if r := in.Post("/api/PayTwice", `{"card":{"number":9}}`); r.Status != 400 || !strings.Contains(r.Body, `parameter \"card\"`) {
		t.Errorf("PayTwice with a bad card = %d %s, want 400 naming the parameter", r.Status, r.Body)
	}
	var doc struct {
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal([]byte(in.Get("/openapi.json").Body), &doc); err != nil {
		t.Fatal(err)
	}
	if _, ok := doc.Components.Schemas["util.Card"]; !ok || len(doc.Components.Schemas) != 2 {
		t.Errorf("OpenAPI components %v, want Problem and util.Card", keys(doc.Components.Schemas))
	}
	if r := in.Get("/util/Shout?s=x"); r.Status != 404 {
		t.Errorf("a library function is routed: %d %s", r.Status, r.Body)
	}
	// The nested call shows in the access log, one level deeper, and in
	// the metric, under billing's route; billing's retry=2 applied.
	calls := in.Logs().Count(func(r microfntest.Record) bool {
		return strings.Contains(r.Msg, "POST /billing/Charge") && r.Attrs["depth"] == "1"
	})
	if calls < 3 { // one for 42, two attempts for the declined card
		t.Errorf("%d nested calls of /billing/Charge logged, want 3", calls)
	}
	m := scrape(t, in)
	if got := value(m, "microfn_nested_calls_total", map[string]string{"caller": "/api/Buy", "callee": "/billing/Charge"}); got != 2 {
		t.Errorf("microfn_nested_calls_total{caller=/api/Buy,callee=/billing/Charge} = %v, want 2", got)
	}
	h := health(t, in)
	for _, p := range h.Packages {
		if p.Dir == "util" && len(p.Services) != 0 {
			t.Errorf("the library package serves %v", p.Services)
		}
		if p.Dir == "cmd/shopctl" {
			t.Errorf("the program is a package of the server: %+v", p)
		}
	}
	if h.Status != "ok" {
		t.Errorf("healthz %+v, want ok", h)
	}
}

// TestModuleMonolithCrossPackage: with --monolith, calls within a package
// stay in process; a call of another package's service still goes to
// where that package is served, whose state it has.
func TestModuleMonolithCrossPackage(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, shopModule("!"), server.WithMonolith(true))
	if r := in.Get("/api/Buy?number=0000"); strings.TrimSpace(r.Body) != `"|charge 100: card declined|declined=true|fee=5"` {
		t.Errorf("Buy = %d %s", r.Status, r.Body)
	}
}

// TestModuleReloadFollowsImports: saving a library package reloads every
// package that imports it, under load, with no failed call; a broken
// library keeps the last good versions of its importers serving, with the
// error at the library's file:line:col on each of them.
func TestModuleReloadFollowsImports(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, shopModule("!"))
	var failed, done atomic.Int64
	var firstFailure atomic.Value
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 10 * time.Second}
			for ctx.Err() == nil {
				for _, path := range []string{"/api/Hello?name=x", "/api/Buy?number=7"} {
					resp, err := client.Get(in.URL + path)
					if err != nil || resp.StatusCode != 200 {
						failed.Add(1)
						firstFailure.CompareAndSwap(nil, fmt.Sprintf("%s: %v %v", path, err, resp))
					}
					if resp != nil {
						resp.Body.Close()
					}
					done.Add(1)
				}
			}
		}()
	}
	files := shopModule("?")
	in.Write("util/util.go", files["util/util.go"])
	in.WaitBody("/api/Hello?name=x", `"HELLO X?"`, 10*time.Second)
	in.WaitBody("/billing/Charge?number=1&cents=10", `"CHARGED 11 TO 1?"`, 10*time.Second)
	in.WaitBody("/api/Buy?number=7", `"CHARGED 110 TO 7?|ok|declined=false|fee=5"`, 10*time.Second)
	stop()
	wg.Wait()
	if n := failed.Load(); n > 0 {
		t.Errorf("%d of %d calls failed during the reload; first: %v", n, done.Load(), firstFailure.Load())
	}

	// A broken library: both importers keep their last good version.
	in.Write("util/util.go", strings.Replace(files["util/util.go"], `+ "?"`, `+ 7`, 1))
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		h := health(t, in)
		bad := 0
		for _, p := range h.Packages {
			for _, e := range p.Errors {
				if strings.Contains(e, "util/util.go:7:") {
					bad++
				}
			}
		}
		return bad >= 3, fmt.Sprintf("healthz %+v: want the error at util/util.go:7 on util, billing and api", h)
	})
	r := in.Get("/api/Hello?name=y")
	if strings.TrimSpace(r.Body) != `"HELLO Y?"` || !strings.Contains(r.Header.Get("Microfn-Stale"), "util/util.go:7:") {
		t.Errorf("api during the broken library: %s, Microfn-Stale %q", r.Body, r.Header.Get("Microfn-Stale"))
	}
	in.Write("util/util.go", files["util/util.go"])
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		h := health(t, in)
		return h.Status == "ok", fmt.Sprintf("healthz after the fix: %+v", h)
	})
}

// TestModuleImportCycle: an import cycle between packages of the module
// is a load error at the import that closes it.
func TestModuleImportCycle(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{
		"go.mod": "module example.com/cyc\n\ngo 1.22\n",
		"a/a.go": "package a\n\nimport \"example.com/cyc/b\"\n\n//microfn:service\nfunc A() int { return b.B() }\n",
		"b/b.go": "package b\n\nimport \"example.com/cyc/a\"\n\nfunc B() int { return 1 }\n\nvar _ = a.A\n",
	})
	h := health(t, in)
	found := false
	for _, p := range h.Packages {
		for _, e := range p.Errors {
			if strings.Contains(e, "b/b.go:3:8: ") && strings.Contains(e, "import cycle not allowed: example.com/cyc/a imports example.com/cyc/b imports example.com/cyc/a") {
				found = true
			}
		}
	}
	if !found {
		b, _ := json.Marshal(h)
		t.Errorf("no import cycle error at b/b.go:3:8 in %s", b)
	}
}

// TestModuleErrors: an import the module cannot give is a load error that
// says what to do.
func TestModuleErrors(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{
		"go.mod":     "module example.com/bad\n\ngo 1.22\n\nrequire (\n\texample.com/cg v0.0.0\n\texample.com/asm v0.0.0\n)\n\nreplace example.com/cg => ./cg\n\nreplace example.com/asm => ./asm\n",
		"x/x.go":     "package x\n\nimport \"example.com/bad/nothere\"\n\n//microfn:service\nfunc X() int { return nothere.N }\n",
		"y/y.go":     "package y\n\nimport \"github.com/unknown/mod\"\n\n//microfn:service\nfunc Y() int { return mod.N }\n",
		"lib/lib.go": "package lib\n\nimport \"C\"\n\nfunc F() {}\n",
		"w/w.go":     "package w\n\nimport \"example.com/bad/lib\"\n\n//microfn:service\nfunc W() { lib.F() }\n",
		// A module the interpreter refuses, required through a
		// replacement by a directory: a nested module, not a package
		// of the served one.
		"cg/go.mod": "module example.com/cg\n\ngo 1.22\n",
		"cg/cg.go":  "package cg\n\n// #include <stdio.h>\nimport \"C\"\n\n// N is one.\nconst N = 1\n",
		"v/v.go":    "package v\n\nimport \"example.com/cg\"\n\n//microfn:service\nfunc V() int { return cg.N }\n",
		// And one written in assembly.
		"asm/go.mod":      "module example.com/asm\n\ngo 1.22\n",
		"asm/add.go":      "package asm\n\n// Add adds.\nfunc Add(a, b int) int\n",
		"asm/add_amd64.s": "TEXT ·Add(SB),4,$0-24\n\tRET\n",
		"s/s.go":          "package s\n\nimport \"example.com/asm\"\n\n//microfn:service\nfunc S() int { return asm.Add(1, 2) }\n",
	})
	errs := map[string]string{}
	for _, p := range health(t, in).Packages {
		errs[p.Dir] = strings.Join(p.Errors, "\n")
		if p.Dir == "cg" {
			t.Errorf("the nested module is a package of the served one: %+v", p)
		}
	}
	for dir, want := range map[string]string{
		"x": "x/x.go:3:8: import \"example.com/bad/nothere\": no package example.com/bad/nothere: directory",
		"y": "go get github.com/unknown/mod",
		"w": `example.com/bad/w imports example.com/bad/lib: import "C": cgo cannot be interpreted`,
		"v": `cg/cg.go:4:8: example.com/bad/v imports example.com/cg: import "C": cgo cannot be interpreted`,
		"s": `asm/add.go:4:6: example.com/bad/s imports example.com/asm: function Add has no Go body (it is written in assembly)`,
	} {
		if !strings.Contains(errs[dir], want) {
			t.Errorf("%s: errors %q, want %q", dir, errs[dir], want)
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestModuleSplit: with the module's packages split across two servers,
// api's call of billing's service goes to the server that serves billing,
// by --route, with its policy and the error's identity.
func TestModuleSplit(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, src := range shopModule("!") {
		microfntest.WriteFile(t, dir, name, src)
	}
	billing := microfntest.StartDir(t, dir, server.WithOnly("billing/Charge", "billing/Pay"))
	api := microfntest.StartDir(t, dir, server.WithOnly("api/Buy", "api/Hello", "api/PayTwice"), server.WithRoutes(server.RouteTable{"billing": billing.URL}))
	if r := api.Get("/api/Buy?number=0000"); strings.TrimSpace(r.Body) != `"|charge 100: card declined|declined=true|fee=5"` {
		t.Errorf("Buy = %d %s", r.Status, r.Body)
	}
	if r := api.Post("/api/PayTwice", `{"card":{"number":"9","cents":100}}`); strings.TrimSpace(r.Body) != `{"number":"9","cents":121}` {
		t.Errorf("PayTwice = %d %s", r.Status, r.Body)
	}
	// billing's server ran both attempts of the declined charge (retry=2)
	// and the Pay calls.
	if n := billing.Logs().Count(func(r microfntest.Record) bool { return strings.Contains(r.Msg, "POST /billing/") }); n != 4 {
		t.Errorf("billing's server logged %d calls, want 4", n)
	}
	if r := api.Get("/billing/Charge?number=1&cents=1"); r.Status != 404 {
		t.Errorf("api's server serves billing: %d", r.Status)
	}
}

// TestModuleReloadPublishesTogether: a library and the packages that
// import it are published as one change: once one importer serves the
// library's new version, every other one does too.
func TestModuleReloadPublishesTogether(t *testing.T) {
	t.Parallel()
	util := func(v int) string {
		return fmt.Sprintf("package util\n\n// V is the library's version.\nfunc V() int { return %d }\n", v)
	}
	files := map[string]string{
		"go.mod":       "module example.com/together\n\ngo 1.22\n",
		"util/util.go": util(0),
	}
	for _, p := range []string{"a", "b", "c"} {
		files[p+"/"+p+".go"] = "package " + p + "\n\nimport \"example.com/together/util\"\n\n// V reports the library's version.\n//\n//microfn:service\nfunc V() int { return util.V() }\n"
	}
	in := microfntest.Start(t, files)
	for i := 1; i <= 5; i++ {
		in.Write("util/util.go", util(i))
		want := fmt.Sprint(i)
		in.WaitBody("/a/V", want, 10*time.Second)
		for _, p := range []string{"/b/V", "/c/V"} {
			if r := in.Get(p); strings.TrimSpace(r.Body) != want {
				t.Errorf("version %d: /a/V serves it, %s still %s", i, p, r.Body)
			}
		}
	}
}

// TestModuleImportedPackageReturns: a package removed while others import
// it fails its importers (which keep serving their last good version);
// once it is back, they load again without a restart.
func TestModuleImportedPackageReturns(t *testing.T) {
	t.Parallel()
	files := shopModule("!")
	in := microfntest.Start(t, files)
	if err := os.RemoveAll(filepath.Join(in.Dir, "billing")); err != nil {
		t.Fatal(err)
	}
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		errs := strings.Join(packageErrors(t, in, "api"), "\n")
		return strings.Contains(errs, `import "example.com/shop/billing"`) && strings.Contains(errs, "does not exist"), "api's errors: " + errs
	})
	if r := in.Get("/api/Hello?name=x"); strings.TrimSpace(r.Body) != `"HELLO X!"` {
		t.Errorf("api's last good version: %d %s", r.Status, r.Body)
	}
	in.Write("billing/billing.go", files["billing/billing.go"])
	in.Write("billing/pay.go", files["billing/pay.go"])
	microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
		h := health(t, in)
		return h.Status == "ok", fmt.Sprintf("healthz %+v", h)
	})
	if r := in.Get("/api/Buy?number=0000"); strings.TrimSpace(r.Body) != `"|charge 100: card declined|declined=true|fee=5"` {
		t.Errorf("Buy = %d %s", r.Status, r.Body)
	}
}

// TestModuleBrokenGoMod: a go.mod that does not parse is named in the
// error of every import it should have resolved; packages that import
// only the standard library are served.
func TestModuleBrokenGoMod(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{
		"go.mod":       "module example.com/broken\n\ngo 1.22\n\nrequire (\n",
		"util/util.go": "package util\n\n// One is one.\nfunc One() int { return 1 }\n",
		"api/api.go":   "package api\n\nimport \"example.com/broken/util\"\n\n//microfn:service\nfunc A() int { return util.One() }\n",
		"std/std.go":   "package std\n\nimport \"strings\"\n\n//microfn:service\nfunc S() string { return strings.ToUpper(\"ok\") }\n",
	})
	errs := strings.Join(packageErrors(t, in, "api"), "\n")
	if !strings.Contains(errs, "api/api.go:3:8: ") || !strings.Contains(errs, "go.mod cannot be read") || !strings.Contains(errs, "go.mod:5") {
		t.Errorf("api's errors %q, want the import at api/api.go:3:8 and go.mod's error", errs)
	}
	if r := in.Get("/std/S"); strings.TrimSpace(r.Body) != `"OK"` {
		t.Errorf("S = %d %s", r.Status, r.Body)
	}
}

// TestModuleCallsSeveralImportedPackages: a service that imports two
// service packages and calls the services of the second (and of the
// first) reaches each at its own route, in every call mode. The index of
// an imported service counts among the imported ones, never among the
// package's own.
func TestModuleCallsSeveralImportedPackages(t *testing.T) {
	t.Parallel()
	src := map[string]string{
		"go.mod":     "module example.com/px\n\ngo 1.22\n",
		"inv/inv.go": "package inv\n\n//microfn:service\nfunc A(id string) (string, error) { return \"inv-\" + id, nil }\n\n//microfn:service\nfunc B(id string) (string, error) { return \"invb-\" + id, nil }\n",
		"pay/pay.go": "package pay\n\n//microfn:service\nfunc Charge(id string) (string, error) { return \"pay-\" + id, nil }\n\n//microfn:service\nfunc Refund(id string) (string, error) { return \"refund-\" + id, nil }\n",
		"ord/ord.go": `package ord

import (
	"example.com/px/inv"
	"example.com/px/pay"
)

var _ = inv.A

//microfn:service
func Place(id string) (string, error) { return pay.Charge(id) }

//microfn:service
func All(id string) (string, error) {
	a, err := inv.A(id)
	if err != nil {
		return "", err
	}
	b, err := inv.B(id)
	if err != nil {
		return "", err
	}
	c, err := pay.Charge(id)
	if err != nil {
		return "", err
	}
	d, err := pay.Refund(id)
	return a + "," + b + "," + c + "," + d, err
}
`,
	}
	for _, m := range callModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			in := m.start(t, src, server.WithQuiet(true))
			for _, c := range []struct{ path, want string }{
				{"/ord/Place?id=x", `"pay-x"`},
				{"/ord/All?id=y", `"inv-y,invb-y,pay-y,refund-y"`},
			} {
				if r := in.Get(c.path); r.Status != 200 || strings.TrimSpace(r.Body) != c.want {
					t.Errorf("%s = %d %s, want %s", c.path, r.Status, r.Body, c.want)
				}
			}
		})
	}
}
