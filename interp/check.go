package interp

import (
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"strconv"
	"strings"
	"sync"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/internal/typesutil"
	"github.com/microfn/microfn/interp/sandbox"
)

// typeChecker type-checks service packages. It keeps one importer for the
// life of the [Loader], so the standard library's export data is read once.
// It is safe for concurrent use.
type typeChecker struct {
	mu sync.Mutex // guards imp and its caches, and stub
	// fset holds the positions of imported packages.
	fset *token.FileSet
	imp  types.Importer
	stub *types.Package
}

// newTypeChecker returns a type checker that reads the standard library's
// export data with lookup, or, if it is nil, where the go command says it
// is.
func newTypeChecker(lookup importer.Lookup) *typeChecker {
	fset := token.NewFileSet()
	return &typeChecker{fset: fset, imp: importer.ForCompiler(fset, "gc", lookup)}
}

// Import implements types.Importer. The caller holds c.mu.
func (c *typeChecker) Import(path string) (*types.Package, error) {
	if path == APIPath {
		if c.stub == nil {
			p, err := stubPackage(c.imp)
			if err != nil {
				return nil, err
			}
			c.stub = p
		}
		return c.stub, nil
	}
	return c.imp.Import(path)
}

func checkStub(path, name, src string, imp types.Importer) (*types.Package, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, 0)
	if err != nil {
		return nil, err
	}
	conf := types.Config{Importer: imp, IgnoreFuncBodies: true}
	return conf.Check(path, fset, []*ast.File{f}, nil)
}

// checked is the result of type-checking a package.
type checked struct {
	pkg  *types.Package
	info *types.Info
	// complete reports that every import could be type-checked, so the
	// type information is trustworthy. Without the Go toolchain's export
	// data the standard library cannot be imported; microfn then relies on
	// the interpreter's own checks.
	complete bool
}

// check type-checks pkg in the default sandbox. It reports the package's
// type errors as a funcs.ErrorList.
func (c *typeChecker) check(pkg *funcs.Package) (*checked, error) {
	return c.checkAs(pkg, typesutil.CheckPath(pkg), nil, sandbox.NewPolicy(false, nil))
}

// depImporter imports the packages checked from source already, and the
// others with the type checker.
type depImporter struct {
	c    *typeChecker
	deps map[string]*types.Package
}

func (d depImporter) Import(path string) (*types.Package, error) {
	if p, ok := d.deps[path]; ok {
		return p, nil
	}
	return d.c.Import(path)
}

// checkAs type-checks pkg as the package of the import path, with deps,
// the packages it imports from source, checked already, and reports its
// uses of what the sandbox of pol leaves out.
func (c *typeChecker) checkAs(pkg *funcs.Package, path string, deps map[string]*types.Package, pol sandbox.Policy) (*checked, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	files := make([]*ast.File, len(pkg.Files))
	for i, f := range pkg.Files {
		files[i] = f.AST
	}
	info := &types.Info{
		Types: map[ast.Expr]types.TypeAndValue{},
		Uses:  map[*ast.Ident]types.Object{},
		Defs:  map[*ast.Ident]types.Object{},
		// For the rewrite of go statements.
		Instances:  map[*ast.Ident]types.Instance{},
		Selections: map[*ast.SelectorExpr]*types.Selection{},
	}
	var list funcs.ErrorList
	importFailed := false
	conf := types.Config{
		Importer: depImporter{c, deps},
		Error: func(err error) {
			var te types.Error
			if !errors.As(err, &te) {
				list = append(list, &funcs.SourceError{Msg: err.Error()})
				return
			}
			if strings.Contains(te.Msg, "could not import") {
				importFailed = true
			}
			list = append(list, &funcs.SourceError{Pos: te.Fset.Position(te.Pos), Msg: te.Msg})
		},
	}
	tpkg, _ := conf.Check(path, pkg.Fset, files, info) // errors are collected above
	pol.Self = path
	if importFailed {
		// Type information is partial; let the interpreter judge, and
		// the sandbox judge by names.
		if list := sandbox.CheckSyntax(pkg, pol); len(list) > 0 {
			list.Sort()
			return nil, list
		}
		return &checked{pkg: tpkg, info: info}, nil
	}
	if len(list) == 0 {
		list = sandbox.Check(pkg, info, pol)
	}
	if len(list) > 0 {
		list.Sort()
		return nil, list
	}
	return &checked{pkg: tpkg, info: info, complete: true}, nil
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

// checkInitCalls reports calls of the package's services made while the
// package initialises: from the initialiser of a package-level variable or
// from an init function. A service is reachable only once its package has
// loaded, so such a call could never work. Calls inside function literals
// are not reported (they may run later); at run time they fail with a
// message of their own. info, when not nil, tells a service from a local
// name that shadows it.
func checkInitCalls(pkg *funcs.Package, info *types.Info) error {
	services := map[string]bool{}
	for _, d := range pkg.Services {
		services[d.Name] = true
	}
	isService := func(id *ast.Ident) bool {
		if !services[id.Name] {
			return false
		}
		if info == nil {
			return true
		}
		fn, ok := info.Uses[id].(*types.Func)
		return ok && fn.Parent() != nil && fn.Parent() == fn.Pkg().Scope()
	}
	var list funcs.ErrorList
	report := func(n ast.Node, where string) {
		ast.Inspect(n, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.CallExpr:
				if id, ok := ast.Unparen(x.Fun).(*ast.Ident); ok && isService(id) {
					list = append(list, &funcs.SourceError{Pos: pkg.Fset.Position(id.Pos()), Msg: fmt.Sprintf(
						"%s calls service %s while the package initialises: services can be called once the package has loaded (call it from a function instead)", where, id.Name)})
				}
			}
			return true
		})
	}
	for _, f := range pkg.Files {
		for _, decl := range f.AST.Decls {
			switch d := decl.(type) {
			case *ast.GenDecl:
				if d.Tok != token.VAR {
					continue
				}
				for _, spec := range d.Specs {
					vs := spec.(*ast.ValueSpec)
					for _, v := range vs.Values {
						report(v, "the initialiser of package-level variable "+vs.Names[0].Name)
					}
				}
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.Name == "init" && d.Body != nil {
					report(d.Body, "init")
				}
			}
		}
	}
	if len(list) > 0 {
		return list
	}
	return nil
}
