package rewrite

import (
	"go/ast"
	"go/types"
	"strings"
)

// methodExpr spells a method expression T.M (or (*T).M), which the
// interpreter fails on, as the function literal it stands for:
//
//	T.M  =>  (func(r T, p P) Q { return r.M(p) })
//
// on its line. (Method values, x.M, need no rewrite: microfn's
// interpreter binds their receiver when they are evaluated, see
// third_party/yaegi/FORK.md.)
func (r *fileRewriter) methodExpr(sel *ast.SelectorExpr) {
	if r.info == nil {
		return
	}
	if selection := r.info.Selections[sel]; selection == nil || selection.Kind() != types.MethodExpr {
		return
	}
	if strings.Contains(r.text(sel), "\n") {
		return
	}
	sig, ok := r.info.Types[sel].Type.(*types.Signature)
	if !ok || sig.TypeParams().Len() > 0 || sig.Params().Len() == 0 {
		return
	}
	fw, ok := r.forwarder(sig)
	if !ok {
		return
	}
	r.replace(sel.Pos(), sel.End(), "("+fw.literal(fw.names[0]+"."+sel.Sel.Name, fw.args[1:])+")")
}

// A forwarder spells a function literal of a signature that passes its
// parameters on to another call.
type forwarder struct {
	params []string // "p T", "p ...T"
	names  []string // "p"
	args   []string // "p", "p..."
	typ    string   // func(T, ...T) (R)
	result string   // " (R)" or ""
}

// forwarder names the parameters of sig and spells its types.
func (r *fileRewriter) forwarder(sig *types.Signature) (forwarder, bool) {
	var fw forwarder
	var paramTypes, results []string
	for j := range sig.Params().Len() {
		t := sig.Params().At(j).Type()
		prefix, ellipsis := "", ""
		if sig.Variadic() && j == sig.Params().Len()-1 {
			t, prefix, ellipsis = t.(*types.Slice).Elem(), "...", "..."
		}
		typ, ok := r.typeString(t)
		if !ok {
			return fw, false
		}
		p := r.temp()
		fw.params = append(fw.params, p+" "+prefix+typ)
		fw.names = append(fw.names, p)
		fw.args = append(fw.args, p+ellipsis)
		paramTypes = append(paramTypes, prefix+typ)
	}
	for j := range sig.Results().Len() {
		typ, ok := r.typeString(sig.Results().At(j).Type())
		if !ok {
			return fw, false
		}
		results = append(results, typ)
	}
	if len(results) > 0 {
		fw.result = " (" + strings.Join(results, ", ") + ")"
	}
	fw.typ = "func(" + strings.Join(paramTypes, ", ") + ")" + fw.result
	return fw, true
}

// literal returns the function literal that calls target with args.
func (fw forwarder) literal(target string, args []string) string {
	ret := ""
	if fw.result != "" {
		ret = "return "
	}
	return "func(" + strings.Join(fw.params, ", ") + ")" + fw.result + " { " + ret + target + "(" + strings.Join(args, ", ") + ") }"
}
