package sandbox

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/traefik/yaegi/stdlib"
	"github.com/traefik/yaegi/stdlib/generic"
)

// sandboxNames walks what the interpreter could give service code from
// package path: every name of yaegi's symbol table but its interface
// wrappers ("_Reader", which only call interpreted methods), every
// exported method of an exported concrete type ("Template.ParseFiles"),
// and every exported method of a variable's value whose type is not such
// a type ("EOF.Error"); and the exported functions, types and methods of
// the source of the package's generic part, which the interpreter
// compiles ("Sort", "Pointer.Load"). Methods are those of the host's
// types, and the sources the Go release's, so a new version of Go that
// adds one adds a name here.
func sandboxNames(t *testing.T, path string) map[string]bool {
	t.Helper()
	var syms map[string]reflect.Value
	for _, key := range stdlib.Symbols.Keys() {
		if PathOfKey(key) == path {
			syms = stdlib.Symbols.Package(key)
		}
	}
	if syms == nil {
		t.Fatalf("yaegi has no package %s", path)
	}
	names := map[string]bool{}
	methods := func(prefix string, ts ...reflect.Type) {
		for _, typ := range ts {
			for i := range typ.NumMethod() {
				if m := typ.Method(i); m.IsExported() {
					names[prefix+"."+m.Name] = true
				}
			}
		}
	}
	for name, v := range syms {
		if strings.HasPrefix(name, "_") {
			if v.Kind() != reflect.Pointer || !v.IsNil() || v.Type().Elem().PkgPath() != "github.com/traefik/yaegi/stdlib" {
				t.Errorf("%s.%s is not one of yaegi's interface wrappers", path, name)
			}
			continue
		}
		names[name] = true
		if _, out := excludedNames[path][name]; out {
			continue
		}
		switch {
		case isVar(v):
			d := v
			if d.Kind() == reflect.Interface {
				d = d.Elem()
			}
			if !d.IsValid() {
				continue
			}
			named := d.Type()
			if named.Kind() == reflect.Pointer {
				named = named.Elem()
			}
			if named.Name() != "" && syms[named.Name()].IsValid() && named.PkgPath() == path {
				continue // reviewed as a type
			}
			if d.Kind() == reflect.Interface || !d.CanAddr() {
				methods(name, d.Type())
			} else {
				methods(name, d.Type(), reflect.PointerTo(d.Type()))
			}
		case v.Kind() == reflect.Pointer && v.IsNil():
			typ := v.Type().Elem()
			if typ.Kind() != reflect.Interface {
				methods(name, typ, reflect.PointerTo(typ))
			}
		}
	}
	for _, name := range genericNames(t, path) {
		names[name] = true
	}
	return names
}

// genericNames returns the exported names the source of the generic part
// of package path declares: functions, types, and methods of the types.
func genericNames(t *testing.T, path string) []string {
	t.Helper()
	src, ok := generic.Sources[path]
	if !ok {
		return nil
	}
	f, err := parser.ParseFile(token.NewFileSet(), path, src, 0)
	if err != nil {
		t.Fatalf("the generic source of %s: %v", path, err)
	}
	var names []string
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if !d.Name.IsExported() {
				continue
			}
			if d.Recv == nil {
				names = append(names, d.Name.Name)
				continue
			}
			rt := d.Recv.List[0].Type
			if s, ok := rt.(*ast.StarExpr); ok {
				rt = s.X
			}
			switch x := rt.(type) {
			case *ast.IndexExpr:
				rt = x.X
			case *ast.IndexListExpr:
				rt = x.X
			}
			if id, ok := rt.(*ast.Ident); ok && id.IsExported() {
				names = append(names, id.Name+"."+d.Name.Name)
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.IsExported() {
					names = append(names, ts.Name.Name)
				}
			}
		}
	}
	return names
}

// TestSandboxTable: every name of every package of the sandbox is either
// reviewed and allowed or excluded with a reason, and the table names
// nothing that does not exist.
func TestSandboxTable(t *testing.T) {
	t.Parallel()
	want := append(slices.Clone(Packages), "net/http")
	sort.Strings(want)
	if got := slices.Sorted(maps.Keys(allowedNames)); !slices.Equal(got, want) {
		t.Errorf("allowedNames has the packages\n%v\nwant those of Packages and net/http:\n%v", got, want)
	}
	for p := range excludedNames {
		if !slices.Contains(want, p) {
			t.Errorf("excludedNames has %s, which is not in the sandbox", p)
		}
	}
	var missing strings.Builder
	for _, path := range want {
		walked := sandboxNames(t, path)
		allowed := map[string]bool{}
		for _, n := range strings.Fields(allowedNames[path]) {
			if allowed[n] {
				t.Errorf("%s: %s is allowed twice", path, n)
			}
			allowed[n] = true
		}
		for n, r := range excludedNames[path] {
			if allowed[n] {
				t.Errorf("%s: %s is both allowed and excluded", path, n)
			}
			if !walked[n] {
				t.Errorf("%s: excluded %s does not exist", path, n)
			}
			if r.does == "" {
				t.Errorf("%s: %s is excluded without a reason", path, n)
			}
		}
		for n := range guardedFuncs[path] {
			if !allowed[n] {
				t.Errorf("%s: guarded %s is not allowed", path, n)
			}
		}
		var unreviewed []string
		for n := range walked {
			_, out := excludedNames[path][n]
			if !allowed[n] && !out {
				unreviewed = append(unreviewed, n)
			}
		}
		for n := range allowed {
			if !walked[n] {
				t.Errorf("%s: allowed %s does not exist", path, n)
			}
		}
		if len(unreviewed) > 0 {
			sort.Strings(unreviewed)
			fmt.Fprintf(&missing, "\t%q: `\n%s`,\n", path, wrapNames(unreviewed))
		}
	}
	if missing.Len() > 0 {
		t.Errorf("names neither allowed nor excluded: review each, then add it to allowedNames (it computes in memory) or to excludedNames with its reason:\n%s", missing.String())
	}
}

// wrapNames spells names as the lines of a allowedNames entry.
func wrapNames(names []string) string {
	var b strings.Builder
	line := 0
	for _, n := range names {
		if line > 0 && line+1+len(n) > 96 {
			b.WriteString("\n")
			line = 0
		}
		if line == 0 {
			b.WriteString("\t\t")
			line = 16
		} else {
			b.WriteString(" ")
			line++
		}
		b.WriteString(n)
		line += len(n)
	}
	b.WriteString("\n\t")
	return b.String()
}

// TestSandboxPackages: every package of yaegi's standard library is
// reviewed: in the sandbox (Packages), in part (net/http), or left out
// whole with what it reaches (outsidePackages); and the lists name only
// packages yaegi has.
func TestSandboxPackages(t *testing.T) {
	t.Parallel()
	tables := map[string]bool{}
	for _, key := range stdlib.Symbols.Keys() {
		if path := PathOfKey(key); path != key {
			tables[path] = true
		}
	}
	for path := range tables {
		in := 0
		if slices.Contains(Packages, path) {
			in++
		}
		if path == "net/http" {
			in++
		}
		if outsidePackages[path] != "" {
			in++
		}
		switch in {
		case 0:
			t.Errorf("%s is neither in Packages nor in outsidePackages: review it, and add it to Packages (it computes in memory) or to outsidePackages with what it reaches", path)
		case 2, 3:
			t.Errorf("%s is both in the sandbox and in outsidePackages", path)
		}
	}
	for _, path := range Packages {
		if !tables[path] {
			t.Errorf("Packages has %s, which yaegi's standard library lacks", path)
		}
	}
	for path := range outsidePackages {
		if !tables[path] {
			t.Errorf("outsidePackages has %s, which yaegi's standard library lacks", path)
		}
	}
}
