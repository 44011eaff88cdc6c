package funcs_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
)

// FuzzParse feeds arbitrary files and directive lines to Parse: it must
// never panic, every error must carry a position in the file, and every
// service it accepts must have a route and a position.
func FuzzParse(f *testing.F) {
	f.Add("package a\n\n//microfn:service retry=3 scale=2 name=x\nfunc F(x int) int { return x }\n", "")
	f.Add("package a\n\ntype P struct{ X int `json:\"x,omitempty\"`; y string }\n\n//microfn:service\nfunc G(p *P, m map[string][]P) (P, error) { return *p, nil }\n", "")
	f.Add("package a\n", "//microfn:service timeout=1s backoff=fibonacci jitter=5% budget=2s queue=0")
	f.Add("package a\n", "//microfn:servce")
	f.Add("package a\n", "//microfn:service retry= =3 retry=1 retry=2")
	f.Add("package a\n\nimport (\n\t\"math/big\"\n\tip \"net/netip\"\n)\n\n//microfn:service\nfunc H(m map[int]*big.Int, a map[ip.Addr]big.Rat) (map[uint8]ip.Prefix, error) { return nil, nil }\n", "")
	f.Add("package a\n\nimport \"math/big\"\n\ntype T struct{ big.Int }\ntype A big.Float\n\n//microfn:service\nfunc K(t T, a A, m map[big.Int]int, c chan int) {}\n", "//microfn:service")
	f.Fuzz(func(t *testing.T, file, directive string) {
		src := file
		if directive != "" {
			src += "\n" + directive + "\nfunc Fuzzed(a int, b []string) (int, error) { return a, nil }\n"
		}
		pkg, err := funcs.Parse("fuzz", []funcs.SourceFile{{Name: "a.go", Src: []byte(src)}})
		// ParseAll reports the same problems, and returns the package
		// with the services Parse would have, or fewer.
		all, allErr := funcs.ParseAll("fuzz", []funcs.SourceFile{{Name: "a.go", Src: []byte(src)}})
		if fmt.Sprint(err) != fmt.Sprint(allErr) {
			t.Fatalf("Parse error %v, ParseAll error %v", err, allErr)
		}
		if err == nil && (all == nil || len(all.Services) != len(pkg.Services)) {
			t.Fatalf("ParseAll without errors returned %v, Parse %d services", all, len(pkg.Services))
		}
		if all != nil {
			for _, d := range all.Services {
				if d.Route == "" || !d.Pos.IsValid() {
					t.Fatalf("ParseAll: service %q without a route or position", d.Name)
				}
			}
		}
		if err != nil {
			var list funcs.ErrorList
			if !errors.As(err, &list) {
				t.Fatalf("Parse returned %T, not an ErrorList: %v", err, err)
			}
			for _, e := range list {
				if !strings.HasPrefix(e.Error(), "fuzz/a.go:") {
					t.Fatalf("error without the file's position: %q", e.Error())
				}
			}
			return
		}
		for _, d := range pkg.Services {
			if d.Route == "" || !d.Pos.IsValid() {
				t.Fatalf("service %q without a route or position", d.Name)
			}
			for _, p := range d.Params {
				if p.Type == nil || p.Name == "" {
					t.Fatalf("service %s: parameter without a name or type", d.Name)
				}
			}
		}
	})
}
