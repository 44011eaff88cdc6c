package interp_test

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/microfn/microfn/interp"
)

// TestAPIStubMatchesPackage type-checks the real package microfn (the
// module's root) and the stub the type checker uses in its place, and
// compares their exported API: every exported function and type, the
// exported fields of structs and the exported methods.
func TestAPIStubMatchesPackage(t *testing.T) {
	// The package and what it imports, from their export data, which
	// the go command finds.
	out, err := exec.Command("go", "list", "-export", "-deps", "-f", "{{.ImportPath}}\t{{.Export}}", "..").Output()
	if err != nil {
		t.Fatalf("go list -export: %v", err)
	}
	exports := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if path, file, ok := strings.Cut(line, "\t"); ok {
			exports[path] = file
		}
	}
	imp := importer.ForCompiler(token.NewFileSet(), "gc", func(path string) (io.ReadCloser, error) {
		file, ok := exports[path]
		if !ok || file == "" {
			return nil, fmt.Errorf("no export data of %s", path)
		}
		return os.Open(file)
	})
	real := checkFiles(t, imp, "..", nil)
	stub := checkFiles(t, imp, "", map[string]string{"microfn.go": interp.APIStub})

	realAPI, stubAPI := exportedAPI(real), exportedAPI(stub)
	for name, sig := range realAPI {
		if got, ok := stubAPI[name]; !ok {
			t.Errorf("the stub lacks %s: %s", name, sig)
		} else if got != sig {
			t.Errorf("%s:\n\tpackage: %s\n\tstub:    %s", name, sig, got)
		}
	}
	for name, sig := range stubAPI {
		if _, ok := realAPI[name]; !ok {
			t.Errorf("the stub declares %s: %s, which the package does not", name, sig)
		}
	}

	// The interpreter gets every exported function and type.
	syms := interp.APISymbols()
	for _, name := range real.Scope().Names() {
		if obj := real.Scope().Lookup(name); obj.Exported() {
			if _, isConst := obj.(*types.Const); !isConst && !slices.Contains(syms, name) {
				t.Errorf("package microfn's %s is not exported into the interpreter", name)
			}
		}
	}
	for _, name := range syms {
		if real.Scope().Lookup(name) == nil {
			t.Errorf("the interpreter gets %s, which package microfn does not declare", name)
		}
	}
}

// checkFiles type-checks the non-test Go files of dir, or the files given.
func checkFiles(t *testing.T, imp types.Importer, dir string, files map[string]string) *types.Package {
	t.Helper()
	fset := token.NewFileSet()
	var asts []*ast.File
	if dir != "" {
		names, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			files = mapSet(files, filepath.Base(name), string(src))
		}
	}
	for name, src := range files {
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		asts = append(asts, f)
	}
	path := interp.APIPath
	if dir != "" && dir != ".." {
		path += "/" + strings.TrimPrefix(filepath.ToSlash(dir), "../")
	}
	conf := types.Config{Importer: imp}
	pkg, err := conf.Check(path, fset, asts, nil)
	if err != nil {
		t.Fatalf("type-check %s: %v", path, err)
	}
	if path == interp.APIPath && pkg.Name() != "microfn" {
		t.Fatalf("package %s is named %s", path, pkg.Name())
	}
	return pkg
}

func mapSet(m map[string]string, k, v string) map[string]string {
	if m == nil {
		m = map[string]string{}
	}
	m[k] = v
	return m
}

// exportedAPI spells the exported API of pkg: name to type, with types'
// exported fields and methods as Type.Name entries.
func exportedAPI(pkg *types.Package) map[string]string {
	api := map[string]string{}
	qual := types.RelativeTo(pkg)
	for _, name := range pkg.Scope().Names() {
		obj := pkg.Scope().Lookup(name)
		if !obj.Exported() {
			continue
		}
		switch obj := obj.(type) {
		case *types.Func:
			api[name] = types.TypeString(obj.Type(), qual)
		case *types.TypeName:
			named, ok := obj.Type().(*types.Named)
			if !ok {
				api[name] = "type = " + types.TypeString(obj.Type(), qual)
				continue
			}
			kind := "type"
			if st, ok := named.Underlying().(*types.Struct); ok {
				kind = "struct"
				for i := range st.NumFields() {
					if f := st.Field(i); f.Exported() {
						api[name+"."+f.Name()] = "field " + types.TypeString(f.Type(), qual)
					}
				}
			} else {
				kind = "type " + types.TypeString(named.Underlying(), qual)
			}
			api[name] = kind
			mset := types.NewMethodSet(types.NewPointer(named))
			for i := range mset.Len() {
				if m := mset.At(i).Obj(); m.Exported() {
					api[name+"."+m.Name()] = "method " + types.TypeString(m.Type(), qual)
				}
			}
		default:
			api[name] = obj.String()
		}
	}
	return api
}

// importerFunc adapts a function to types.Importer.
type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
