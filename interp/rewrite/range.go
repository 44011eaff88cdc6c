package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// rangeStmt rewrites range over an integer into a counting loop. (The
// interpreter ranges over functions itself, and loop variables need no
// copies: microfn's interpreter makes them per-iteration, see
// third_party/yaegi/FORK.md.)
func (r *fileRewriter) rangeStmt(s *ast.RangeStmt) {
	kind, typ := r.rangeKind(s.X)
	if s.Tok == token.ASSIGN && s.Key != nil {
		r.rangeAssign(s, kind, typ)
		return
	}
	if kind == rangeInt {
		r.rangeInt(s, typ)
	}
}

// rangeKindT is what a range statement ranges over, as far as the
// rewrite cares.
type rangeKindT int

const (
	rangeOther rangeKindT = iota
	rangeInt
	rangeFunc
)

// rangeKind tells what a range statement ranges over, and the integer
// type's spelling for range over int ("" if the file cannot spell it).
func (r *fileRewriter) rangeKind(x ast.Expr) (rangeKindT, string) {
	if r.info != nil {
		if tv, ok := r.info.Types[x]; ok && tv.Type != nil {
			switch u := tv.Type.Underlying().(type) {
			case *types.Signature:
				return rangeFunc, ""
			case *types.Basic:
				if u.Info()&types.IsInteger != 0 {
					if u.Info()&types.IsUntyped != 0 {
						return rangeInt, "int"
					}
					if typ, ok := r.typeString(tv.Type); ok {
						return rangeInt, typ
					}
					return rangeInt, ""
				}
			}
			return rangeOther, ""
		}
	}
	if lit, ok := x.(*ast.BasicLit); ok && lit.Kind == token.INT {
		return rangeInt, "int"
	}
	if _, ok := x.(*ast.FuncLit); ok {
		return rangeFunc, ""
	}
	return rangeOther, ""
}

// rangeInt rewrites `for i := range n { body }` into
// `for c, m := T(0), n; c < m; c++ { i := c; { body } }`, which keeps
// range's semantics: n is evaluated once, i is per-iteration and assigning
// it does not change the count. Only the text between for and n and
// inside the braces changes, so a label and line breaks stay as written.
func (r *fileRewriter) rangeInt(s *ast.RangeStmt, typ string) {
	if s.Tok == token.ASSIGN {
		r.errorf(s.For, "range over an integer with = is not supported by microfn's interpreter: write for i = 0; i < n; i++")
		return
	}
	if typ == "" {
		t := r.info.Types[s.X].Type
		r.errorf(s.X.Pos(), "range over a %s, whose package this file does not import, is not supported by microfn's interpreter: import it, or range over %s(n)", t, t.Underlying())
		return
	}
	c, m := r.temp(), r.temp()
	header := fmt.Sprintf(" %s, %s := %s(0), ", c, m, typ)
	r.replaceKeepLines(s.For+token.Pos(len("for")), s.X.Pos(), header)
	r.insert(s.X.End(), fmt.Sprintf("; %s < %s; %s++", c, m, c))
	if id, ok := s.Key.(*ast.Ident); ok && id.Name != "_" {
		r.insert(s.Body.Lbrace+1, fmt.Sprintf(" %s := %s; _ = %s; {", id.Name, c, id.Name))
		r.insert(s.Body.Rbrace, "}")
	}
}

// rangeAssign works around the interpreter's range statements that assign
// to variables declared outside (for i = range xs): it declares new
// variables for the iteration instead, so the outer ones keep their
// values (i := 0; for i = range [5]int{} {} left i at 0). The statement
// ranges into fresh variables and assigns them first thing in the body,
// as Go does at each iteration:
//
//	for k, v = range x { body }  =>  for t1, t2 := range x { k, v = t1, t2; { body } }
//
// Range over an integer becomes a counting loop (see rangeInt). A key or
// value the rewrite cannot copy (spanning lines, holding a function
// literal) is an error with a suggestion.
func (r *fileRewriter) rangeAssign(s *ast.RangeStmt, kind rangeKindT, intType string) {
	var lhs, temps []string
	for _, e := range []ast.Expr{s.Key, s.Value} {
		if e == nil {
			continue
		}
		if id, ok := e.(*ast.Ident); ok && id.Name == "_" {
			temps = append(temps, "_")
			continue
		}
		if !r.copyable(e) {
			r.errorf(e.Pos(), "this range statement assigns to %s, which microfn's interpreter cannot rewrite: range into new variables (for k, v := range …) and assign them in the body", r.text(e))
			return
		}
		t := r.temp()
		lhs = append(lhs, r.text(e))
		temps = append(temps, t)
	}
	if len(lhs) == 0 { // for _ = range x, for _, _ = range x: nothing is assigned
		return
	}
	assign := " " + strings.Join(lhs, ", ") + " = " + strings.Join(nonBlank(temps), ", ") + "; {"
	if kind == rangeInt {
		// for k = range n: the count has the key's type.
		if intType == "" || r.info == nil {
			r.rangeInt(s, intType) // an error
			return
		}
		if tv, ok := r.info.Types[s.Key]; ok && tv.Type != nil {
			if typ, ok := r.typeString(tv.Type); ok {
				intType = typ
			}
		}
		c, m := r.temp(), r.temp()
		conv := ""
		if tv, ok := r.info.Types[s.X]; ok && (tv.Value != nil || tv.Type != nil && isUntyped(tv.Type)) {
			conv = intType // an untyped constant takes the key's type
		}
		r.replaceKeepLines(s.For+token.Pos(len("for")), s.X.Pos(), fmt.Sprintf(" %s, %s := %s(0), %s(", c, m, intType, conv))
		r.insert(s.X.End(), fmt.Sprintf("); %s < %s; %s++", c, m, c))
		r.insert(s.Body.Lbrace+1, " "+strings.Join(lhs, ", ")+" = "+c+"; {")
		r.insert(s.Body.Rbrace, "}")
		return
	}
	r.replaceKeepLines(s.Key.Pos(), s.TokPos+token.Pos(len("=")), strings.Join(temps, ", ")+" :=")
	r.insert(s.Body.Lbrace+1, assign)
	r.insert(s.Body.Rbrace, "}")
}
