package sandbox

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"strings"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	"github.com/traefik/yaegi/stdlib/syscall"
	"github.com/traefik/yaegi/stdlib/unrestricted"
	"github.com/traefik/yaegi/stdlib/unsafe"
)

// Symbols returns the standard library the interpreter gets: the sandbox
// plus allow, or with unrestrictedMode all of it, including unsafe, syscall
// and os/exec. Otherwise excluded names are left out, guarded
// functions replaced by their guards, and every variable is a copy of the
// host's, made for this call: service code cannot change the host's
// variables, even by reflection.
//
// need, if not nil, names the packages the interpreted code imports:
// only those are given whole; of the others, only the wrapper types of
// their interfaces (names starting with "_"), which the interpreter needs
// to pass an interpreted value as one of them to compiled code. (The
// interpreter copies every package it is given into tables of its own,
// about 0.8 MB and 1 ms for the whole standard library.)
func Symbols(unrestrictedMode bool, allow []string, need func(path string) bool) []yaegi.Exports {
	if unrestrictedMode {
		return []yaegi.Exports{
			only(stdlib.Symbols, need),
			onlyOf(unsafe.Symbols, need),
			only(syscall.Symbols, need),
			onlyOf(unrestricted.Symbols, need),
		}
	}
	pol := NewPolicy(false, allow)
	vars := newVarCopier()
	std := yaegi.Exports{}
	for _, key := range stdlib.Symbols.Keys() {
		if key == "." {
			// Not a package: the types yaegi wraps interpreted values
			// in for binary functions (fmt gets an interpreted error
			// with its Error method).
			std[key] = stdlib.Symbols.Package(key)
			continue
		}
		path := PathOfKey(key)
		if !pol.imports(path) {
			continue
		}
		if need != nil && !need(path) {
			// The package's symbols are not built for its wrappers.
			if w := stdlib.Symbols.Wrappers(key); w != nil {
				std[key] = w
			}
			continue
		}
		syms := stdlib.Symbols.Package(key)
		if !partialPackages[path] && !hasVars(syms) {
			std[key] = syms // nothing to leave out or copy
			continue
		}
		some := make(map[string]reflect.Value, len(syms))
		for name, v := range syms {
			if _, out := pol.excluded(path, name); out {
				continue
			}
			if g, ok := pol.guarded(path, name); ok {
				v = guardValue(path, name, g)
			}
			if isVar(v) {
				v = vars.copy(path, name, v)
			}
			some[name] = v
		}
		std[key] = some
	}
	return []yaegi.Exports{std}
}

// only returns the packages of table that need names (all of them if need
// is nil), and of the others their wrapper types, and the wrapper map
// (key "."), which is not a package. Only the packages returned whole are
// built.
func only(table *stdlib.Table, need func(path string) bool) yaegi.Exports {
	out := yaegi.Exports{}
	for _, key := range table.Keys() {
		if key == "." || need == nil || need(PathOfKey(key)) {
			out[key] = table.Package(key)
		} else if w := table.Wrappers(key); w != nil {
			out[key] = w
		}
	}
	return out
}

// onlyOf is [only] for a set of symbols already built.
func onlyOf(set yaegi.Exports, need func(path string) bool) yaegi.Exports {
	if need == nil {
		return set
	}
	out := yaegi.Exports{}
	for key, syms := range set {
		if key == "." || need(PathOfKey(key)) {
			out[key] = syms
		} else if w := wrappers(syms); w != nil {
			out[key] = w
		}
	}
	return out
}

// wrappers returns the wrapper types of syms (names starting with "_"),
// or nil if it has none.
func wrappers(syms map[string]reflect.Value) map[string]reflect.Value {
	var w map[string]reflect.Value
	for name, v := range syms {
		if strings.HasPrefix(name, "_") {
			if w == nil {
				w = map[string]reflect.Value{}
			}
			w[name] = v
		}
	}
	return w
}

// hasVars reports whether syms has a variable.
func hasVars(syms map[string]reflect.Value) bool {
	for _, v := range syms {
		if isVar(v) {
			return true
		}
	}
	return false
}

// isVar reports whether v is a variable in a yaegi symbol table: yaegi
// exports a variable as reflect.ValueOf(&x).Elem(), the only addressable
// kind of symbol.
func isVar(v reflect.Value) bool { return v.CanAddr() }

// guardValue returns the function the interpreter gets for guarded
// function name of path.
func guardValue(path, name string, g guard) reflect.Value {
	refuse := errors.New(guardMsg(path, g))
	switch path + "." + name {
	case "go/parser.ParseFile":
		return reflect.ValueOf(func(fset *token.FileSet, filename string, src any, mode parser.Mode) (*ast.File, error) {
			if src == nil {
				return nil, refuse
			}
			return parser.ParseFile(fset, filename, src, mode)
		})
	case "go/parser.ParseExprFrom":
		return reflect.ValueOf(func(fset *token.FileSet, filename string, src any, mode parser.Mode) (ast.Expr, error) {
			if src == nil {
				return nil, refuse
			}
			return parser.ParseExprFrom(fset, filename, src, mode)
		})
	}
	panic("sandbox: no guard for " + path + "." + name)
}
