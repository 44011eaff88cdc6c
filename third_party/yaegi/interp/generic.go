package interp

import (
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
)

// adot produces an AST dot(1) directed acyclic graph for the given node. For debugging only.
// func (n *node) adot() { n.astDot(dotWriter(n.interp.dotCmd), n.ident) }

// genAST returns a new AST where generic types are replaced by instantiated types.
func genAST(sc *scope, root *node, types []*itype) (*node, bool, error) {
	typeParam := map[string]*node{}
	pindex := 0
	tname := ""
	rtname := ""
	recvrPtr := false
	fixNodes := []*node{}
	var gtree func(*node, *node) (*node, error)
	sname := root.child[0].ident + "["
	if root.kind == funcDecl {
		sname = root.child[1].ident + "["
	}
	// The constraints are resolved where the generic function or type is
	// declared, which may be another package than the caller's; and the
	// instances of two packages' generic functions of one name differ.
	dsc := sc
	if root.scope != nil {
		dsc = root.scope
		sname = dsc.pkgID + "." + sname
	}

	// Input type parameters must be resolved prior AST generation, as compilation
	// of generated AST may occur in a different scope.
	for _, t := range types {
		sname += t.id() + ","
	}
	sname = strings.TrimSuffix(sname, ",") + "]"

	gtree = func(n, anc *node) (*node, error) {
		nod := copyNode(n, anc, false)
		switch n.kind {
		case funcDecl, funcType:
			nod.val = nod

		case identExpr:
			// Replace generic type by instantiated one, but for the name
			// of a selector (hash.Hash in func Key[Hash hash.Hash]).
			nt, ok := typeParam[n.ident]
			if !ok || n.anc != nil && n.anc.kind == selectorExpr && childPos(n) == 1 {
				break
			}
			nod = copyNode(nt, anc, true)
			nod.typ = nt.typ
			// The ident is the type argument's id (main.Names), which may
			// name no symbol: the node is marked as a type by its own.
			nod.sym = &symbol{index: -1, kind: typeSym, typ: nt.typ, node: nod}

		case indexExpr, indexListExpr:
			// Catch a possible recursive generic type definition
			if root.kind != typeSpec {
				break
			}
			if root.child[0].ident != n.child[0].ident {
				break
			}
			nod := copyNode(n.child[0], anc, false)
			fixNodes = append(fixNodes, nod)
			return nod, nil

		case fieldList:
			//  Node is the type parameters list of a generic function.
			if root.kind == funcDecl && n.anc == root.child[2] && childPos(n) == 0 {
				// Fill the types lookup table used for type substitution.
				for _, c := range n.child {
					l := len(c.child) - 1
					for _, cc := range c.child[:l] {
						if pindex >= len(types) {
							return nil, cc.cfgErrorf("undefined type for %s", cc.ident)
						}
						t, err := nodeType(c.interp, dsc, c.child[l])
						if err != nil {
							return nil, err
						}
						if err := checkConstraint(types[pindex], t); err != nil {
							return nil, err
						}
						typeParam[cc.ident] = copyNode(cc, cc.anc, false)
						typeParam[cc.ident].ident = types[pindex].id()
						typeParam[cc.ident].typ = types[pindex]
						pindex++
					}
				}
				// Skip type parameters specification, so generated func doesn't look generic.
				return nod, nil
			}

			// Node is the receiver of a generic method.
			if root.kind == funcDecl && n.anc == root && childPos(n) == 0 && len(n.child) > 0 {
				rtn := n.child[0].child[1]
				// Method receiver is a generic type if it takes some type parameters.
				if rtn.kind == indexExpr || rtn.kind == indexListExpr || (rtn.kind == starExpr && (rtn.child[0].kind == indexExpr || rtn.child[0].kind == indexListExpr)) {
					if rtn.kind == starExpr {
						// Method receiver is a pointer on a generic type.
						rtn = rtn.child[0]
						recvrPtr = true
					}
					rtname = rtn.child[0].ident + "["
					for _, cc := range rtn.child[1:] {
						if pindex >= len(types) {
							return nil, cc.cfgErrorf("undefined type for %s", cc.ident)
						}
						it := types[pindex]
						typeParam[cc.ident] = copyNode(cc, cc.anc, false)
						typeParam[cc.ident].ident = it.id()
						typeParam[cc.ident].typ = it
						rtname += it.id() + ","
						pindex++
					}
					rtname = strings.TrimSuffix(rtname, ",") + "]"
				}
			}

			// Node is the type parameters list of a generic type.
			if root.kind == typeSpec && n.anc == root && childPos(n) == 1 {
				// Fill the types lookup table used for type substitution.
				tname = n.anc.child[0].ident + "["
				for _, c := range n.child {
					l := len(c.child) - 1
					for _, cc := range c.child[:l] {
						if pindex >= len(types) {
							return nil, cc.cfgErrorf("undefined type for %s", cc.ident)
						}
						it := types[pindex]
						t, err := nodeType(c.interp, dsc, c.child[l])
						if err != nil {
							return nil, err
						}
						if err := checkConstraint(types[pindex], t); err != nil {
							return nil, err
						}
						typeParam[cc.ident] = copyNode(cc, cc.anc, false)
						typeParam[cc.ident].ident = it.id()
						typeParam[cc.ident].typ = it
						tname += it.id() + ","
						pindex++
					}
				}
				tname = strings.TrimSuffix(tname, ",") + "]"
				return nod, nil
			}
		}

		for _, c := range n.child {
			gn, err := gtree(c, nod)
			if err != nil {
				return nil, err
			}
			nod.child = append(nod.child, gn)
		}
		return nod, nil
	}

	if nod, found := root.interp.generic[sname]; found {
		return nod, true, nil
	}

	r, err := gtree(root, root.anc)
	if err != nil {
		return nil, false, err
	}
	root.interp.generic[sname] = r
	r.param = append(r.param, types...)
	if tname != "" {
		for _, nod := range fixNodes {
			nod.ident = tname
		}
		r.child[0].ident = tname
	}
	if rtname != "" {
		// Replace method receiver type by synthetized ident.
		nod := r.child[0].child[0].child[1]
		if recvrPtr {
			nod = nod.child[0]
		}
		nod.kind = identExpr
		nod.ident = rtname
		nod.child = nil
	}
	// r.adot() // Used for debugging only.
	return r, false, nil
}

func copyNode(n, anc *node, recursive bool) *node {
	var i interface{}
	nindex := atomic.AddInt64(&n.interp.nindex, 1)
	nod := &node{
		debug:  n.debug,
		anc:    anc,
		interp: n.interp,
		index:  nindex,
		level:  n.level,
		nleft:  n.nleft,
		nright: n.nright,
		kind:   n.kind,
		pos:    n.pos,
		action: n.action,
		gen:    n.gen,
		val:    &i,
		rval:   n.rval,
		ident:  n.ident,
		meta:   n.meta,
	}
	nod.start = nod
	if recursive {
		for _, c := range n.child {
			nod.child = append(nod.child, copyNode(c, nod, true))
		}
	}
	return nod
}

// instantiateFunc replaces n, the generic function of type t indexed by
// the type arguments types (f[int] or f[int, string]), by its instance.
// With fewer type arguments than type parameters, n stays generic, with
// the type arguments given in n.param: the others are inferred from the
// arguments of the call of n (see genericCallee).
func (interp *Interpreter) instantiateFunc(n *node, sc *scope, t *itype, types []*itype, importPath, pkgName string) error {
	fun := t.node.anc
	count := len(newTypeInference(sc, fun).names)
	switch {
	case len(types) > count:
		return n.cfgErrorf("got %d type arguments but %s has %d type parameters", len(types), fun.child[1].ident, count)
	case len(types) < count:
		n.typ = t
		n.param = types
		n.gen = nop
		return nil
	}
	g, found, err := genAST(sc, fun, types)
	if err != nil {
		return err
	}
	if !found {
		if _, err = interp.cfg(g, fun.scope, importPath, pkgName); err != nil {
			return err
		}
		// Generate closures for function body.
		if err = genRun(g); err != nil {
			return err
		}
	}
	// Replace generic func node by instantiated one.
	n.anc.child[childPos(n)] = g
	n.typ = g.typ
	return nil
}

// genericCallee returns the declaration of the generic function that c0,
// the function of a call, names, and the type arguments c0 gives.
func genericCallee(c0 *node) (fun *node, explicit []*itype, ok bool) {
	if c0.typ == nil || !isGeneric(c0.typ) {
		return nil, nil, false
	}
	if c0.kind == indexExpr || c0.kind == indexListExpr {
		explicit = c0.param
	}
	return c0.typ.node.anc, explicit, true
}

// inferTypesFromCall returns the type arguments of call, a call of the
// generic function fun whose first type arguments may be given (explicit),
// in the order of fun's type parameters, inferred as Go infers
// them: each parameter's type is unified with its argument's type, a type
// parameter taking the type it stands for wherever it appears (alone, in
// pointer, slice, array, map, channel and function types, in the type
// arguments of a generic type); an untyped constant counts only for a
// type parameter that no typed argument gives, which then takes the
// default type of the constants' largest kind; and a type parameter whose
// constraint has a core type (~[]E) is unified with it, or takes it once
// the type parameters in it are known.
func inferTypesFromCall(sc *scope, fun, call *node, explicit []*itype) ([]*itype, error) {
	return inferTypeArgs(sc, fun, call, callArgTypes(call.child[1:]), explicit)
}

// inferTypeArgs infers the type arguments of call, a call of the generic
// function fun, from the types of its arguments, argTypes.
func inferTypeArgs(sc *scope, fun, call *node, argTypes, explicit []*itype) ([]*itype, error) {
	name := fun.child[1].ident
	ti := newTypeInference(sc, fun)
	copy(ti.types, explicit)
	params := fieldTypes(fun.typ.node.child[1])
	for k, at := range argTypes {
		if at != nil && isGeneric(at) {
			continue // a generic function, not instantiated: it gives nothing
		}
		var pt *node
		switch last := len(params) - 1; {
		case last >= 0 && k >= last && params[last].kind == ellipsisExpr:
			pt = params[last].child[0]
			if call.action == aCallSlice {
				pt = &node{kind: arrayType, child: []*node{pt}} // f(xs...)
			}
		case k < len(params):
			pt = params[k]
		}
		if err := ti.unify(pt, at); err != nil {
			return nil, call.child[1+min(k, len(call.child)-2)].cfgErrorf("in call to %s, %v", name, err)
		}
	}
	for _, step := range []func() error{ti.coreTypes, ti.defaults, ti.coreTypes} {
		if err := step(); err != nil {
			return nil, call.cfgErrorf("in call to %s, %v", name, err)
		}
	}
	for i, t := range ti.types {
		if t == nil {
			return nil, call.cfgErrorf("in call to %s, cannot infer %s", name, ti.names[i])
		}
		ct, err := nodeType(ti.interp, ti.sc, ti.constraints[i])
		if err != nil {
			return nil, err
		}
		if !satisfies(t, ct) {
			return nil, call.cfgErrorf("%s does not implement %s", t.id(), ct.id())
		}
	}
	return ti.types, nil
}

// genericCallResults returns the result types of call, if it is a call of
// a generic function (with some, all or none of its type arguments given),
// before the call is compiled: in the GTA pass, for a package-level
// variable (var registry = NewSet[string]()). The types of the arguments
// are found with nodeType.
func genericCallResults(interp *Interpreter, sc *scope, call *node) ([]*itype, bool, error) {
	c0 := call.child[0]
	callee, typeArgs := c0, []*node(nil)
	if c0.kind == indexExpr || c0.kind == indexListExpr {
		callee, typeArgs = c0.child[0], c0.child[1:]
	}
	ft, err := nodeType(interp, sc, callee)
	if err != nil || ft == nil || !isGeneric(ft) {
		return nil, false, err
	}
	fun := ft.node.anc
	explicit := make([]*itype, len(typeArgs))
	for i, c := range typeArgs {
		if explicit[i], err = nodeType(interp, sc, c); err != nil {
			return nil, true, err
		}
	}
	args := call.child[1:]
	var argTypes []*itype
	if len(args) == 1 && args[0].kind == callExpr {
		if at, err := nodeType(interp, sc, args[0].child[0]); err == nil && at != nil {
			if _, rets := signatureOf(at); len(rets) > 1 {
				argTypes = rets
			}
		}
	}
	if argTypes == nil {
		for _, a := range args {
			at := a.typ
			if at == nil {
				if at, err = nodeType(interp, sc, a); err != nil {
					return nil, true, err
				}
			}
			if at == nil || at.incomplete {
				return nil, true, a.cfgErrorf("undefined type of %s", nodeText(a))
			}
			argTypes = append(argTypes, at)
		}
	}
	types, err := inferTypeArgs(sc, fun, call, argTypes, explicit)
	if err != nil {
		return nil, true, err
	}
	// The result types, with the type parameters bound to their types.
	bsc := sc
	if fun.scope != nil {
		bsc = fun.scope
	}
	bsc = bsc.pushBloc()
	ti := newTypeInference(sc, fun)
	for i, name := range ti.names {
		bsc.sym[name] = &symbol{index: -1, kind: typeSym, typ: types[i]}
	}
	var rets []*itype
	if ftn := fun.typ.node; len(ftn.child) > 2 {
		for _, rt := range fieldTypes(ftn.child[2]) {
			t, err := nodeType(interp, bsc, rt)
			if err != nil {
				return nil, true, err
			}
			rets = append(rets, t)
		}
	}
	return rets, true, nil
}

// typeInference holds what is known of the type parameters of a generic
// function during the inference of a call's type arguments.
type typeInference struct {
	interp      *Interpreter
	sc          *scope         // the scope of the generic function's declaration
	names       []string       // the type parameters, in order
	index       map[string]int // the position of each type parameter
	constraints []*node        // the constraint of each type parameter
	types       []*itype       // the type inferred for each, or nil
	untyped     [][]*itype     // the untyped constants given for each
}

func newTypeInference(sc *scope, fun *node) *typeInference {
	if fun.scope != nil {
		sc = fun.scope
	}
	ti := &typeInference{interp: fun.interp, sc: sc, index: map[string]int{}}
	for _, field := range fun.typ.node.child[0].child {
		for _, name := range fieldNames(field) {
			ti.index[name.ident] = len(ti.names)
			ti.names = append(ti.names, name.ident)
			ti.constraints = append(ti.constraints, field.lastChild())
		}
	}
	ti.types = make([]*itype, len(ti.names))
	ti.untyped = make([][]*itype, len(ti.names))
	return ti
}

// fieldNames returns the names of a field of a parameter list, or the
// field's type alone for an unnamed parameter: one entry per parameter.
func fieldNames(field *node) []*node {
	if len(field.child) == 1 {
		return field.child
	}
	return field.child[:len(field.child)-1]
}

// fieldTypes returns the type node of each parameter of a parameter list.
func fieldTypes(list *node) []*node {
	var types []*node
	for _, field := range list.child {
		for range fieldNames(field) {
			types = append(types, field.lastChild())
		}
	}
	return types
}

// callArgTypes returns the types of a call's arguments: those of the
// results of a call given as the only argument, f(g()).
func callArgTypes(args []*node) []*itype {
	if len(args) == 1 && args[0].kind == callExpr && args[0].child[0].typ != nil {
		if _, rets := signatureOf(args[0].child[0].typ); len(rets) > 1 {
			return rets
		}
	}
	types := make([]*itype, len(args))
	for i, a := range args {
		types[i] = a.typ
	}
	return types
}

// unify infers the type parameters that appear in the type expression p
// from the type a of the value given for it.
func (ti *typeInference) unify(p *node, a *itype) error {
	if a == nil || p == nil {
		return nil
	}
	switch p.kind {
	case identExpr:
		if i, ok := ti.index[p.ident]; ok {
			return ti.bind(i, a)
		}
	case parenExpr:
		return ti.unify(p.child[0], a)
	case starExpr:
		return ti.unify(p.child[0], elemOf(a, reflect.Ptr))
	case arrayType:
		kind := reflect.Array
		if len(p.child) == 1 {
			kind = reflect.Slice
		}
		return ti.unify(p.lastChild(), elemOf(a, kind))
	case ellipsisExpr:
		// The variadic parameter of a function type.
		return ti.unify(p.child[0], elemOf(a, reflect.Slice))
	case chanType, chanTypeSend, chanTypeRecv:
		return ti.unify(p.child[0], elemOf(a, reflect.Chan))
	case mapType:
		key, val := keyValOf(a)
		if key == nil {
			return nil
		}
		if err := ti.unify(p.child[0], key); err != nil {
			return err
		}
		return ti.unify(p.child[1], val)
	case funcType:
		ins, outs := signatureOf(a)
		if err := ti.unifyList(fieldTypes(p.child[1]), ins); err != nil {
			return err
		}
		if len(p.child) > 2 {
			return ti.unifyList(fieldTypes(p.child[2]), outs)
		}
	case structType:
		return ti.unifyList(structFieldTypes(p), fieldsOf(a))
	case indexExpr, indexListExpr:
		return ti.unifyInstance(p, a)
	}
	return nil
}

// unifyInstance infers the type parameters in the type arguments of p, an
// instance of a generic type (Set[T]), from a. The type arguments of a
// are those it was instantiated with, if a is known as an instance of
// that generic type; otherwise they are inferred from a's structure
// against the generic type's definition (an instance's type may have been
// copied without its name).
func (ti *typeInference) unifyInstance(p *node, a *itype) error {
	gt, err := nodeType(ti.interp, ti.sc, p.child[0])
	if err != nil || gt.cat != genericT || gt.node == nil || gt.node.anc == nil || gt.node.anc.kind != typeSpec {
		return nil
	}
	spec := gt.node.anc
	if targs := instanceArgs(spec, a); targs != nil {
		return ti.unifyList(p.child[1:], targs)
	}
	if len(spec.child) < 3 {
		return nil
	}
	sub := ti.typeSpecInference(spec)
	if err := sub.unify(spec.lastChild(), a); err != nil {
		return err
	}
	return ti.unifyList(p.child[1:], sub.types)
}

// typeSpecInference returns an inference of the type parameters of spec,
// the declaration of a generic type.
func (ti *typeInference) typeSpecInference(spec *node) *typeInference {
	sub := &typeInference{interp: ti.interp, sc: ti.sc, index: map[string]int{}}
	if spec.scope != nil {
		sub.sc = spec.scope
	}
	for _, field := range spec.child[1].child {
		for _, name := range fieldNames(field) {
			sub.index[name.ident] = len(sub.names)
			sub.names = append(sub.names, name.ident)
		}
	}
	sub.types = make([]*itype, len(sub.names))
	sub.untyped = make([][]*itype, len(sub.names))
	return sub
}

// unifyNamedCore unifies t, the type of a type parameter whose constraint
// is c, an instance of a generic constraint (Slice[E], with type
// Slice[T any] interface{ ~[]T }), with the core type of the constraint's
// declaration: the type parameters in c's type arguments are inferred.
func (ti *typeInference) unifyNamedCore(c *node, t *itype) error {
	gt, err := nodeType(ti.interp, ti.sc, c.child[0])
	if err != nil || gt.cat != genericT || gt.node == nil || gt.node.anc == nil || gt.node.anc.kind != typeSpec {
		return nil
	}
	spec := gt.node.anc
	if len(spec.child) < 3 {
		return nil
	}
	core := coreTypeNode(spec.lastChild())
	if core == nil {
		return nil
	}
	sub := ti.typeSpecInference(spec)
	if err := sub.unify(core, t); err != nil {
		return err
	}
	return ti.unifyList(c.child[1:], sub.types)
}

func (ti *typeInference) unifyList(ps []*node, as []*itype) error {
	for i, p := range ps {
		if i >= len(as) {
			break
		}
		if as[i] == nil {
			continue
		}
		if err := ti.unify(p, as[i]); err != nil {
			return err
		}
	}
	return nil
}

// structFieldTypes returns the type node of each field of a struct type
// expression.
func structFieldTypes(n *node) []*node {
	var types []*node
	for _, c := range n.child[0].child {
		l := len(c.child)
		if l > 1 && c.lastChild().kind == basicLit {
			l-- // a tag
		}
		names := l - 1
		if names == 0 {
			names = 1 // an embedded field
		}
		for i := 0; i < names; i++ {
			types = append(types, c.child[l-1])
		}
	}
	return types
}

// fieldsOf returns the types of the fields of a, if a's underlying type
// is a struct type.
func fieldsOf(a *itype) []*itype {
	a = a.underlying()
	var types []*itype
	switch a.cat {
	case structT:
		for _, f := range a.field {
			types = append(types, f.typ)
		}
	case valueT:
		if a.val != nil {
			return fieldsOf(a.val)
		}
		if a.rtype == nil || a.rtype.Kind() != reflect.Struct {
			return nil
		}
		for i := 0; i < a.rtype.NumField(); i++ {
			types = append(types, valueTOf(a.rtype.Field(i).Type))
		}
	}
	return types
}

// bind records that the type parameter i stands for the type t. An untyped
// constant is kept aside (see defaults). Of a defined type and a type
// literal with the same underlying type, the defined type is kept, as in
// Go's inexact unification of the arguments of a call.
func (ti *typeInference) bind(i int, t *itype) error {
	if t.untyped {
		if !t.isNil() {
			ti.untyped[i] = append(ti.untyped[i], t)
		}
		return nil
	}
	t = ti.normalize(t)
	old := ti.types[i]
	switch {
	case old == nil:
		ti.types[i] = t
	case old.id() == t.id():
	case isTypeLiteral(old) && !isTypeLiteral(t) && sameReflectType(old, t):
		ti.types[i] = t
	case !isTypeLiteral(old) && isTypeLiteral(t) && sameReflectType(old, t):
	default:
		return fmt.Errorf("type %s does not match inferred type %s for %s", t.id(), old.id(), ti.names[i])
	}
	return nil
}

// defaults gives each type parameter that only untyped constants were
// given for the default type of the largest of their kinds (int, rune,
// float, complex).
func (ti *typeInference) defaults() error {
	for i, us := range ti.untyped {
		if ti.types[i] != nil || len(us) == 0 {
			continue
		}
		best, rank := us[0], untypedRank(us[0])
		for _, u := range us[1:] {
			r := untypedRank(u)
			if (r > untypedComplexRank || rank > untypedComplexRank) && r != rank {
				return fmt.Errorf("mismatched types %s and %s (cannot infer %s)", best.id(), u.id(), ti.names[i])
			}
			if r > rank {
				best, rank = u, r
			}
		}
		name := untypedDefaults[rank]
		if name == "" {
			return fmt.Errorf("cannot use %s as the type of %s", best.id(), ti.names[i])
		}
		ti.types[i] = ti.interp.universe.sym[name].typ
	}
	return nil
}

// The ranks of the kinds of untyped constants: of two numeric constants,
// the one of the larger rank gives its kind to an operation on both.
const (
	untypedIntRank = iota
	untypedRuneRank
	untypedFloatRank
	untypedComplexRank
	untypedBoolRank
	untypedStringRank
	untypedOtherRank
)

var untypedDefaults = [...]string{
	untypedIntRank:     "int",
	untypedRuneRank:    "rune",
	untypedFloatRank:   "float64",
	untypedComplexRank: "complex128",
	untypedBoolRank:    "bool",
	untypedStringRank:  "string",
}

func untypedRank(t *itype) int {
	switch t.TypeOf().Kind() {
	case reflect.Int:
		return untypedIntRank
	case reflect.Int32:
		return untypedRuneRank
	case reflect.Float64:
		return untypedFloatRank
	case reflect.Complex128:
		return untypedComplexRank
	case reflect.Bool:
		return untypedBoolRank
	case reflect.String:
		return untypedStringRank
	}
	return untypedOtherRank
}

// coreTypes unifies the core type of each type parameter's constraint
// (the type of its single term, as []E in ~[]E) with the type inferred for
// the type parameter, or infers the type parameter from its core type
// once the type parameters that appear in it are known, until nothing
// more is learned.
func (ti *typeInference) coreTypes() error {
	for changed := true; changed; {
		changed = false
		for i, c := range ti.constraints {
			known := ti.known()
			if (c.kind == indexExpr || c.kind == indexListExpr) && ti.types[i] != nil {
				if err := ti.unifyNamedCore(c, ti.types[i]); err != nil {
					return err
				}
				changed = changed || ti.known() > known
				continue
			}
			core := coreTypeNode(c)
			if core == nil {
				continue
			}
			if ti.types[i] != nil {
				if err := ti.unify(core, ti.types[i]); err != nil {
					return err
				}
			} else if t := ti.substitute(core); t != nil {
				ti.types[i] = t
			}
			changed = changed || ti.known() > known
		}
	}
	return nil
}

func (ti *typeInference) known() int {
	n := 0
	for _, t := range ti.types {
		if t != nil {
			n++
		}
	}
	return n
}

// coreTypeNode returns the type expression of the single term of the
// constraint c (~[]E, []E, interface{ ~[]E }) when it is a type literal,
// or nil.
func coreTypeNode(c *node) *node {
	switch c.kind {
	case unaryExpr: // ~T
		if isTypeLiteralNode(c.child[0]) {
			return c.child[0]
		}
	case interfaceType:
		if len(c.child) == 0 || len(c.child[0].child) != 1 || len(c.child[0].child[0].child) != 1 {
			return nil
		}
		return coreTypeNode(c.child[0].child[0].child[0])
	default:
		if isTypeLiteralNode(c) {
			return c
		}
	}
	return nil
}

func isTypeLiteralNode(n *node) bool {
	switch n.kind {
	case arrayType, mapType, chanType, chanTypeSend, chanTypeRecv, funcType, starExpr:
		return true
	}
	return false
}

// substitute returns the type of the type expression p with the type
// parameters replaced by their types, or nil if one is not known yet (or
// p is not a pointer, slice, map or channel type of them).
func (ti *typeInference) substitute(p *node) *itype {
	switch p.kind {
	case identExpr:
		if i, ok := ti.index[p.ident]; ok {
			return ti.types[i]
		}
		t, err := nodeType(ti.interp, ti.sc, p)
		if err != nil || t.incomplete || t.cat == genericT {
			return nil
		}
		return t
	case selectorExpr:
		t, err := nodeType(ti.interp, ti.sc, p)
		if err != nil || t.incomplete {
			return nil
		}
		return t
	case parenExpr:
		return ti.substitute(p.child[0])
	case starExpr:
		if e := ti.substitute(p.child[0]); e != nil {
			return ptrOf(e, withNode(p), withScope(ti.sc))
		}
	case arrayType:
		if len(p.child) != 1 {
			return nil
		}
		if e := ti.substitute(p.child[0]); e != nil {
			return sliceOf(e, withNode(p), withScope(ti.sc))
		}
	case mapType:
		k, v := ti.substitute(p.child[0]), ti.substitute(p.child[1])
		if k != nil && v != nil {
			return mapOf(k, v, withNode(p), withScope(ti.sc))
		}
	case chanType, chanTypeSend, chanTypeRecv:
		dir := map[nkind]chanDir{chanType: chanSendRecv, chanTypeSend: chanSend, chanTypeRecv: chanRecv}[p.kind]
		if e := ti.substitute(p.child[0]); e != nil {
			return chanOf(e, dir, withNode(p), withScope(ti.sc))
		}
	}
	return nil
}

// instanceArgs returns the type arguments of a, if a is known as an
// instance of the generic type declared by origin, or nil.
func instanceArgs(origin *node, a *itype) []*itype {
	for a.cat == linkedT && a.node == nil {
		a = a.val
	}
	if a.node == nil || a.node.anc == nil {
		return nil
	}
	// An instance is a copy of the generic type's declaration (see
	// genAST), at the same position, with its type arguments in param.
	r := a.node.anc
	if r == origin || r.kind != typeSpec || r.pos != origin.pos || len(r.param) == 0 {
		return nil
	}
	return r.param
}

// normalize returns the interpreter's own type for a predeclared type
// given by reflection (the element type of a binary function's []string).
func (ti *typeInference) normalize(t *itype) *itype {
	if t.cat != valueT || t.val != nil || t.rtype == nil || t.rtype.PkgPath() != "" || t.rtype.Name() == "" {
		return t
	}
	if sym, ok := ti.interp.universe.sym[t.rtype.Name()]; ok && sym.kind == typeSym {
		return sym.typ
	}
	return t
}

// elemOf returns the element type of a, if a's underlying type is of the
// kind (a pointer, slice, array or channel), or nil.
func elemOf(a *itype, kind reflect.Kind) *itype {
	a = a.underlying()
	switch a.cat {
	case ptrT:
		if kind == reflect.Ptr {
			return a.val
		}
	case sliceT, variadicT:
		if kind == reflect.Slice {
			return a.val
		}
	case arrayT:
		if kind == reflect.Array {
			return a.val
		}
	case chanT, chanSendT, chanRecvT:
		if kind == reflect.Chan {
			return a.val
		}
	case valueT:
		if a.val != nil {
			return elemOf(a.val, kind)
		}
		if a.rtype != nil && a.rtype.Kind() == kind {
			return valueTOf(a.rtype.Elem())
		}
	}
	return nil
}

// keyValOf returns the key and element types of a, if a's underlying
// type is a map type.
func keyValOf(a *itype) (key, val *itype) {
	a = a.underlying()
	switch a.cat {
	case mapT:
		return a.key, a.val
	case valueT:
		if a.val != nil {
			return keyValOf(a.val)
		}
		if a.rtype != nil && a.rtype.Kind() == reflect.Map {
			return valueTOf(a.rtype.Key()), valueTOf(a.rtype.Elem())
		}
	}
	return nil, nil
}

// signatureOf returns the parameter and result types of a, if a's
// underlying type is a function type.
func signatureOf(a *itype) (ins, outs []*itype) {
	a = a.underlying()
	switch a.cat {
	case funcT:
		return a.arg, a.ret
	case valueT:
		if a.val != nil && a.val.cat == funcT {
			return a.val.arg, a.val.ret
		}
		if a.rtype == nil || a.rtype.Kind() != reflect.Func {
			return nil, nil
		}
		for i := 0; i < a.rtype.NumIn(); i++ {
			ins = append(ins, valueTOf(a.rtype.In(i)))
		}
		for i := 0; i < a.rtype.NumOut(); i++ {
			outs = append(outs, valueTOf(a.rtype.Out(i)))
		}
	}
	return ins, outs
}

// isTypeLiteral reports whether t is a type written as a literal ([]int,
// map[string]int, func()), not a defined or predeclared type.
func isTypeLiteral(t *itype) bool {
	if t.cat == valueT && t.val == nil {
		return t.rtype != nil && t.rtype.Name() == ""
	}
	return t.name == "" && t.cat != linkedT
}

// sameReflectType reports whether a and b have the same underlying type,
// as far as reflection tells (a value of an interpreted defined type has
// the reflect type of its underlying type).
func sameReflectType(a, b *itype) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	return a.TypeOf() == b.TypeOf()
}

func checkConstraint(it, ct *itype) error {
	if satisfies(it, ct) {
		return nil
	}
	return it.node.cfgErrorf("%s does not implement %s", it.id(), ct.id())
}

// satisfies reports whether the type it is in the type set of the
// constraint ct (methods aside).
func satisfies(it, ct *itype) bool {
	if len(ct.constraint) == 0 && len(ct.ulconstraint) == 0 {
		return true
	}
	for _, c := range ct.constraint {
		if it.equals(c) || it.matchDefault(c) {
			return true
		}
	}
	for _, c := range ct.ulconstraint {
		if it.underlying().equals(c) || it.matchDefault(c) {
			return true
		}
	}
	return false
}
