package server_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microfn/microfn/server"
)

// statusSrc returns errors with statuses to a caller in the same package.
const statusSrc = `package status

import (
	"errors"
	"fmt"

	"github.com/microfn/microfn"
)

// Get fails with a status, wrapped or not, and returns a partial result
// with its error.
//
//microfn:service
func Get(id int) (int, error) {
	switch id {
	case 1:
		return 0, microfn.Error(404, "no item %d", id)
	case 2:
		return 7, fmt.Errorf("get: %w", microfn.Error(409, "item %d is locked", id))
	case 3:
		return -1, microfn.Permanent(errors.New("broken for good"))
	}
	return id, nil
}

// Show reports what the caller sees.
//
//microfn:service
func Show(id int) string {
	n, err := Get(id)
	var ce *microfn.CallError
	if !errors.As(err, &ce) {
		return fmt.Sprintf("n=%d err=%v", n, err)
	}
	return fmt.Sprintf("n=%d err=%q status=%d microfn.StatusOf=%d service=%s returned=%v", n, err.Error(), ce.Status, microfn.StatusOf(err), ce.Service, ce.Returned())
}
`

// TestErrorIdentityModes: an error a service returns reaches its caller
// as compiled Go would give it (the same text, errors.Is true for the
// callee's package-level error variables and constants and the standard
// library's, the results returned with it), the same between worker
// processes over HTTP, in process and with --monolith. The package is
// the differential suite's nestederrors, whose answers TestFidelity
// compares with compiled Go in process; the wanted answers here are
// compiled Go's.
func TestErrorIdentityModes(t *testing.T) {
	t.Parallel()
	nested, err := os.ReadFile(filepath.Join("..", "interp", "testdata", "fidelity", "nestederrors", "nestederrors.go"))
	if err != nil {
		t.Fatal(err)
	}
	calls := []struct{ path, want string }{
		{"/nestederrors/Report?kind=notfound", `"wrap notfound: not found" notfound=true quiet=false range=false missing=false code=false eof=false notexist=false asRange=false(false) asCode=false("code ")`},
		{"/nestederrors/Report?kind=quiet", `"wrap quiet: quiet" notfound=false quiet=true range=false missing=false code=false eof=false notexist=false asRange=false(false) asCode=false("code ")`},
		{"/nestederrors/Report?kind=range", `"wrap range: out of range [0, 100)" notfound=false quiet=false range=true missing=false code=false eof=false notexist=false asRange=true(true) asCode=false("code ")`},
		{"/nestederrors/Report?kind=missing", `"wrap missing: code missing" notfound=false quiet=false range=false missing=true code=false eof=false notexist=false asRange=false(false) asCode=true("code missing")`},
		{"/nestederrors/Report?kind=code", `"wrap code: code c7" notfound=false quiet=false range=false missing=false code=true eof=false notexist=false asRange=false(false) asCode=true("code c7")`},
		{"/nestederrors/Report?kind=eof", `"wrap eof: EOF" notfound=false quiet=false range=false missing=false code=false eof=true notexist=false asRange=false(false) asCode=false("code ")`},
		{"/nestederrors/Report?kind=notexist", `"wrap notexist: open config: file does not exist" notfound=false quiet=false range=false missing=false code=false eof=false notexist=true asRange=false(false) asCode=false("code ")`},
		{"/nestederrors/Report?kind=joined", `"wrap joined: not found\nsecond: code missing" notfound=true quiet=false range=false missing=true code=false eof=false notexist=false asRange=false(false) asCode=true("code missing")`},
		{"/nestederrors/Report?kind=twice", `"wrap twice: quiet and out of range [0, 100)" notfound=false quiet=true range=true missing=false code=false eof=false notexist=false asRange=true(true) asCode=false("code ")`},
		{"/nestederrors/Report?kind=plain", `"wrap plain: plain failure" notfound=false quiet=false range=false missing=false code=false eof=false notexist=false asRange=false(false) asCode=false("code ")`},
		{"/nestederrors/Report?kind=none", `nil`},
		{`/nestederrors/Find?xs=1&xs=3&xs=5&xs=7&xs=9&xs=11&x=11`, `5 <nil> false`},
		{`/nestederrors/Find?xs=1&xs=3&xs=5&xs=7&xs=9&xs=11&x=0`, `-1 0: not found true`},
		{"/nestederrors/Deep?n=4", `level 4: level 3: level 2: level 1: out of range [-1, -1)`},
		{"/status/Show?id=1", `n=0 err="no item 1" status=404 microfn.StatusOf=404 service=Get returned=true`},
		{"/status/Show?id=2", `n=7 err="get: item 2 is locked" status=409 microfn.StatusOf=409 service=Get returned=true`},
		{"/status/Show?id=3", `n=-1 err="broken for good" status=500 microfn.StatusOf=500 service=Get returned=true`},
		{"/status/Show?id=4", `n=4 err=<nil>`},
	}
	files := map[string]string{"nestederrors/nestederrors.go": string(nested), "status/status.go": statusSrc}
	for _, m := range callModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			in := m.start(t, files, server.WithQuiet(true))
			for _, c := range calls {
				r := in.Get(c.path)
				var got string
				if r.Status != 200 || json.Unmarshal([]byte(r.Body), &got) != nil || got != c.want {
					t.Errorf("%s = %d %s\n\twant 200 %q", c.path, r.Status, strings.TrimSpace(r.Body), c.want)
				}
			}
			// The problem of a call that returned an error nested calls
			// gave it names the variables it matched.
			r := in.Get("/nestederrors/Wrap?kind=joined")
			var p server.Problem
			if err := json.Unmarshal([]byte(r.Body), &p); err != nil || r.Status != 500 {
				t.Fatalf("Wrap = %d %s", r.Status, r.Body)
			}
			if p.Detail != "wrap joined: not found\nsecond: code missing" || p.Returned == nil ||
				strings.Join(p.Returned.Is, " ") != "nestederrors.ErrNotFound nestederrors.Missing" || p.Service != "Fail" {
				t.Errorf("Wrap's problem: %s", r.Body)
			}
		})
	}
}
