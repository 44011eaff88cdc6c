package funcs

import (
	"go/ast"
	"reflect"
	"strconv"
	"strings"
)

// structFields describes the fields of a struct type declared in file f.
// Unexported fields are listed (they count for field positions) but their
// types are not resolved: JSON never shows them.
func (r *resolver) structFields(f *ast.File, st *ast.StructType, what string) ([]*Field, bool) {
	var fields []*Field
	ok := true
	index := 0
	for _, af := range st.Fields.List {
		tag := ""
		if af.Tag != nil {
			if s, err := strconv.Unquote(af.Tag.Value); err == nil {
				tag = reflect.StructTag(s).Get("json")
			}
		}
		doc := ""
		switch {
		case af.Doc != nil:
			doc = strings.TrimSpace(af.Doc.Text())
		case af.Comment != nil:
			doc = strings.TrimSpace(af.Comment.Text())
		}
		names := af.Names
		embedded := len(names) == 0
		if embedded {
			names = []*ast.Ident{{Name: embeddedName(af.Type), NamePos: af.Type.Pos()}}
		}
		for _, name := range names {
			fd := &Field{
				Name:     name.Name,
				Index:    index,
				Exported: ast.IsExported(name.Name),
				Embedded: embedded,
				Doc:      doc,
				Pos:      r.sink.fset.Position(name.Pos()),
			}
			index++
			fd.applyTag(tag)
			fields = append(fields, fd)
			if embedded {
				if m, promoted := r.promotedJSONMethod(f, af.Type); promoted {
					// The struct gets the method, whatever the field's tag.
					r.sink.errorf(af.Type.Pos(), "%s: embedded field %s promotes its %s method: encoding/json would encode the whole struct as that field alone (give the field a name)", what, name.Name, m)
					ok = false
					continue
				}
			}
			if fd.Skip || (!fd.Exported && !embedded) || name.Name == "_" {
				continue
			}
			if strings.Contains(tag, ",string") {
				r.sink.errorf(af.Tag.Pos(), "%s: field %s: the json tag option \",string\" is not supported", what, name.Name)
				ok = false
				continue
			}
			ft := r.resolveValue(f, af.Type, what+": field "+name.Name)
			if ft == nil {
				ok = false
				continue
			}
			if embedded && !fd.Exported && !isStructish(ft) {
				continue // encoding/json ignores unexported embedded non-struct fields
			}
			if fd.OmitZero {
				named := ft
				if named.Kind == Pointer && named.Name == "" {
					named = named.Elem
				}
				if r.hasIsZero(named) {
					r.sink.errorf(af.Tag.Pos(), "%s: field %s is tagged omitzero and its type %s has an IsZero method, which microfn does not call: it would leave out other values than encoding/json (remove omitzero)", what, name.Name, named.Name)
					ok = false
					continue
				}
			}
			fd.Type = ft
		}
	}
	return fields, ok
}

// promotedJSONMethod reports the JSON method, if any, that embedding the
// type e promotes to the struct: time.Time's or a [StdType]'s, or one
// declared on the embedded type in the package or in the package of
// another module that declares it.
func (r *resolver) promotedJSONMethod(f *ast.File, e ast.Expr) (string, bool) {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
			continue
		case *ast.ParenExpr:
			e = x.X
			continue
		case *ast.SelectorExpr:
			pkg, ok := x.X.(*ast.Ident)
			if !ok {
				return "", false
			}
			path := importPathNamed(f, pkg.Name, r.imp)
			if path == "time" && x.Sel.Name == "Time" {
				return "MarshalJSON", true
			}
			if st := lookupStd(path, x.Sel.Name); st != nil {
				if st.Number {
					return "MarshalJSON", true
				}
				return "MarshalText", true
			}
			if m := r.importedMethods(path, x.Sel.Name); m != nil && m.firstName != "" {
				return m.firstName, true
			}
		case *ast.Ident:
			if m, ok := r.methods[x.Name]; ok && m.firstName != "" {
				return m.firstName, true
			}
		}
		return "", false
	}
}

// hasIsZero reports whether encoding/json would call an IsZero method of
// the named type t for a field tagged omitzero.
func (r *resolver) hasIsZero(t *Type) bool {
	if t.Name == "" {
		return false
	}
	if t.Kind == Marshaler {
		return t.Methods.IsZero
	}
	if t.Package != r.pkgPath {
		m := r.importedMethods(t.Package, t.Name)
		return m != nil && m.IsZero
	}
	m, ok := r.methods[t.Name]
	return ok && m.IsZero
}

// importedMethods returns what the package of import path pkg, which
// the importer gives, declares of the methods of its type name; nil when
// it declares none or is not at hand.
func (r *resolver) importedMethods(pkg, name string) *declared {
	if r.imp == nil {
		return nil
	}
	dep, ok := r.imp(pkg)
	if !ok {
		return nil
	}
	return dep.declaredMethods(name)
}

// embeddedName returns the field name of an embedded field of type e: the
// type's name without package qualifier, pointer or type arguments.
func embeddedName(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.ParenExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.SelectorExpr:
			return x.Sel.Name
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

func isStructish(t *Type) bool {
	return t.Kind == Struct || (t.Kind == Pointer && t.Elem != nil && t.Elem.Kind == Struct)
}

// applyTag records the json tag's name and options on fd.
func (fd *Field) applyTag(tag string) {
	fd.JSONName = fd.Name
	if tag == "-" {
		fd.Skip = true
		return
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name != "" && validTagName(name) {
		fd.JSONName, fd.Tagged = name, true
	}
	for opts != "" {
		var o string
		o, opts, _ = strings.Cut(opts, ",")
		switch o {
		case "omitempty":
			fd.OmitEmpty = true
		case "omitzero":
			fd.OmitZero = true
		}
	}
}

// validTagName follows encoding/json's rule for json tag names.
func validTagName(s string) bool {
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !isLetterOrDigit(c):
			return false
		}
	}
	return true
}

func isLetterOrDigit(c rune) bool {
	return c == '_' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') || c > 127
}
