package interp

import (
	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/rewrite"
)

// RewritePackage runs the rewrite of Load on pkg: with the type information
// of the type checker when typed is set, else without any, as when the
// standard library's export data is missing.
func RewritePackage(pkg *funcs.Package, typed bool) (map[string][]byte, error) {
	chk, err := newTypeChecker(nil).check(pkg)
	if err != nil {
		return nil, err
	}
	info := chk.info
	if !typed || !chk.complete {
		info = nil
	}
	return rewrite.ForInterpreter(pkg, info, 0)
}

// APIStub is the declaration of package microfn the type checker uses.
const APIStub = apiStub

// APISymbols returns the names of package microfn's symbols exported into
// the interpreter.
func APISymbols() []string {
	var names []string
	for _, syms := range apiSymbols(nil) {
		for name := range syms {
			names = append(names, name)
		}
	}
	return names
}

// ProxyPath is the import path of the proxy runtime inside the interpreter.
const ProxyPath = rewrite.ProxyPath
