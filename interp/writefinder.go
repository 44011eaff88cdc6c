package interp

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"strings"
)

// argWrite is a write into the caller's memory, at pos: what says what it
// writes, naming the parameter ("sets an entry of the map in its
// parameter trie").
type argWrite struct {
	pos   token.Position
	param *types.Var
	what  string
}

// writeFinder finds the writes of functions into the memory their
// callers passed them. It follows the functions and methods declared in
// the packages it reads that the code passes a parameter to (their
// summaries), but not services (a call of one goes through its proxy,
// with a copy), nor functions it has no source of (the standard
// library's).
type writeFinder struct {
	decls    map[*types.Func]funcDecl
	services map[*types.Func]serviceDecl
	// summaries are the writes of each function through its own
	// parameters and receiver; busy marks those being found (recursion).
	summaries map[*types.Func][]argWrite
	busy      map[*types.Func]bool
}

// funcDecl is the declaration of a function and its package.
type funcDecl struct {
	fd *ast.FuncDecl
	p  argWritePkg
}

func newWriteFinder(pkgs []argWritePkg, services map[*types.Func]serviceDecl) *writeFinder {
	w := &writeFinder{decls: map[*types.Func]funcDecl{}, services: services,
		summaries: map[*types.Func][]argWrite{}, busy: map[*types.Func]bool{}}
	for _, p := range pkgs {
		for _, f := range p.pkg.Files {
			for _, decl := range f.AST.Decls {
				if fd, ok := decl.(*ast.FuncDecl); ok && fd.Body != nil {
					if fn, ok := p.info.Defs[fd.Name].(*types.Func); ok {
						w.decls[fn] = funcDecl{fd: fd, p: p}
					}
				}
			}
		}
	}
	return w
}

// writes returns the writes of the function d into its callers' memory,
// in source order.
func (w *writeFinder) writes(d funcDecl) []argWrite {
	fd := d.fd
	fw := &funcWalk{w: w, info: d.p.info, fset: d.p.pkg.Fset, roots: map[types.Object]*types.Var{}, top: map[ast.Stmt]bool{}}
	fields := fd.Type.Params.List
	if fd.Recv != nil {
		fields = append(append([]*ast.Field(nil), fd.Recv.List...), fields...)
	}
	for _, field := range fields {
		for _, name := range field.Names {
			if v, ok := d.p.info.Defs[name].(*types.Var); ok && hasRefs(v.Type()) {
				fw.roots[v] = v
			}
		}
	}
	for _, s := range fd.Body.List {
		fw.top[s] = true
	}
	ast.Inspect(fd.Body, fw.visit)
	return fw.out
}

// summary returns the writes of the function fn through its parameters
// and receiver; none for a function being summarised (a recursive call)
// or one it has no source of.
func (w *writeFinder) summary(fn *types.Func) []argWrite {
	if s, ok := w.summaries[fn]; ok || w.busy[fn] {
		return s
	}
	d, ok := w.decls[fn]
	if !ok {
		return nil
	}
	w.busy[fn] = true
	s := w.writes(d)
	delete(w.busy, fn)
	w.summaries[fn] = s
	return s
}

// funcWalk walks one function's body in source order. roots are the
// variables whose values may refer to the caller's memory, each with the
// parameter it came from; top are the statements of the body itself,
// where an assignment replaces a variable's value for the rest of the
// function (elsewhere it may not run, or run after a use).
type funcWalk struct {
	w     *writeFinder
	info  *types.Info // of the function's package
	fset  *token.FileSet
	roots map[types.Object]*types.Var
	top   map[ast.Stmt]bool
	out   []argWrite
}

func (f *funcWalk) record(pos token.Pos, param *types.Var, format string, args ...any) {
	f.out = append(f.out, argWrite{pos: f.fset.Position(pos), param: param, what: fmt.Sprintf(format, args...)})
}

func (f *funcWalk) visit(n ast.Node) bool {
	switch x := n.(type) {
	case *ast.AssignStmt:
		for _, lhs := range x.Lhs {
			if l, ok := f.target(lhs); ok {
				f.record(lhs.Pos(), l.param, "%s", l.written())
			}
		}
		f.assign(x)
	case *ast.IncDecStmt:
		if l, ok := f.target(x.X); ok {
			f.record(x.X.Pos(), l.param, "%s", l.written())
		}
	case *ast.ValueSpec:
		for i, name := range x.Names {
			if i < len(x.Values) && len(x.Values) == len(x.Names) {
				f.bind(name, x.Values[i], true)
			}
		}
	case *ast.RangeStmt:
		if p, ok := f.alias(x.X); ok {
			if id, ok := x.Value.(*ast.Ident); ok && id.Name != "_" {
				if obj := f.object(id); obj != nil && hasRefs(obj.Type()) {
					f.roots[obj] = p
				}
			}
		}
	case *ast.CallExpr:
		f.call(x)
	}
	return true
}

// assign follows what an assignment does to the roots: a variable given
// a value that refers to the caller's memory becomes one; one given
// another value in the body itself stops being one.
func (f *funcWalk) assign(x *ast.AssignStmt) {
	if x.Tok != token.ASSIGN && x.Tok != token.DEFINE {
		return
	}
	switch {
	case len(x.Lhs) == len(x.Rhs):
		for i, lhs := range x.Lhs {
			if id, ok := ast.Unparen(lhs).(*ast.Ident); ok {
				f.bind(id, x.Rhs[i], f.top[x])
			}
		}
	case len(x.Rhs) == 1 && len(x.Lhs) == 2:
		// v, ok := m[k] (or x.(T), <-c): v is the value.
		if id, ok := ast.Unparen(x.Lhs[0]).(*ast.Ident); ok {
			f.bind(id, x.Rhs[0], f.top[x])
		}
	}
}

// bind records that the variable id is given the value of e.
func (f *funcWalk) bind(id *ast.Ident, e ast.Expr, replaces bool) {
	obj := f.object(id)
	if obj == nil {
		return
	}
	if p, ok := f.alias(e); ok {
		f.roots[obj] = p
	} else if replaces {
		delete(f.roots, obj)
	}
}

// object returns the variable id declares or refers to.
func (f *funcWalk) object(id *ast.Ident) types.Object {
	if obj := f.info.Defs[id]; obj != nil {
		return obj
	}
	return f.info.Uses[id]
}

// typeOf returns the type of e; of its value, for a comma-ok expression
// (v, ok := m[k]).
func (f *funcWalk) typeOf(e ast.Expr) types.Type {
	t := f.info.TypeOf(e)
	if tuple, ok := t.(*types.Tuple); ok && tuple.Len() > 0 {
		return tuple.At(0).Type()
	}
	return t
}

// alias reports whether the value of e refers to the caller's memory, and
// through which parameter: a root, or a part of one that holds a
// reference (a map, a slice, a pointer), or the address of a location in
// the caller's memory.
func (f *funcWalk) alias(e ast.Expr) (*types.Var, bool) {
	e = ast.Unparen(e)
	if t := f.typeOf(e); t == nil || !hasRefs(t) {
		return nil, false
	}
	switch x := e.(type) {
	case *ast.Ident:
		p, ok := f.roots[f.info.Uses[x]]
		return p, ok
	case *ast.SelectorExpr:
		if sel := f.info.Selections[x]; sel != nil && sel.Kind() == types.FieldVal {
			return f.alias(x.X)
		}
	case *ast.IndexExpr:
		return f.alias(x.X)
	case *ast.StarExpr:
		return f.alias(x.X)
	case *ast.TypeAssertExpr:
		return f.alias(x.X)
	case *ast.SliceExpr:
		if _, isArray := under(f.typeOf(x.X)).(*types.Array); isArray {
			l, ok := f.target(x.X)
			return l.param, ok
		}
		return f.alias(x.X)
	case *ast.UnaryExpr:
		if x.Op == token.AND {
			l, ok := f.target(x.X)
			return l.param, ok
		}
	case *ast.CallExpr:
		if tv, ok := f.info.Types[x.Fun]; ok && tv.IsType() && len(x.Args) == 1 {
			return f.alias(x.Args[0]) // a conversion
		}
		if f.builtin(x) == "append" && len(x.Args) > 0 {
			return f.alias(x.Args[0])
		}
	}
	return nil, false
}

// A location is a place in the caller's memory: reached through a
// parameter, by a step of kind (an entry of a map, an element of a slice
// or of an array a pointer points to, what a pointer points to), and a
// field of it when field is set.
type location struct {
	param *types.Var
	kind  string
	field string
}

// The kinds of step to a location.
const (
	mapEntry   = "an entry of the map in"
	sliceElem  = "an element of the slice in"
	arrayElem  = "an element of the array pointed to by"
	pointedAt  = "what the pointer in"
	pointedEnd = " points to"
)

// written says how an assignment writes the location.
func (l location) written() string {
	end := paramPhrase(l.param)
	if l.kind == pointedAt {
		end += pointedEnd
	}
	if l.field != "" {
		return "sets the field " + l.field + " of " + l.kind + " " + end
	}
	if l.kind == pointedAt {
		return "writes through the pointer in " + paramPhrase(l.param)
	}
	return "sets " + l.kind + " " + end
}

// target reports whether e, assigned to, is a location in the caller's
// memory: an entry of a map or an element of a slice that a root refers
// to, what a pointer root points to, or a part of such a location.
func (f *funcWalk) target(e ast.Expr) (location, bool) {
	switch x := ast.Unparen(e).(type) {
	case *ast.IndexExpr:
		kind := ""
		switch under(f.typeOf(x.X)).(type) {
		case *types.Map:
			kind = mapEntry
		case *types.Slice:
			kind = sliceElem
		case *types.Pointer:
			kind = arrayElem
		case *types.Array:
			l, ok := f.target(x.X)
			return l, ok
		default:
			return location{}, false
		}
		p, ok := f.alias(x.X)
		return location{param: p, kind: kind}, ok
	case *ast.SelectorExpr:
		sel := f.info.Selections[x]
		if sel == nil || sel.Kind() != types.FieldVal {
			return location{}, false
		}
		if _, ptr := under(f.typeOf(x.X)).(*types.Pointer); ptr {
			p, ok := f.alias(x.X)
			return location{param: p, kind: pointedAt, field: x.Sel.Name}, ok
		}
		l, ok := f.target(x.X)
		if l.field == "" {
			l.field = x.Sel.Name
		}
		return l, ok
	case *ast.StarExpr:
		p, ok := f.alias(x.X)
		return location{param: p, kind: pointedAt}, ok
	}
	return location{}, false
}

// builtin returns the name of the builtin function call calls, or "".
func (f *funcWalk) builtin(call *ast.CallExpr) string {
	if id, ok := ast.Unparen(call.Fun).(*ast.Ident); ok {
		if b, ok := f.info.Uses[id].(*types.Builtin); ok {
			return b.Name()
		}
	}
	return ""
}

// call records the writes of a call: the builtins that write into their
// first argument, a method with a pointer receiver called on the caller's
// memory, and a plain function of the package that writes into the
// argument it is passed.
func (f *funcWalk) call(x *ast.CallExpr) {
	switch name := f.builtin(x); name {
	case "append":
		if len(x.Args) > 0 && !fullSlice(x.Args[0]) {
			if p, ok := f.alias(x.Args[0]); ok {
				f.record(x.Pos(), p, "appends to the slice in %s, writing into the caller's array when it has room", paramPhrase(p))
			}
		}
		return
	case "copy", "clear", "delete":
		if len(x.Args) > 0 {
			if p, ok := f.alias(x.Args[0]); ok {
				verb := map[string]string{"copy": "copies into the slice in", "clear": "clears the " + kindWord(f.typeOf(x.Args[0])) + " in", "delete": "deletes an entry of the map in"}[name]
				f.record(x.Pos(), p, "%s %s", verb, paramPhrase(p))
			}
		}
		return
	case "":
	default:
		return
	}
	fun := ast.Unparen(x.Fun)
	if sel, ok := fun.(*ast.SelectorExpr); ok {
		if s := f.info.Selections[sel]; s != nil && s.Kind() == types.MethodVal {
			f.methodCall(sel, s)
			return
		}
	}
	var id *ast.Ident
	switch fn := fun.(type) {
	case *ast.Ident:
		id = fn
	case *ast.SelectorExpr:
		id = fn.Sel
	default:
		return
	}
	fn, ok := f.info.Uses[id].(*types.Func)
	if !ok {
		return
	}
	if _, isService := f.w.services[fn]; isService || fn.Type().(*types.Signature).Recv() != nil {
		return // a service gets a copy; a method value is not followed
	}
	sig := fn.Type().(*types.Signature)
	for _, sw := range f.w.summary(fn) {
		for i, arg := range x.Args {
			if paramAt(sig, i) != sw.param {
				continue
			}
			if p, ok := f.alias(arg); ok {
				at := sw.pos
				f.record(arg.Pos(), p, "passes %s to %s, which %s (%s:%d:%d)", paramPhrase(p), fn.Name(), sw.what, filepath.Base(at.Filename), at.Line, at.Column)
			}
		}
	}
}

// methodCall records a call of a method with a pointer receiver on the
// caller's memory (a pointer root, or a location in the caller's memory
// whose address the call takes) when the method writes through its
// receiver. A method microfn has not the source of (the standard
// library's) is not judged: most of them only read (big.Int's String).
func (f *funcWalk) methodCall(sel *ast.SelectorExpr, s *types.Selection) {
	fn := s.Obj().(*types.Func)
	recv := fn.Type().(*types.Signature).Recv()
	if recv == nil {
		return
	}
	if _, ptr := recv.Type().(*types.Pointer); !ptr {
		return
	}
	how := ""
	for _, sw := range f.w.summary(fn) {
		if sw.param == recv {
			at := sw.pos
			how = fmt.Sprintf("%s, which has a pointer receiver, %s (%s:%d:%d)", fn.Name(), strings.Replace(sw.what, paramPhrase(recv), "its receiver "+recv.Name(), 1), filepath.Base(at.Filename), at.Line, at.Column)
			break
		}
	}
	if how == "" {
		return // it only reads through its receiver, or microfn has not its source
	}
	var p *types.Var
	var ok bool
	if _, isPtr := under(f.typeOf(sel.X)).(*types.Pointer); isPtr {
		p, ok = f.alias(sel.X)
	} else {
		var l location
		l, ok = f.target(sel.X)
		p = l.param
	}
	if ok {
		f.record(sel.Sel.Pos(), p, "calls %s on %s, and %s", sel.Sel.Name, paramPhrase(p), how)
	}
}

// paramAt returns the parameter of sig argument i binds.
func paramAt(sig *types.Signature, i int) *types.Var {
	n := sig.Params().Len()
	switch {
	case n == 0:
		return nil
	case i >= n:
		if !sig.Variadic() {
			return nil
		}
		i = n - 1
	}
	return sig.Params().At(i)
}

// fullSlice reports a full slice expression, s[a:b:c], whose capacity
// append cannot go past.
func fullSlice(e ast.Expr) bool {
	s, ok := ast.Unparen(e).(*ast.SliceExpr)
	return ok && s.Slice3
}

func paramPhrase(p *types.Var) string { return "its parameter " + p.Name() }

// kindWord names the kind of a map or slice type.
func kindWord(t types.Type) string {
	if _, ok := under(t).(*types.Map); ok {
		return "map"
	}
	return "slice"
}

func under(t types.Type) types.Type {
	if t == nil {
		return nil
	}
	return t.Underlying()
}

// hasRefs reports whether values of t may refer to memory they share
// with copies of them: maps, slices, pointers, channels, functions and
// interfaces, or structs and arrays holding one.
func hasRefs(t types.Type) bool {
	return refs(t, map[types.Type]bool{})
}

func refs(t types.Type, seen map[types.Type]bool) bool {
	if t == nil || seen[t] {
		return false
	}
	seen[t] = true
	switch u := t.Underlying().(type) {
	case *types.Map, *types.Slice, *types.Pointer, *types.Chan, *types.Signature, *types.Interface:
		return true
	case *types.Array:
		return refs(u.Elem(), seen)
	case *types.Struct:
		for i := range u.NumFields() {
			if refs(u.Field(i).Type(), seen) {
				return true
			}
		}
	}
	return false
}
