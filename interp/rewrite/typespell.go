package rewrite

import (
	"go/types"
	"strconv"

	"github.com/microfn/microfn/interp/internal/typesutil"
)

// typeString spells t as the file can refer to it. It reports false when
// t names a package the file does not import, or a type another package
// does not export.
func (r *fileRewriter) typeString(t types.Type) (string, bool) {
	if !r.nameable(t) {
		return "", false
	}
	ok := true
	s := types.TypeString(t, func(p *types.Package) string {
		name, found := r.qualifier(p)
		ok = ok && found
		return name
	})
	return s, ok
}

// nameable reports whether every named type t is made of is declared in
// the package or exported.
func (r *fileRewriter) nameable(t types.Type) bool {
	switch t := t.(type) {
	case *types.Named:
		if obj := t.Obj(); obj.Pkg() != nil && obj.Pkg().Path() != typesutil.CheckPath(r.pkg) && !obj.Exported() {
			return false
		}
		for i := range t.TypeArgs().Len() {
			if !r.nameable(t.TypeArgs().At(i)) {
				return false
			}
		}
	case *types.Alias:
		if obj := t.Obj(); obj.Pkg() != nil && obj.Pkg().Path() != typesutil.CheckPath(r.pkg) && !obj.Exported() {
			return false
		}
	case *types.Pointer:
		return r.nameable(t.Elem())
	case *types.Slice:
		return r.nameable(t.Elem())
	case *types.Array:
		return r.nameable(t.Elem())
	case *types.Chan:
		return r.nameable(t.Elem())
	case *types.Map:
		return r.nameable(t.Key()) && r.nameable(t.Elem())
	case *types.Tuple:
		for i := range t.Len() {
			if !r.nameable(t.At(i).Type()) {
				return false
			}
		}
	case *types.Signature:
		return r.nameable(t.Params()) && r.nameable(t.Results())
	case *types.Struct:
		for i := range t.NumFields() {
			if f := t.Field(i); !r.nameable(f.Type()) || (!f.Exported() && f.Pkg() != nil && f.Pkg().Path() != typesutil.CheckPath(r.pkg)) {
				return false
			}
		}
	case *types.Interface:
		for i := range t.NumMethods() {
			if !r.nameable(t.Method(i).Type()) {
				return false
			}
		}
	}
	return true
}

// qualifier spells packages as the file imports them: by the name the
// import gives, nothing for a dot import or the package itself. It reports
// false for a package the file does not import.
func (r *fileRewriter) qualifier(p *types.Package) (string, bool) {
	if p == nil || p.Path() == typesutil.CheckPath(r.pkg) {
		return "", true
	}
	for _, imp := range r.file.AST.Imports {
		path, _ := strconv.Unquote(imp.Path.Value)
		if path != p.Path() {
			continue
		}
		if imp.Name == nil {
			return p.Name(), true
		}
		switch imp.Name.Name {
		case "_":
			continue
		case ".":
			return "", true
		}
		return imp.Name.Name, true
	}
	return p.Name(), false
}
