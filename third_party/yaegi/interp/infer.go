package interp

import (
	"path/filepath"
	"reflect"
)

// Type inference of the type arguments of a call of a generic function,
// as Go does it: each type parameter is inferred by name, from the types
// of the typed arguments unified with those of the parameters (a
// parameter of type []E, map[K]V, func(E) bool, *E, chan E, or of a
// generic type such as iter.Seq[E], whose definition is unified), then
// from the core types of the constraints (S ~[]E: E is the element type
// of S), then from the default types of untyped constant arguments.

// A typeExpr is a type expression of a generic declaration, with the
// type arguments of the generic types it is in the definition of.
type typeExpr struct {
	n   *node
	env map[string]typeExpr // type parameters of enclosing generic types
}

// inference infers the type arguments of one call.
type inference struct {
	sc     *scope // where the generic function is declared
	params map[string]bool
	bound  map[string]*itype
}

// inferTypesFromCall returns the type arguments of a call of generic
// function fun with arguments args, in the order of fun's type
// parameters.
func inferTypesFromCall(sc *scope, fun *node, args []*node) ([]*itype, error) {
	argTypes := make([]*itype, len(args))
	for i, a := range args {
		argTypes[i] = a.typ
	}
	return inferTypes(sc, fun, fun.typ.node, nil, args, argTypes)
}

// inferTypes returns the type arguments of a call of generic function fun,
// of type ftn (a funcType node), with the first type arguments given, and
// arguments args of types argTypes.
func inferTypes(sc *scope, fun, ftn *node, given []*itype, args []*node, argTypes []*itype) ([]*itype, error) {
	inf := &inference{sc: sc, params: map[string]bool{}, bound: map[string]*itype{}}
	if fun.scope != nil {
		inf.sc = fun.scope
	}
	var names []string
	constraints := map[string]*node{}
	for _, c := range ftn.child[0].child {
		l := len(c.child) - 1
		for _, cc := range c.child[:l] {
			if len(names) < len(given) {
				inf.bound[cc.ident] = given[len(names)]
			}
			names = append(names, cc.ident)
			inf.params[cc.ident] = true
			constraints[cc.ident] = c.child[l]
		}
	}

	// The type of each parameter, by position.
	var ptypes []*node
	variadic := false
	for _, c := range ftn.child[1].child {
		t := c.lastChild()
		n := len(c.child) - 1
		if n == 0 {
			n = 1
		}
		for i := 0; i < n; i++ {
			ptypes = append(ptypes, t)
		}
		variadic = t.kind == ellipsisExpr
	}
	spread := len(args) > 0 && args[0].anc != nil && args[0].anc.action == aCallSlice
	paramOf := func(i int) *node {
		last := len(ptypes) - 1
		switch {
		case i < last || !variadic && i <= last:
			return ptypes[i]
		case !variadic || last < 0:
			return nil
		case spread:
			// f(xs...): the slice of the variadic parameter.
			return &node{kind: arrayType, child: []*node{ptypes[last].child[0]}}
		}
		return ptypes[last].child[0]
	}

	var untyped []int
	for i, at := range argTypes {
		p := paramOf(i)
		if p == nil || at == nil || isGeneric(at) || at.cat == nilT {
			continue
		}
		if at.untyped {
			untyped = append(untyped, i)
			continue
		}
		inf.unify(typeExpr{n: p}, at)
	}
	inf.coreTypes(constraints)
	// A type parameter of untyped constants only takes the default type
	// of the widest kind among them (Sum(1, 2.5) is of float64).
	defaults := map[string]*itype{}
	for _, i := range untyped {
		p := paramOf(i)
		if p.kind != identExpr || !inf.params[p.ident] || inf.bound[p.ident] != nil {
			continue
		}
		t := argTypes[i].defaultType(args[i].rval, sc)
		if d := defaults[p.ident]; d == nil || isNumber(t.TypeOf()) && isNumber(d.TypeOf()) && untypedRank(t) > untypedRank(d) {
			defaults[p.ident] = t
		}
	}
	for name, t := range defaults {
		inf.bound[name] = t
	}
	inf.coreTypes(constraints)

	types := make([]*itype, len(names))
	for i, name := range names {
		if types[i] = inf.bound[name]; types[i] == nil {
			return nil, fun.cfgErrorf("in call to %s, cannot infer %s", fun.child[1].ident, name)
		}
	}
	return types, nil
}

// coreTypes infers the type parameters of the core types of constraints
// (S ~[]E) from the type arguments of the parameters they constrain.
func (inf *inference) coreTypes(constraints map[string]*node) {
	for name, c := range constraints {
		if core := coreTypeExpr(c); core != nil && inf.bound[name] != nil {
			inf.unify(typeExpr{n: core}, inf.bound[name])
		}
	}
}

// coreTypeExpr returns the core type of constraint c, if it is a single
// type (~T or T, alone or in an interface), or nil.
func coreTypeExpr(c *node) *node {
	switch c.kind {
	case unaryExpr:
		if len(c.child) == 1 {
			return coreTypeExpr(c.child[0])
		}
	case arrayType, mapType, starExpr, chanType, chanTypeRecv, chanTypeSend, funcType:
		return c
	case interfaceType:
		if len(c.child) == 1 && len(c.child[0].child) == 1 && len(c.child[0].child[0].child) == 1 {
			return coreTypeExpr(c.child[0].child[0].child[0])
		}
	}
	return nil
}

// unify binds the type parameters in type expression e from type t, where
// their structures match.
func (inf *inference) unify(e typeExpr, t *itype) {
	if t == nil {
		return
	}
	n := e.n
	u := t.underlying()
	switch n.kind {
	case identExpr:
		if b, ok := e.env[n.ident]; ok {
			inf.unify(b, t)
			return
		}
		if inf.params[n.ident] && inf.bound[n.ident] == nil {
			inf.bound[n.ident] = t
		}
	case parenExpr:
		inf.unify(typeExpr{n.child[0], e.env}, t)
	case arrayType:
		inf.unify(typeExpr{n.lastChild(), e.env}, elemType(u))
	case ellipsisExpr:
		inf.unify(typeExpr{n.child[0], e.env}, elemType(u))
	case starExpr, chanType, chanTypeRecv, chanTypeSend:
		inf.unify(typeExpr{n.child[0], e.env}, elemType(u))
	case mapType:
		switch {
		case u.cat == mapT:
			inf.unify(typeExpr{n.child[0], e.env}, u.key)
			inf.unify(typeExpr{n.child[1], e.env}, u.val)
		case u.cat == valueT && u.rtype.Kind() == reflect.Map:
			inf.unify(typeExpr{n.child[0], e.env}, valueTOf(u.rtype.Key()))
			inf.unify(typeExpr{n.child[1], e.env}, valueTOf(u.rtype.Elem()))
		}
	case funcType:
		var params, results []*node
		for _, c := range n.child[1].child {
			for i := 0; i < max(1, len(c.child)-1); i++ {
				params = append(params, c.lastChild())
			}
		}
		if len(n.child) > 2 {
			for _, c := range n.child[2].child {
				for i := 0; i < max(1, len(c.child)-1); i++ {
					results = append(results, c.lastChild())
				}
			}
		}
		for i, p := range params {
			inf.unify(typeExpr{p, e.env}, funcIn(u, i))
		}
		for i, r := range results {
			inf.unify(typeExpr{r, e.env}, funcOut(u, i))
		}
	case structType:
		if u.cat != structT {
			return
		}
		i := 0
		for _, c := range n.child[0].child {
			for j := 0; j < max(1, len(c.child)-1); j++ {
				if i < len(u.field) {
					inf.unify(typeExpr{c.lastChild(), e.env}, u.field[i].typ)
				}
				i++
			}
		}
	case indexExpr, indexListExpr:
		// An instance of a generic type: unify its definition, its type
		// parameters bound to the type arguments written here.
		spec := inf.genericTypeSpec(n.child[0])
		if spec == nil || len(spec.child) < 3 {
			return
		}
		env := map[string]typeExpr{}
		i := 1
		for _, c := range spec.child[1].child {
			for _, cc := range c.child[:len(c.child)-1] {
				if i < len(n.child) {
					env[cc.ident] = typeExpr{n.child[i], e.env}
				}
				i++
			}
		}
		inf.unify(typeExpr{spec.child[2], env}, t)
	}
}

// genericTypeSpec returns the declaration of the generic type named by n
// (T or pkg.T) in the scope of the generic function.
func (inf *inference) genericTypeSpec(n *node) *node {
	var sym *symbol
	switch n.kind {
	case identExpr:
		sym, _, _ = inf.sc.lookup(n.ident)
	case selectorExpr:
		pkg := n.child[0].ident
		baseName := filepath.Base(n.interp.fset.Position(n.pos).Filename)
		ps, _, ok := inf.sc.lookup(filepath.Join(pkg, baseName))
		if !ok {
			ps, _, ok = inf.sc.lookup(pkg)
		}
		if !ok || ps.kind != pkgSym {
			return nil
		}
		sym = n.interp.srcPkg[ps.typ.path][n.child[1].ident]
	}
	if sym == nil || sym.kind != typeSym || sym.typ == nil || sym.typ.cat != genericT || sym.typ.node == nil {
		return nil
	}
	return sym.typ.node.anc
}

// elemType returns the element type of an array, slice, pointer or
// channel type, or nil.
func elemType(u *itype) *itype {
	switch u.cat {
	case arrayT, sliceT, variadicT, ptrT, chanT, chanRecvT, chanSendT:
		return u.val
	case valueT:
		switch u.rtype.Kind() {
		case reflect.Array, reflect.Slice, reflect.Ptr, reflect.Chan:
			return valueTOf(u.rtype.Elem())
		}
	}
	return nil
}

// funcIn returns the type of the i-th parameter of function type u, or
// nil.
func funcIn(u *itype, i int) *itype {
	switch {
	case u.cat == funcT && i < len(u.arg):
		return u.arg[i]
	case u.cat == valueT && u.rtype.Kind() == reflect.Func && i < u.rtype.NumIn():
		return valueTOf(u.rtype.In(i))
	}
	return nil
}

// funcOut returns the type of the i-th result of function type u, or nil.
func funcOut(u *itype, i int) *itype {
	switch {
	case u.cat == funcT && i < len(u.ret):
		return u.ret[i]
	case u.cat == valueT && u.rtype.Kind() == reflect.Func && i < u.rtype.NumOut():
		return valueTOf(u.rtype.Out(i))
	}
	return nil
}

// untypedRank orders the default types of untyped numeric constants:
// int, rune, float64, complex128.
func untypedRank(t *itype) int {
	switch t.TypeOf().Kind() {
	case reflect.Int32:
		return 1
	case reflect.Float64:
		return 2
	case reflect.Complex128:
		return 3
	}
	return 0
}

// genericResultType returns the type of call, of generic function of type
// ft with type arguments the explicit ones and those inferred, without
// instantiating the function: asked before the call is compiled, for the
// type of a package-level variable (var names = slices.Sorted(…)).
func genericResultType(interp *Interpreter, sc *scope, call *node, ft *itype, explicit []*node, seen []*node) (*itype, error) {
	ftn := ft.node
	fun := ftn.anc
	args := call.child[1:]
	given := make([]*itype, len(explicit))
	for i, e := range explicit {
		t, err := nodeType2(interp, sc, e, seen)
		if err != nil {
			return nil, err
		}
		if t.incomplete {
			return t, nil
		}
		given[i] = t
	}
	argTypes := make([]*itype, len(args))
	for i, c := range args {
		t, err := nodeType2(interp, sc, c, seen)
		if err != nil {
			return nil, err
		}
		if t.incomplete {
			return t, nil
		}
		argTypes[i] = t
	}
	types, err := inferTypes(sc, fun, ftn, given, args, argTypes)
	if err != nil {
		return nil, err
	}
	// The result type, in a scope of the declaration where the type
	// parameters are the inferred types.
	dsc := sc
	if fun.scope != nil {
		dsc = fun.scope
	}
	tsc := &scope{anc: dsc, sym: map[string]*symbol{}, level: dsc.level, global: dsc.global, types: dsc.types, pkgID: dsc.pkgID, pkgName: dsc.pkgName}
	i := 0
	for _, c := range ftn.child[0].child {
		for _, cc := range c.child[:len(c.child)-1] {
			tsc.sym[cc.ident] = &symbol{kind: typeSym, typ: types[i]}
			i++
		}
	}
	res := ftn.child[2].child[0].lastChild()
	return nodeType2(interp, tsc, copyNode(res, res.anc, true), nil)
}

// isGenericFuncDecl reports whether t is the type of a declared generic
// function.
func isGenericFuncDecl(t *itype) bool {
	return t != nil && isGeneric(t) && t.node.anc != nil && t.node.anc.kind == funcDecl
}
