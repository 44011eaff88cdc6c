package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
	"strings"
)

// mapMultiAssign works around the interpreter's assignments of several
// values from one expression when a left-hand side is a map entry
// (m[k], ok = <-c; m[k], ok = x.(T); m[k], err = f()): the interpreter
// writes the value into a copy of the entry, so the map is unchanged.
// The values go into fresh variables first:
//
//	m[k], ok = <-c  =>  { t1, t2 := <-c; m[k], ok = t1, t2 }
//
// on the statement's lines. Go evaluates the operands of the map index
// before the right-hand side; when they call a function or receive, that
// order would change, which is an error with a suggestion instead.
func (r *fileRewriter) mapMultiAssign(as *ast.AssignStmt) {
	if r.info == nil || as.Tok != token.ASSIGN || len(as.Lhs) < 2 || len(as.Rhs) != 1 {
		return
	}
	hasMap := false
	for _, e := range as.Lhs {
		if ix, ok := ast.Unparen(e).(*ast.IndexExpr); ok {
			if t := r.info.TypeOf(ix.X); t != nil {
				if _, ok := t.Underlying().(*types.Map); ok {
					hasMap = true
				}
			}
		}
	}
	if !hasMap {
		return
	}
	inList := false
	if len(r.stack) > 0 {
		switch p := r.stack[len(r.stack)-1].(type) {
		case *ast.BlockStmt, *ast.CaseClause:
			inList = true
		case *ast.CommClause:
			if p.Comm == as {
				return // a select case: see commClause
			}
			inList = true
		}
	}
	var lhs, temps []string
	for _, e := range as.Lhs {
		if id, ok := e.(*ast.Ident); ok && id.Name == "_" {
			temps = append(temps, "_")
			continue
		}
		if !inList || !r.copyable(e) || r.callsOrReceives(e) {
			r.errorf(e.Pos(), "assigning several values to a map entry here is not supported by microfn's interpreter (the map would not change): assign them to new variables first (v, ok := …; m[k] = v)")
			return
		}
		lhs = append(lhs, r.text(e))
		temps = append(temps, r.temp())
	}
	r.insert(as.Pos(), "{ ")
	r.replaceKeepLines(as.Lhs[0].Pos(), as.TokPos+token.Pos(len("=")), strings.Join(temps, ", ")+" :=")
	r.insert(as.End(), "; "+strings.Join(lhs, ", ")+" = "+strings.Join(nonBlank(temps), ", ")+" }")
}

// isCall reports whether x calls a function, rather than converting a
// value to a type.
func (r *fileRewriter) isCall(x *ast.CallExpr) bool {
	tv, ok := r.info.Types[x.Fun]
	return !ok || !tv.IsType()
}

// callsOrReceives reports whether evaluating e may call a function or
// receive from a channel.
func (r *fileRewriter) callsOrReceives(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.CallExpr:
			if r.isCall(x) {
				found = true
			}
		case *ast.UnaryExpr:
			found = found || x.Op == token.ARROW
		}
		return !found
	})
	return found
}
