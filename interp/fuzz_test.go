package interp_test

import (
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"sort"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
)

// proxyStub declares the proxy runtime for go/types.
const proxyStub = `package proxyrt

import "context"

type Forked struct{}

func (*Forked) Enter()    {}
func (*Forked) Exit(any)  {}
func Call(ctx context.Context, id int, values []any) error { return nil }
func MustCall(ctx context.Context, id int, values []any) {}
func Proxy(id int) any { return nil }
func Fork() *Forked       { return nil }
func Clear(any)           {}
func Recovered(v any) any { return v }
`

// stubImporter resolves the proxy runtime and package microfn to stubs
// and the rest through the Go toolchain's export data.
type stubImporter struct {
	std   types.Importer
	stubs map[string]*types.Package
}

func newStubImporter(t testing.TB) *stubImporter {
	imp := &stubImporter{std: importer.Default(), stubs: map[string]*types.Package{}}
	for path, src := range map[string]string{interp.ProxyPath: proxyStub, interp.APIPath: withBodies(interp.APIStub)} {
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, "stub.go", src, 0)
		if err != nil {
			t.Fatal(err)
		}
		pkg, err := (&types.Config{Importer: imp.std, IgnoreFuncBodies: true}).Check(path, fset, []*ast.File{f}, nil)
		if err != nil {
			t.Fatalf("stub %s: %v", path, err)
		}
		imp.stubs[path] = pkg
	}
	return imp
}

// withBodies gives the function declarations of a stub a body.
func withBodies(src string) string {
	lines := strings.Split(src, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "func ") {
			lines[i] = l + " { panic(0) }"
		}
	}
	return strings.Join(lines, "\n")
}

func (s *stubImporter) Import(path string) (*types.Package, error) {
	if p, ok := s.stubs[path]; ok {
		return p, nil
	}
	return s.std.Import(path)
}

// typeCheck type-checks files as one package.
func typeCheck(imp types.Importer, files map[string][]byte) error {
	fset := token.NewFileSet()
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	var asts []*ast.File
	for _, name := range names {
		f, err := parser.ParseFile(fset, name, files[name], parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		asts = append(asts, f)
	}
	_, err := (&types.Config{Importer: imp}).Check("fuzzpkg", fset, asts, nil)
	return err
}

// FuzzRewrite checks that a package that type-checks still type-checks
// after the rewrite, with and without type information.
func FuzzRewrite(f *testing.F) {
	for _, src := range []string{
		"package a\n\nimport \"context\"\n\n//microfn:service\nfunc D(ctx context.Context, n string) (string, bool) { _, ok := ctx.Deadline(); return n, ok }\n",
		"package a\n\nimport \"errors\"\n\n//microfn:service\nfunc C(n int) (int, error) { if n < 0 { return 0, errors.New(\"neg\") }; return n, nil }\n",
		"package a\n\n//microfn:service\nfunc S(x int, xs ...int) int { for _, v := range xs { x += v }; return x }\n",
		"package a\n\ntype P struct{ X, y int }\n\n//microfn:service\nfunc Mk(p P) *P { q := p; return &q }\n",
		"package a\n\nfunc h() []func() int { var fs []func() int; for i := 0; i < 3; i++ { fs = append(fs, func() int { return i }) }; return fs }\n",
		"package a\n\nfunc k(m map[string]int, s []int) int { clear(m); clear(s); return min(len(s), 2) }\n",
		"package a\n\nfunc g(ch chan int, xs []int) { go close(ch); go func(a, b int) {}(1, len(xs)); go println(\"x\", 1) }\n",
		"package a\n\nfunc r(n int64) (s int64) { for i := range n { s += i }; for range 2 { s++ }; return }\n",
	} {
		f.Add(src)
	}
	f.Add("package a\n\n//microfn:service\nfunc F(x int) int { return F(x - 1) }\n")
	f.Add("package a\n\nfunc g(f func(int)) { for i := range 3 { go f(i) } }\n")
	f.Add("package a\n\n//microfn:service\nfunc M(a, b float64) float64 { return max(a, b, 1) }\n")
	f.Add("package a\n\ntype S uint8\n\nconst (\n\ta, b = iota, iota * 10\n\tc, d\n\tx S = 1 << iota\n\ty\n\tok = 1 < 2 && \"a\" != \"b\"\n)\n")
	f.Add("package a\n\nfunc r(xs [3]int, s string) (i int, r rune) { for i = range xs { }; for i, r = range s { }; var n int8; for n = range 3 { }; return i + int(n), r }\n")
	f.Add("package a\n\nfunc s(c chan int, m map[string]int) (ok bool) { select { case m[\"a\"], ok = <-c: }; m[\"b\"], ok = <-c; var x any = 1; m[\"c\"], ok = x.(int); return }\n")
	imp := newStubImporter(f)
	f.Fuzz(func(t *testing.T, src string) {
		files := []funcs.SourceFile{{Name: "a.go", Src: []byte(src)}}
		pkg, err := funcs.Parse("fuzz", files)
		if err != nil || len(pkg.Files) == 0 {
			return
		}
		if typeCheck(imp, map[string][]byte{"a.go": []byte(src)}) != nil {
			return
		}
		for _, typed := range []bool{true, false} {
			out, err := interp.RewritePackage(pkg, typed)
			if err != nil {
				// A refusal must be a positioned error.
				if !strings.Contains(lines(err), "a.go:") {
					t.Fatalf("rewrite (typed=%v) refused without a position: %v", typed, err)
				}
				continue
			}
			if err := typeCheck(imp, out); err != nil {
				t.Fatalf("the package type-checks, its rewrite (typed=%v) does not: %v\n--- input\n%s\n--- output\n%s", typed, err, src, out["a.go"])
			}
		}
	})
}
