package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"math"

	"github.com/microfn/microfn/funcs"
)

// maxConstantBytes bounds the length of a string constant. Go's type
// checker builds the value of every constant as it checks the package,
// and a constant doubled n times over (const c1 = c0 + c0, …) is 2ⁿ times
// as long as the first: checking it would exhaust any memory.
const maxConstantBytes = 256 << 20

// checkConstantSizes reports the string constants of pkg that would be
// longer than maxConstantBytes, at their names, before the type checker
// builds them. The lengths are bounds found from the syntax (a literal's
// length, the sum of a concatenation's parts, the constants named): a
// constant of another package counts as empty, and what this misses is
// bounded by the prepare process's limits instead.
func checkConstantSizes(pkg *funcs.Package) error {
	c := &constSizes{pkg: pkg, sizes: map[*ast.ValueSpec][]int64{}, busy: map[*ast.ValueSpec]bool{}, values: map[*ast.ValueSpec][]ast.Expr{}}
	top := map[string]constRef{}
	for _, f := range pkg.Files {
		for _, d := range f.AST.Decls {
			if gd, ok := d.(*ast.GenDecl); ok && gd.Tok == token.CONST {
				c.declare(gd, top)
			}
		}
	}
	c.scopes = []map[string]constRef{top}
	for _, f := range pkg.Files {
		for _, d := range f.AST.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				if d.Tok == token.CONST {
					c.checkDecl(d)
				}
			case *ast.FuncDecl:
				if d.Body != nil {
					c.walkBody(d.Body)
				}
			}
		}
	}
	if len(c.errs) > 0 {
		return c.errs
	}
	return nil
}

// constRef is a constant: the i-th name of its spec.
type constRef struct {
	spec *ast.ValueSpec
	i    int
}

// constSizes finds the bounds of the lengths of a package's constants.
type constSizes struct {
	pkg    *funcs.Package
	scopes []map[string]constRef // innermost last
	values map[*ast.ValueSpec][]ast.Expr
	sizes  map[*ast.ValueSpec][]int64
	busy   map[*ast.ValueSpec]bool // being sized: a cycle, which the type checker reports
	errs   funcs.ErrorList
}

// declare adds the constants of gd to scope, each spec with its values
// (a spec without values repeats the previous one's).
func (c *constSizes) declare(gd *ast.GenDecl, scope map[string]constRef) {
	var last []ast.Expr
	for _, s := range gd.Specs {
		vs := s.(*ast.ValueSpec)
		if len(vs.Values) > 0 {
			last = vs.Values
		}
		c.values[vs] = last
		for i, n := range vs.Names {
			if n.Name != "_" {
				scope[n.Name] = constRef{vs, i}
			}
		}
	}
}

// checkDecl reports the constants of gd over the bound.
func (c *constSizes) checkDecl(gd *ast.GenDecl) {
	for _, s := range gd.Specs {
		vs := s.(*ast.ValueSpec)
		for i, n := range vs.Names {
			if size := c.size(constRef{vs, i}); size > maxConstantBytes && len(c.errs) == 0 {
				// The first is enough: those built on it are longer.
				c.errs = append(c.errs, &funcs.SourceError{Pos: c.pkg.Fset.Position(n.Pos()), Msg: fmt.Sprintf(
					"constant %s would be %s long, over the %d MiB a constant may be: the type checker builds every constant's value, so checking it would need that much memory", n.Name, bytesText(size), maxConstantBytes>>20)})
			}
		}
	}
}

// walkBody checks the constants declared in a function body, each in its
// block's scope.
func (c *constSizes) walkBody(body *ast.BlockStmt) {
	var stack []ast.Node
	ast.Inspect(body, func(n ast.Node) bool {
		if n == nil {
			if top := stack[len(stack)-1]; top != nil {
				c.scopes = c.scopes[:len(c.scopes)-1]
			}
			stack = stack[:len(stack)-1]
			return true
		}
		var scoped ast.Node
		switch n := n.(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
			scoped = n
			c.scopes = append(c.scopes, map[string]constRef{})
		case *ast.DeclStmt:
			if gd, ok := n.Decl.(*ast.GenDecl); ok && gd.Tok == token.CONST {
				// A constant's scope starts after its spec: declared
				// after it is sized.
				for _, s := range gd.Specs {
					c.values[s.(*ast.ValueSpec)] = nil
				}
				scope := map[string]constRef{}
				c.declare(gd, scope)
				c.checkDecl(gd)
				for name, r := range scope {
					c.scopes[len(c.scopes)-1][name] = r
				}
			}
		}
		stack = append(stack, scoped)
		return true
	})
}

// size returns the bound of the length of constant r, 0 for one that is
// not a string.
func (c *constSizes) size(r constRef) int64 {
	if s, ok := c.sizes[r.spec]; ok {
		return s[r.i]
	}
	if c.busy[r.spec] {
		return 0
	}
	c.busy[r.spec] = true
	values := c.values[r.spec]
	sizes := make([]int64, len(r.spec.Names))
	for i := range sizes {
		if i < len(values) {
			sizes[i] = c.exprSize(values[i])
		}
	}
	delete(c.busy, r.spec)
	c.sizes[r.spec] = sizes
	return sizes[r.i]
}

// exprSize returns the bound of the length of the constant expression e.
func (c *constSizes) exprSize(e ast.Expr) int64 {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			return int64(len(e.Value))
		}
	case *ast.Ident:
		for i := len(c.scopes) - 1; i >= 0; i-- {
			if r, ok := c.scopes[i][e.Name]; ok {
				return c.size(r)
			}
		}
	case *ast.ParenExpr:
		return c.exprSize(e.X)
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			a, b := c.exprSize(e.X), c.exprSize(e.Y)
			if a > math.MaxInt64-b {
				return math.MaxInt64
			}
			return a + b
		}
	case *ast.CallExpr:
		// A conversion: string(r) is a rune's bytes, T(s) s itself.
		if len(e.Args) == 1 {
			return max(c.exprSize(e.Args[0]), 4)
		}
	}
	return 0
}

// bytesText writes a length of a constant in the largest unit that fits.
func bytesText(n int64) string {
	units := []string{"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
	u := 0
	for n >= 1<<10 && u < len(units)-1 && n%(1<<10) == 0 {
		n >>= 10
		u++
	}
	return fmt.Sprintf("%d %s", n, units[u])
}
