package rewrite

import (
	"go/ast"
	"go/token"
	"strings"
)

// commClause works around the interpreter's select cases that assign a
// received value (case xs[i] = <-c, case v, ok = <-c): it fails on them
// ("reflect.Select: invalid Dir" when the case has no body, and stores
// nothing into an index expression or a field otherwise). The case
// receives into fresh variables and assigns them first thing in its
// body, which is when Go evaluates the left-hand side:
//
//	case xs[i], ok = <-c:  =>  case t1, t2 := <-c: xs[i], ok = t1, t2;
func (r *fileRewriter) commClause(cc *ast.CommClause) {
	as, ok := cc.Comm.(*ast.AssignStmt)
	if !ok || as.Tok != token.ASSIGN {
		return
	}
	var lhs, temps []string
	for _, e := range as.Lhs {
		if !r.copyable(e) {
			r.errorf(e.Pos(), "this select case assigns to %s, which microfn's interpreter cannot rewrite: receive into new variables (case v := <-c:) and assign them in the case", r.text(e))
			return
		}
		lhs = append(lhs, r.text(e)) // _ too: it uses the fresh variable
		temps = append(temps, r.temp())
	}
	r.replaceKeepLines(as.Lhs[0].Pos(), as.TokPos+token.Pos(len("=")), strings.Join(temps, ", ")+" :=")
	r.insert(cc.Colon+1, " "+strings.Join(lhs, ", ")+" = "+strings.Join(temps, ", ")+";")
}
