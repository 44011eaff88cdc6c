package sandbox

import (
	"go/ast"
	"go/importer"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/internal/typesutil"
)

// loadForCheck writes src as a.go and parses it.
func loadForCheck(t *testing.T, src string) *funcs.Package {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	pkg, err := funcs.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return pkg
}

// typeCheck type-checks pkg as the loader does, with the Go toolchain's
// export data of the standard library, and returns its type information.
func typeCheck(t *testing.T, pkg *funcs.Package) *types.Info {
	t.Helper()
	files := make([]*ast.File, len(pkg.Files))
	for i, f := range pkg.Files {
		files[i] = f.AST
	}
	info := &types.Info{
		Types:      map[ast.Expr]types.TypeAndValue{},
		Uses:       map[*ast.Ident]types.Object{},
		Defs:       map[*ast.Ident]types.Object{},
		Instances:  map[*ast.Ident]types.Instance{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}
	conf := types.Config{Importer: importer.ForCompiler(token.NewFileSet(), "gc", nil)}
	if _, err := conf.Check(typesutil.CheckPath(pkg), pkg.Fset, files, info); err != nil {
		t.Fatalf("type-check: %v", err)
	}
	return info
}

// TestSandboxUnsafePointer: an expression of type unsafe.Pointer is a load
// error, wherever it comes from.
func TestSandboxUnsafePointer(t *testing.T) {
	t.Parallel()
	pkg := loadForCheck(t, `package a

import "unsafe"

var x int

func f() uintptr {
	p := unsafe.Pointer(&x)
	return uintptr(p)
}
`)
	pol := NewPolicy(false, nil)
	pol.Self = typesutil.CheckPath(pkg)
	if got := lines(Check(pkg, typeCheck(t, pkg), pol)); !strings.Contains(got, "a.go:8:7: an unsafe.Pointer value is outside microfn's sandbox (it reads and writes raw memory): it needs --unrestricted") ||
		!strings.Contains(got, "a.go:9:17: an unsafe.Pointer value") {
		t.Errorf("errors:\n%s", got)
	}
}

// lines returns the errors of err, one a line.
func lines(err error) string {
	if err == nil {
		return ""
	}
	if list, ok := err.(funcs.ErrorList); ok {
		return strings.TrimSpace(list.Lines())
	}
	return err.Error()
}
