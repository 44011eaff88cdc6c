package funcs

import (
	"go/ast"
	"go/token"
	"path"
	"strings"
)

// Methods lists the methods through which encoding/json encodes and
// decodes a type of Kind [Marshaler]: the methods of json.Marshaler,
// json.Unmarshaler, encoding.TextMarshaler and encoding.TextUnmarshaler,
// declared on the type's value or pointer receiver with those
// interfaces' signatures. Such a type travels as what its methods write
// and read, as with encoding/json: the JSON of MarshalJSON when it has
// one, else the JSON string of MarshalText's text; decoding JSON calls
// UnmarshalJSON when it has one, else UnmarshalText with a JSON string's
// text.
type Methods struct {
	MarshalJSON, MarshalText, UnmarshalJSON, UnmarshalText bool
	// ValueText reports that MarshalText has the value receiver, which
	// encoding/json requires of the types of map keys.
	ValueText bool
	// IsZero reports an IsZero() bool method, which encoding/json calls
	// for fields tagged omitzero.
	IsZero bool
}

// Text reports that values travel as JSON strings, the text of their
// MarshalText method: the type has no MarshalJSON.
func (m *Methods) Text() bool { return !m.MarshalJSON }

// encodes reports a method that writes the type.
func (m *Methods) encodes() bool { return m.MarshalJSON || m.MarshalText }

// decodes reports a method that reads the type.
func (m *Methods) decodes() bool { return m.UnmarshalJSON || m.UnmarshalText }

// marshalMethods are the names the scan of a package's methods keeps.
var marshalMethods = map[string]bool{
	"MarshalJSON": true, "UnmarshalJSON": true, "MarshalText": true, "UnmarshalText": true, "IsZero": true,
}

// declared is what a package declares of the methods of one of its named
// types that encoding/json calls.
type declared struct {
	Methods
	// first is the first JSON or text method in the source, for
	// messages; its name is firstName. zero is the IsZero method.
	first     token.Pos
	firstName string
	zero      token.Pos
}

// addMethod records the method d of a package, when it is one that
// encoding/json calls, with the signature it calls.
func (r *resolver) addMethod(d *ast.FuncDecl) {
	name := d.Name.Name
	if !marshalMethods[name] || d.Recv == nil || len(d.Recv.List) != 1 {
		return
	}
	recv := d.Recv.List[0].Type
	ptr := false
	if star, ok := ast.Unparen(recv).(*ast.StarExpr); ok {
		recv, ptr = star.X, true
	}
	id, ok := ast.Unparen(recv).(*ast.Ident)
	if !ok { // a generic type's method: generic types never travel
		return
	}
	if !methodSignature(name, d.Type) {
		return // encoding/json does not call it either
	}
	m := r.methods[id.Name]
	if m == nil {
		m = &declared{}
		r.methods[id.Name] = m
	}
	switch name {
	case "IsZero":
		m.IsZero, m.zero = true, d.Name.Pos()
		return
	case "MarshalJSON":
		m.MarshalJSON = true
	case "MarshalText":
		m.MarshalText, m.ValueText = true, !ptr
	case "UnmarshalJSON":
		m.UnmarshalJSON = true
	case "UnmarshalText":
		m.UnmarshalText = true
	}
	if !m.first.IsValid() || d.Name.Pos() < m.first {
		m.first, m.firstName = d.Name.Pos(), name
	}
}

// methodSignature reports whether ft is the signature encoding/json
// calls a method called name with: Marshal… () ([]byte, error),
// Unmarshal… ([]byte) error, IsZero() bool.
func methodSignature(name string, ft *ast.FuncType) bool {
	params, results := fieldTypes(ft.Params), fieldTypes(ft.Results)
	switch name {
	case "MarshalJSON", "MarshalText":
		return len(params) == 0 && len(results) == 2 && isByteSlice(results[0]) && isIdent(results[1], "error")
	case "UnmarshalJSON", "UnmarshalText":
		return len(params) == 1 && isByteSlice(params[0]) && len(results) == 1 && isIdent(results[0], "error")
	case "IsZero":
		return len(params) == 0 && len(results) == 1 && isIdent(results[0], "bool")
	}
	return false
}

// fieldTypes returns the type of each parameter or result of fl.
func fieldTypes(fl *ast.FieldList) []ast.Expr {
	var out []ast.Expr
	if fl == nil {
		return out
	}
	for _, f := range fl.List {
		for range max(1, len(f.Names)) {
			out = append(out, f.Type)
		}
	}
	return out
}

func isIdent(e ast.Expr, name string) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && id.Name == name
}

func isByteSlice(e ast.Expr) bool {
	at, ok := ast.Unparen(e).(*ast.ArrayType)
	return ok && at.Len == nil && (isIdent(at.Elt, "byte") || isIdent(at.Elt, "uint8"))
}

// marshaler describes the named type name, declared by spec, as a type of
// Kind Marshaler with the methods m, or reports why it cannot travel: it
// must have a method that writes it and one that reads it.
func (r *resolver) marshaler(name string, spec *ast.TypeSpec, m *declared) (*Type, bool) {
	switch {
	case m.encodes() && !m.decodes():
		r.sink.errorf(m.first, "type %s has a %s method but no UnmarshalJSON or UnmarshalText: microfn could write its values but not read them back, as a request or a nested call must (add the method that reads what %s writes)", name, m.firstName, m.firstName)
		return nil, false
	case m.decodes() && !m.encodes():
		r.sink.errorf(m.first, "type %s has a %s method but no MarshalJSON or MarshalText: encoding/json would write its fields and read it with the method (add the method that writes what %s reads)", name, m.firstName, m.firstName)
		return nil, false
	}
	methods := m.Methods
	t := &Type{Kind: Marshaler, Name: name, Package: r.pkgPath, Pos: r.sink.fset.Position(spec.Name.Pos()), Methods: &methods}
	if spec.Doc != nil {
		t.Doc = strings.TrimSpace(spec.Doc.Text())
	}
	return t, true
}

// QualifiedName returns the import path and the name of a named type of
// another package ("github.com/google/uuid.UUID"), or the name alone
// for one of the package itself.
func (t *Type) QualifiedName() string {
	if t.Package == "" {
		return t.Name
	}
	return t.Package + "." + t.Name
}

// QualifiedString returns a named type as code of another package writes
// it ("uuid.UUID"), and other types as [Type.String] does.
func (t *Type) QualifiedString() string {
	if t.Name == "" || t.Package == "" {
		return t.String()
	}
	return path.Base(t.Package) + "." + t.Name
}

// MarshalerTypes returns the package-level types of the package of Kind
// [Marshaler], in source order: the types that travel as what their own
// JSON or text methods write. The code that loads the package calls
// their methods for microfn.
func (p *Package) MarshalerTypes() []*Type {
	var out []*Type
	for _, f := range p.Files {
		for _, d := range f.AST.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				ts := s.(*ast.TypeSpec)
				if ts.Assign.IsValid() || ts.TypeParams != nil || ts.Name.Name == "_" {
					continue
				}
				if t, err := p.lookupType(ts.Name.Name); err == nil && t.Kind == Marshaler {
					out = append(out, t)
				}
			}
		}
	}
	return out
}
