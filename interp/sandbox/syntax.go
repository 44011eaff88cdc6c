package sandbox

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/microfn/microfn/funcs"
)

// CheckSyntax is the sandbox's check without type information: it
// judges by names, so a local name that shadows an import, or a method of
// the package's own named like an excluded one, can be reported wrongly.
// It reports nothing with pol.Unrestricted.
func CheckSyntax(pkg *funcs.Package, pol Policy) funcs.ErrorList {
	if pol.Unrestricted {
		return nil
	}
	c := &syntaxChecker{pkg: pkg, pol: pol, declared: declaredNames(pkg)}
	for _, f := range pkg.Files {
		c.checkFile(f.AST)
	}
	return c.list
}

// syntaxChecker checks one package by names.
type syntaxChecker struct {
	pkg      *funcs.Package
	pol      Policy
	declared map[string]bool // the package-level names of the package
	list     funcs.ErrorList

	// What the imports of the file being checked name.
	local map[string]string // import name → path
	dot   []string          // dot-imported paths
	// methods maps the name of an excluded method of an imported
	// package to pairs of the package's path and the method's name in
	// the tables ("Template.ParseFiles").
	methods map[string][]string
}

// errorf reports msg at pos.
func (c *syntaxChecker) errorf(pos token.Pos, msg string) {
	c.list = append(c.list, &funcs.SourceError{Pos: c.pkg.Fset.Position(pos), Msg: msg})
}

// declaredNames returns the package-level names pkg declares, but
// methods.
func declaredNames(pkg *funcs.Package) map[string]bool {
	declared := map[string]bool{}
	for _, f := range pkg.Files {
		for _, d := range f.AST.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					declared[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							declared[n.Name] = true
						}
					case *ast.TypeSpec:
						declared[s.Name.Name] = true
					}
				}
			}
		}
	}
	return declared
}

// readImports sets what the imports of f name.
func (c *syntaxChecker) readImports(f *ast.File) {
	c.local, c.dot, c.methods = map[string]string{}, nil, map[string][]string{}
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		switch {
		case imp.Name == nil:
			c.local[stdlibName(path)] = path
		case imp.Name.Name == ".":
			c.dot = append(c.dot, path)
		case imp.Name.Name != "_":
			c.local[imp.Name.Name] = path
		}
		for name := range excludedNames[path] {
			if i := strings.IndexByte(name, '.'); i >= 0 {
				c.methods[name[i+1:]] = append(c.methods[name[i+1:]], path, name)
			}
		}
	}
}

// qualified returns the path and name e names, if it is a qualified
// identifier or an identifier of a dot import.
func (c *syntaxChecker) qualified(e ast.Expr) (path, name string, ok bool) {
	switch x := e.(type) {
	case *ast.SelectorExpr:
		if id, isID := x.X.(*ast.Ident); isID && c.local[id.Name] != "" && !c.declared[id.Name] {
			return c.local[id.Name], x.Sel.Name, true
		}
	case *ast.Ident:
		if c.declared[x.Name] {
			return "", "", false
		}
		for _, p := range c.dot {
			if symbolOf(p, x.Name) {
				return p, x.Name, true
			}
		}
	}
	return "", "", false
}

// isVarOf reports whether name is a variable of the standard library
// package path.
func isVarOf(path, name string) bool {
	v, ok := symbolValue(path, name)
	return ok && isVar(v)
}

// checkWrite reports a write to (or, for how "address", the taking of the
// address of) a qualified host variable through e.
func (c *syntaxChecker) checkWrite(e ast.Expr, how string) {
	whole := true
	for {
		switch x := e.(type) {
		case *ast.ParenExpr:
			e = x.X
			continue
		case *ast.SelectorExpr, *ast.Ident:
			if path, name, ok := c.qualified(x); ok && isVarOf(path, name) {
				if how == "assign" && !whole {
					how = "change"
				}
				c.errorf(x.Pos(), hostVarMsg(types.ExprString(x), path, how))
				return
			}
			if s, ok := x.(*ast.SelectorExpr); ok {
				whole = false
				e = s.X
				continue
			}
		case *ast.IndexExpr, *ast.StarExpr:
			whole = false
			e = partOf(x)
			continue
		}
		return
	}
}

// checkFile checks the names and writes of f.
func (c *syntaxChecker) checkFile(f *ast.File) {
	c.readImports(f)
	var parents []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil {
			parents = parents[:len(parents)-1]
			return true
		}
		var parent ast.Node
		if len(parents) > 0 {
			parent = parents[len(parents)-1]
		}
		parents = append(parents, n)
		c.visit(n, parent)
		return true
	})
}

// visit checks the node n, a child of parent.
func (c *syntaxChecker) visit(n, parent ast.Node) {
	switch x := n.(type) {
	case *ast.Ident:
		if s, ok := parent.(*ast.SelectorExpr); ok && s.Sel == x {
			return
		}
		c.checkName(x, x.Pos())
	case *ast.SelectorExpr:
		c.checkSelector(x)
	case *ast.AssignStmt:
		if x.Tok != token.DEFINE {
			for _, l := range x.Lhs {
				c.checkWrite(l, "assign")
			}
		}
	case *ast.IncDecStmt:
		c.checkWrite(x.X, "assign")
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			c.checkWrite(x.X, "address")
		}
	case *ast.CallExpr:
		c.checkCall(x)
	}
}

// checkName reports e, a qualified identifier or an identifier of a dot
// import, at pos if it names an excluded name. It reports whether e is
// one.
func (c *syntaxChecker) checkName(e ast.Expr, pos token.Pos) bool {
	path, name, ok := c.qualified(e)
	if !ok {
		return false
	}
	if r, out := c.pol.excluded(path, name); out {
		c.errorf(pos, outsideMsg(path, name, r))
	}
	return true
}

// checkSelector reports a qualified excluded name, or else a selector
// named like an excluded method of a package the file imports.
func (c *syntaxChecker) checkSelector(x *ast.SelectorExpr) {
	if c.checkName(x, x.Sel.Pos()) {
		return
	}
	pairs := c.methods[x.Sel.Name]
	for i := 0; i+1 < len(pairs); i += 2 {
		path, name := pairs[i], pairs[i+1]
		if r, out := c.pol.excluded(path, name); out {
			c.errorf(x.Sel.Pos(), outsideMsg(path, name, r))
			return
		}
	}
}

// checkCall reports the writes of copy, clear and delete to host
// variables, and calls refused by guards.
func (c *syntaxChecker) checkCall(x *ast.CallExpr) {
	if id, ok := x.Fun.(*ast.Ident); ok && (id.Name == "copy" || id.Name == "clear" || id.Name == "delete") && len(x.Args) > 0 {
		c.checkWrite(x.Args[0], "change")
	}
	path, name, ok := c.qualified(ast.Unparen(x.Fun))
	if !ok {
		return
	}
	if g, guarded := c.pol.guarded(path, name); guarded && g.nilArg < len(x.Args) {
		if id, ok := x.Args[g.nilArg].(*ast.Ident); ok && id.Name == "nil" {
			c.errorf(id.Pos(), guardMsg(path, g))
		}
	}
}
