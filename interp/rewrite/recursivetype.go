package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
)

// recursiveTypes refuses the package's types that the interpreter cannot
// build: a type that refers to itself other than through a struct or an
// interface (type F func(string) F, type P *P, type T []T, type M
// map[string]M, type C chan C). Loading one failed inside the
// interpreter, without a position ("reflect.Type is nil").
func (r *fileRewriter) recursiveTypes() {
	if r.info == nil {
		return
	}
	for _, decl := range r.file.AST.Decls {
		gd, ok := decl.(*ast.GenDecl)
		if !ok || gd.Tok != token.TYPE {
			continue
		}
		for _, s := range gd.Specs {
			ts := s.(*ast.TypeSpec)
			obj, ok := r.info.Defs[ts.Name].(*types.TypeName)
			if !ok || ts.Assign.IsValid() {
				continue
			}
			named, ok := obj.Type().(*types.Named)
			if !ok {
				continue
			}
			if path := recursionPath(named, named.Underlying(), map[types.Type]bool{}); path != "" {
				r.errorf(ts.Name.Pos(), "type %s refers to itself through %s, without a struct in between, which microfn's interpreter cannot build: wrap the recursion in a struct (type %s struct{ next … }), or serve it compiled (microfn serve --tier=auto, the default, serves it once built)", ts.Name.Name, path, ts.Name.Name)
			}
		}
	}
}

// recursionPath returns how t refers to the named type self other than
// through a struct or an interface ("a function result", "a pointer"),
// or "" if it does not.
func recursionPath(self *types.Named, t types.Type, seen map[types.Type]bool) string {
	if seen[t] {
		return ""
	}
	seen[t] = true
	switch t := t.(type) {
	case *types.Named:
		if t == self || t.Origin() == self {
			return "itself"
		}
		if t.Obj().Pkg() != self.Obj().Pkg() {
			return ""
		}
		return recursionPath(self, t.Underlying(), seen)
	case *types.Alias:
		return recursionPath(self, types.Unalias(t), seen)
	case *types.Pointer:
		if p := recursionPath(self, t.Elem(), seen); p != "" {
			return "a pointer"
		}
	case *types.Slice:
		if p := recursionPath(self, t.Elem(), seen); p != "" {
			return "a slice"
		}
	case *types.Array:
		if p := recursionPath(self, t.Elem(), seen); p != "" {
			return "an array"
		}
	case *types.Map:
		if recursionPath(self, t.Key(), seen) != "" || recursionPath(self, t.Elem(), seen) != "" {
			return "a map"
		}
	case *types.Chan:
		if p := recursionPath(self, t.Elem(), seen); p != "" {
			return "a channel"
		}
	case *types.Signature:
		for _, tuple := range []*types.Tuple{t.Params(), t.Results()} {
			for i := range tuple.Len() {
				if recursionPath(self, tuple.At(i).Type(), seen) != "" {
					return "a function type"
				}
			}
		}
	}
	return ""
}
