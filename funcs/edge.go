package funcs

import (
	"fmt"
	"go/ast"
	"mime"
	"strings"
)

// APIPath is the import path of package microfn, whose File type
// services may take and return.
const APIPath = "github.com/microfn/microfn"

// What a call from outside must show, as the directive's auth= option
// says it.
const (
	// AuthNone: nothing; the service is open.
	AuthNone = "none"
	// AuthToken: the server's bearer token (serve --token).
	AuthToken = "token"
	// AuthJWT: a JSON Web Token the server verifies with its keys (serve
	// --jwt-keys, or --auth PREFIX=jwt:FILE).
	AuthJWT = "jwt"
)

// checkAuth validates the value of an auth= option.
func checkAuth(value string) error {
	switch value {
	case AuthNone, AuthToken, AuthJWT:
		return nil
	}
	return fmt.Errorf("auth: want none, token or jwt, got %q", value)
}

// checkContentType validates the value of a content-type= option: a
// media type such as image/png or text/csv;charset=utf-8.
func checkContentType(value string) error {
	mt, _, err := mime.ParseMediaType(value)
	if err != nil || !strings.Contains(mt, "/") {
		return fmt.Errorf("content-type: want a media type such as image/png, got %q", value)
	}
	return nil
}

// resolveSeq describes iter.Seq[T] and iter.Seq2[T, error], the results
// of services that stream their values; ok is false for any other
// generic type.
func (r *resolver) resolveSeq(f *ast.File, e ast.Expr, what string) (*Type, bool) {
	var x ast.Expr
	var args []ast.Expr
	switch ix := e.(type) {
	case *ast.IndexExpr:
		x, args = ix.X, []ast.Expr{ix.Index}
	case *ast.IndexListExpr:
		x, args = ix.X, ix.Indices
	}
	sel, ok := x.(*ast.SelectorExpr)
	if !ok {
		return nil, false
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok || importPathOf(f, pkg.Name) != "iter" {
		return nil, false
	}
	switch {
	case sel.Sel.Name == "Seq" && len(args) == 1:
	case sel.Sel.Name == "Seq2" && len(args) == 2:
		if et := r.resolve(f, args[1], what); et == nil || et.Kind != Error {
			if et != nil {
				r.sink.errorf(args[1].Pos(), "%s: a service streams iter.Seq[T] or iter.Seq2[T, error], not iter.Seq2 of another second type", what)
			}
			return nil, true
		}
	default:
		return nil, false
	}
	elem := r.resolveValue(f, args[0], what)
	if elem == nil {
		return nil, true
	}
	if elem.Kind == FileKind {
		r.sink.errorf(args[0].Pos(), "%s: a stream of files cannot be served: stream JSON values", what)
		return nil, true
	}
	return &Type{Kind: Seq, Elem: elem, SeqErr: sel.Sel.Name == "Seq2"}, true
}

// checkEdgeResults checks the results of d that are not sent as JSON: a
// stream (iter.Seq) is the only result, and content-type= is set only for
// a []byte result.
func checkEdgeResults(sink *errorSink, fd *ast.FuncDecl, d *Descriptor) bool {
	ok := true
	for i, t := range d.Results {
		if t.Kind == Seq && (len(d.Results) > 1 || d.Error) {
			sink.errorf(fd.Type.Results.Pos(), "service %s: result %d: %s must be the only result (an error travels in the stream: use iter.Seq2[T, error])", d.Name, i+1, t)
			ok = false
		}
	}
	if d.ContentType != "" && (len(d.Results) != 1 || d.Results[0].Kind != Bytes) {
		sink.errorf(fd.Name.Pos(), "service %s: content-type= needs a single []byte result, sent as it is (a microfn.File result carries its own content type)", d.Name)
		ok = false
	}
	return ok
}
