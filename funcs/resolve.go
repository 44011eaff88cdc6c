package funcs

import (
	"go/ast"
	"go/token"
	"path"
	"strconv"
	"strings"
	"unicode"
)

// resolver turns type expressions of one package into [Type] values.
type resolver struct {
	sink *errorSink
	// decls holds the package-level type declarations by name.
	decls map[string]typeDecl
	// consts holds package-level constants with an integer literal value.
	consts map[string]int
	// named caches resolved named types; a placeholder is stored before its
	// underlying type is resolved, so recursive types terminate.
	named map[string]*Type
	// methods holds, by type name, the methods of the package's types
	// that encoding/json calls.
	methods map[string]*declared
	// failed remembers named types that could not be described, with the
	// first error that said why (nil when it was reported elsewhere).
	failed map[string]*SourceError
	// aliasing holds the aliases being resolved, to stop on alias cycles.
	aliasing map[string]bool
	// constVals are the package-level constants it could evaluate, and
	// enums the constants of each named type, by the type's name.
	constVals map[string]typedConst
	enums     map[string][]EnumValue
	// varDocs are the doc comments of package-level variables.
	varDocs map[string]string
	// imp gives the packages of a module whose types may appear in
	// signatures; pkgPath is the import path of the resolver's own
	// package when it is such a package for another one.
	imp     Importer
	pkgPath string
}

type typeDecl struct {
	spec *ast.TypeSpec
	file *ast.File
}

func newResolver(sink *errorSink, files []*ast.File) *resolver {
	r := &resolver{
		sink:      sink,
		decls:     map[string]typeDecl{},
		consts:    map[string]int{},
		named:     map[string]*Type{},
		methods:   map[string]*declared{},
		failed:    map[string]*SourceError{},
		aliasing:  map[string]bool{},
		constVals: map[string]typedConst{},
		enums:     map[string][]EnumValue{},
		varDocs:   map[string]string{},
	}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.GenDecl:
				r.addGenDecl(f, d)
			case *ast.FuncDecl:
				r.addMethod(d)
			}
		}
	}
	return r
}

func (r *resolver) addGenDecl(f *ast.File, d *ast.GenDecl) {
	switch d.Tok {
	case token.CONST:
		r.addConsts(d)
	case token.VAR:
		r.addVarDocs(d)
	}
	for _, s := range d.Specs {
		switch s := s.(type) {
		case *ast.TypeSpec:
			if s.Doc == nil && len(d.Specs) == 1 {
				s.Doc = d.Doc
			}
			r.decls[s.Name.Name] = typeDecl{s, f}
		case *ast.ValueSpec:
			if d.Tok != token.CONST {
				continue
			}
			for i, name := range s.Names {
				if i < len(s.Values) {
					if lit, ok := s.Values[i].(*ast.BasicLit); ok && lit.Kind == token.INT {
						if n, err := strconv.ParseInt(lit.Value, 0, 64); err == nil {
							r.consts[name.Name] = int(n)
						}
					}
				}
			}
		}
	}
}

// basicKinds maps predeclared type names to kinds.
var basicKinds = map[string]Kind{
	"bool": Bool, "int": Int, "int8": Int8, "int16": Int16, "int32": Int32, "rune": Int32,
	"int64": Int64, "uint": Uint, "uint8": Uint8, "byte": Uint8, "uint16": Uint16,
	"uint32": Uint32, "uint64": Uint64, "uintptr": Uintptr, "float32": Float32,
	"float64": Float64, "string": String, "any": Any, "error": Error,
}

// resolve describes the type expression e, found in file f. what names the
// thing being typed (for messages, e.g. `parameter "x"`). It reports an
// error and returns nil for types that cannot travel in JSON.
func (r *resolver) resolve(f *ast.File, e ast.Expr, what string) *Type {
	switch x := e.(type) {
	case *ast.ParenExpr:
		return r.resolve(f, x.X, what)
	case *ast.Ident:
		if k, ok := basicKinds[x.Name]; ok {
			if _, shadowed := r.decls[x.Name]; !shadowed {
				return &Type{Kind: k}
			}
		}
		return r.resolveNamed(f, x, what)
	case *ast.SelectorExpr:
		return r.resolveQualified(f, x, what)
	case *ast.StarExpr:
		elem := r.resolveValue(f, x.X, what)
		if elem == nil {
			return nil
		}
		return &Type{Kind: Pointer, Elem: elem}
	case *ast.Ellipsis:
		elem := r.resolveValue(f, x.Elt, what)
		if elem == nil {
			return nil
		}
		return sliceOf(elem)
	case *ast.ArrayType:
		elem := r.resolveValue(f, x.Elt, what)
		if elem == nil {
			return nil
		}
		if x.Len == nil {
			return sliceOf(elem)
		}
		n, ok := r.arrayLen(x.Len)
		if !ok {
			r.sink.errorf(x.Len.Pos(), "%s: array length must be an integer literal or a constant declared as one", what)
			return nil
		}
		return &Type{Kind: Array, Len: n, Elem: elem}
	case *ast.MapType:
		key := r.resolveValue(f, x.Key, what)
		elem := r.resolveValue(f, x.Value, what)
		if key == nil || elem == nil {
			return nil
		}
		if !IsMapKey(key) {
			r.sink.errorf(x.Key.Pos(), "%s: map key type %s is not supported: encoding/json writes map keys as strings, from keys of a string or integer type, time.Time, or a type with a MarshalText method such as netip.Addr", what, key)
			return nil
		}
		return &Type{Kind: Map, Key: key, Elem: elem}
	case *ast.StructType:
		fields, ok := r.structFields(f, x, what)
		if !ok {
			return nil
		}
		return &Type{Kind: Struct, Fields: fields}
	case *ast.InterfaceType:
		if x.Methods == nil || len(x.Methods.List) == 0 {
			return &Type{Kind: Any}
		}
		r.sink.errorf(x.Pos(), "%s: interface types with methods are not supported: microfn cannot decode JSON into them (use a struct or any)", what)
		return nil
	case *ast.ChanType:
		r.sink.errorf(x.Pos(), "%s: channel types cannot travel in JSON", what)
	case *ast.FuncType:
		r.sink.errorf(x.Pos(), "%s: function types cannot travel in JSON", what)
	case *ast.IndexExpr, *ast.IndexListExpr:
		if t, ok := r.resolveSeq(f, e, what); ok {
			return t
		}
		r.sink.errorf(e.Pos(), "%s: generic types are not supported in service signatures", what)
	default:
		r.sink.errorf(e.Pos(), "%s: this type is not supported in service signatures", what)
	}
	return nil
}

// resolveValue is resolve for types that sit inside other types (elements,
// keys, fields): error and context.Context cannot travel in JSON there.
func (r *resolver) resolveValue(f *ast.File, e ast.Expr, what string) *Type {
	t := r.resolve(f, e, what)
	if t != nil && (t.Kind == Error || t.Kind == Context) {
		r.sink.errorf(e.Pos(), "%s: %s cannot travel in JSON inside another type", what, t.Kind)
		return nil
	}
	if t != nil && t.Kind == Seq {
		r.sink.errorf(e.Pos(), "%s: %s can only be the result of a service, not part of another type", what, t)
		return nil
	}
	return t
}

// sliceOf returns the type []elem. Like encoding/json, it treats every
// slice of a byte kind as []byte, base64 in JSON, also when the element
// type is named; Elem then records that name.
func sliceOf(elem *Type) *Type {
	if elem.Kind == Uint8 {
		if elem.Name == "" {
			return &Type{Kind: Bytes}
		}
		return &Type{Kind: Bytes, Elem: elem}
	}
	return &Type{Kind: Slice, Elem: elem}
}

func (r *resolver) arrayLen(e ast.Expr) (int, bool) {
	switch x := e.(type) {
	case *ast.BasicLit:
		if x.Kind == token.INT {
			n, err := strconv.ParseInt(x.Value, 0, 64)
			return int(n), err == nil && n >= 0
		}
	case *ast.Ident:
		n, ok := r.consts[x.Name]
		return n, ok && n >= 0
	case *ast.ParenExpr:
		return r.arrayLen(x.X)
	}
	return 0, false
}

func (r *resolver) resolveQualified(f *ast.File, x *ast.SelectorExpr, what string) *Type {
	pkg, ok := x.X.(*ast.Ident)
	if !ok {
		r.sink.errorf(x.Pos(), "%s: this type is not supported in service signatures", what)
		return nil
	}
	path := importPathNamed(f, pkg.Name, r.imp)
	switch path + "." + x.Sel.Name {
	case "time.Time":
		return &Type{Kind: Time}
	case "time.Duration":
		return &Type{Kind: Duration}
	case "context.Context":
		return &Type{Kind: Context}
	}
	if st := lookupStd(path, x.Sel.Name); st != nil {
		return &Type{Kind: Std, Std: st}
	}
	if path == APIPath && x.Sel.Name == "File" {
		return &Type{Kind: FileKind}
	}
	if r.imp != nil {
		if dep, ok := r.imp(path); ok {
			t, err := dep.lookupType(x.Sel.Name)
			if err != nil {
				r.sink.errorf(x.Pos(), "%s: type %s.%s cannot travel in JSON: %v (%s)", what, pkg.Name, x.Sel.Name, err, marshalerHint)
				return nil
			}
			return t
		}
	}
	r.sink.errorf(x.Pos(), "%s: type %s.%s is not supported in service signatures (supported from the standard library: %s; from the packages of the module and of the modules it requires, the types microfn can describe and those that implement encoding.TextMarshaler or json.Marshaler)", what, pkg.Name, x.Sel.Name, supportedQualified())
	return nil
}

// marshalerHint says what to do about a type of another package that
// cannot travel.
const marshalerHint = "a type travels in JSON when microfn can describe it, or when it implements encoding.TextMarshaler and encoding.TextUnmarshaler, or json.Marshaler and json.Unmarshaler: implement those on it, or use a type that travels"

// IsMapKey reports whether encoding/json accepts t as a map key type, as
// microfn does: a string or integer kind, or a type whose value has a
// MarshalText method (time.Time, the Std types with [StdType.Key], a
// Marshaler with MarshalText on its value and UnmarshalText).
func IsMapKey(t *Type) bool {
	switch {
	case t.Kind == String, t.Kind.IsInteger(), t.Kind == Duration, t.Kind == Time:
		return true
	case t.Kind == Std:
		return t.Std.Key
	case t.Kind == Marshaler:
		return t.Methods.ValueText && t.Methods.UnmarshalText
	}
	return false
}

// importPathOf returns the import path that name refers to in f.
func importPathOf(f *ast.File, name string) string {
	for _, imp := range f.Imports {
		path, err := strconv.Unquote(imp.Path.Value)
		if err != nil {
			continue
		}
		local := assumedName(path)
		if imp.Name != nil {
			local = imp.Name.Name
		}
		if local == name {
			return path
		}
	}
	return name
}

// assumedName is the name a package of the import path is assumed to
// have, as the go tools assume it without reading the package: the last
// element of the path, but the one before a major version element
// ("github.com/oklog/ulid/v2": ulid), without a "go-" prefix and cut at
// the first character an identifier cannot have ("gopkg.in/yaml.v3":
// yaml; "github.com/dustin/go-humanize": humanize).
func assumedName(importPath string) string {
	base := path.Base(importPath)
	if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" {
		if dir := path.Dir(importPath); dir != "." {
			base = path.Base(dir)
		}
	}
	base = strings.TrimPrefix(base, "go-")
	if i := strings.IndexFunc(base, func(r rune) bool {
		return !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r))
	}); i >= 0 {
		base = base[:i]
	}
	return base
}

// importPathNamed is importPathOf, also finding an import whose package
// has another name than its path suggests ("github.com/hashicorp/golang-lru/v2"
// is package lru) by reading it with imp.
func importPathNamed(f *ast.File, name string, imp Importer) string {
	p := importPathOf(f, name)
	if p != name || imp == nil {
		return p
	}
	for _, is := range f.Imports {
		path, err := strconv.Unquote(is.Path.Value)
		if err != nil || is.Name != nil {
			continue
		}
		if dep, ok := imp(path); ok && dep.Name == name {
			return path
		}
	}
	return name
}

func (r *resolver) resolveNamed(f *ast.File, id *ast.Ident, what string) *Type {
	if t, ok := r.named[id.Name]; ok {
		return t
	}
	if e, failed := r.failed[id.Name]; failed {
		r.reportAgain(e)
		return nil
	}
	d, ok := r.decls[id.Name]
	if !ok {
		r.sink.errorf(id.Pos(), "%s: unknown type %s (service types must be predeclared or declared at package level)", what, id.Name)
		return nil
	}
	spec := d.spec
	errs := len(r.sink.list)
	fail := func() *Type {
		var first *SourceError
		if len(r.sink.list) > errs {
			first = r.sink.list[errs]
		}
		r.failed[id.Name] = first
		delete(r.named, id.Name)
		return nil
	}
	if spec.TypeParams != nil && len(spec.TypeParams.List) > 0 {
		r.sink.errorf(id.Pos(), "%s: generic type %s is not supported in service signatures", what, id.Name)
		return fail()
	}
	if m, ok := r.methods[id.Name]; ok && !spec.Assign.IsValid() && (m.encodes() || m.decodes()) {
		t, ok := r.marshaler(id.Name, spec, m)
		if !ok {
			return fail()
		}
		r.named[id.Name] = t
		return t
	}
	if spec.Assign.IsValid() { // type alias
		if r.aliasing[id.Name] {
			r.sink.errorf(id.Pos(), "%s: invalid recursive type alias %s", what, id.Name)
			return fail()
		}
		r.aliasing[id.Name] = true
		defer delete(r.aliasing, id.Name)
		return r.resolve(d.file, spec.Type, what)
	}
	t := &Type{Name: id.Name, Package: r.pkgPath, Pos: r.sink.fset.Position(spec.Name.Pos())}
	if spec.Doc != nil {
		t.Doc = strings.TrimSpace(spec.Doc.Text())
	}
	r.named[id.Name] = t // placeholder: recursive references resolve to t
	if st, ok := spec.Type.(*ast.StructType); ok {
		fields, ok := r.structFields(d.file, st, what)
		if !ok {
			return fail()
		}
		t.Kind, t.Fields = Struct, fields
		return t
	}
	u := r.resolve(d.file, spec.Type, what)
	if u == nil {
		return fail()
	}
	if u.Kind == Invalid { // type A B; type B A: u is a placeholder
		r.sink.errorf(id.Pos(), "%s: invalid recursive type %s", what, id.Name)
		return fail()
	}
	if u.Kind == Error || u.Kind == Context {
		r.sink.errorf(id.Pos(), "%s: type %s is not supported in service signatures", what, id.Name)
		return fail()
	}
	if u.Kind == Time || u.Kind == Std || u.Kind == Marshaler {
		// A defined type does not get the methods of its underlying
		// type: encoding/json would encode its representation instead
		// (the unexported fields of a struct, as {}).
		r.sink.errorf(spec.Name.Pos(), "%s: type %s is defined as %s but does not have its JSON methods (use %s or an alias, type %s = %s)", what, id.Name, u.QualifiedString(), u.QualifiedString(), id.Name, u.QualifiedString())
		return fail()
	}
	t.Kind, t.Elem, t.Key, t.Len, t.Fields = u.Kind, u.Elem, u.Key, u.Len, u.Fields
	t.Enum = r.enumOf(id.Name, t.Kind)
	return t
}

// reportAgain reports e, the error of a named type that could not be
// described, unless the sink holds it already: a lookup of another type
// that reaches the failed one says why it fails too.
func (r *resolver) reportAgain(e *SourceError) {
	if e == nil {
		return
	}
	for _, have := range r.sink.list {
		if have == e {
			return
		}
	}
	r.sink.list = append(r.sink.list, e)
}
