package interp

import (
	"errors"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
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

// checkStub type-checks src, the declarations of the package of the
// import path path, as the file name, without function bodies.
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

// Import implements types.Importer.
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
