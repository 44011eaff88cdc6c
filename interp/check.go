package interp

import (
	"fmt"
	"go/ast"
	"go/types"
	"strconv"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/sandbox"
)

// check checks the imports, the types, the sandbox and the calls at init
// of pkg, type-checked as path with deps. Its type information is nil
// when it is not trustworthy (see checked).
func (l *Loader) check(pkg *funcs.Package, path string, sources map[string]bool, deps map[string]*types.Package) (*checked, error) {
	if err := checkImports(pkg, l.allowed, l.allowedUnrestricted, sources); err != nil {
		return nil, err
	}
	if err := checkConstantSizes(pkg); err != nil {
		return nil, err
	}
	pol := sandbox.PolicyFor(l.allowed, l.partial)
	pol.Sources = sources
	chk, err := l.types.checkAs(pkg, path, deps, pol)
	if err != nil {
		return nil, err
	}
	if !chk.complete {
		chk.info = nil
	}
	if err := checkInitCalls(pkg, chk.info); err != nil {
		return nil, err
	}
	return chk, nil
}

// checkImports reports imports that service code may not use. allowed and
// withUnrestricted are the import paths [Allowed] returns with the Loader's
// options and with --unrestricted; sources are the packages imported from
// source.
func checkImports(pkg *funcs.Package, allowed, withUnrestricted, sources map[string]bool) error {
	var list funcs.ErrorList
	for _, f := range pkg.Files {
		for _, imp := range f.AST.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			if err != nil || allowed[path] || sources[path] {
				continue
			}
			msg := fmt.Sprintf("import %q is not available to services: microfn serves the standard library, %s, the packages of the served module and the modules its go.mod requires", path, APIPath)
			switch {
			case withUnrestricted[path] && !sandbox.InStdlib(path):
				msg = fmt.Sprintf("import %q needs microfn serve --unrestricted (it can run programs or reach the operating system)", path)
			case withUnrestricted[path]:
				does, ok := sandbox.Outside(path)
				if !ok {
					does = "it reaches the file system, the network, the process or the runtime"
				}
				msg = fmt.Sprintf("import %q is outside microfn's sandbox (%s): allow it with microfn serve --allow %s, or --unrestricted", path, does, path)
			case path == "C":
				msg = "import \"C\": cgo cannot be interpreted"
			}
			list = append(list, &funcs.SourceError{Pos: pkg.Fset.Position(imp.Path.Pos()), Msg: msg})
		}
	}
	if len(list) > 0 {
		return list
	}
	return nil
}

// checkBodies reports functions declared without a body: written in
// assembly (or linked in), which the interpreter cannot run.
func checkBodies(pkg *funcs.Package) error {
	var list funcs.ErrorList
	for _, f := range pkg.Files {
		for _, d := range f.AST.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body == nil {
				list = append(list, &funcs.SourceError{Pos: pkg.Fset.Position(fd.Name.Pos()), Msg: fmt.Sprintf(
					"function %s has no Go body (it is written in assembly), which the interpreter cannot run: serve it compiled (microfn serve --tier=auto, the default, serves it once built), use a version with a pure-Go fallback (often the purego build tag), or compile the module in with microfn build --with", fd.Name.Name)})
			}
		}
	}
	if len(list) > 0 {
		return list
	}
	return nil
}
