package sandbox

import (
	"go/types"
)

// dangerous returns an excluded method reflection could call through a
// value of type t: on the value, on what its exported fields and the
// results of its methods lead to, or, from its reflect.Type, on a zero
// value of a type in zeroValueLive.
func (c *checker) dangerous(t types.Type) *target {
	if hit := c.reach(t, false); hit != nil {
		return hit
	}
	return c.reach(t, true)
}

// reach returns an excluded method reachable from a value of type t
// (byType false) or from its reflect.Type (byType true), which also
// reaches unexported fields and parameters, but only calls methods of
// zero values.
func (c *checker) reach(t types.Type, byType bool) *target {
	memo := c.reached[0]
	if byType {
		memo = c.reached[1]
	}
	if hit, ok := memo[t]; ok {
		return hit
	}
	memo[t] = nil // cycles
	hit := c.reachUncached(types.Unalias(t), byType)
	memo[t] = hit
	return hit
}

// reachUncached is reach without its memo.
func (c *checker) reachUncached(t types.Type, byType bool) *target {
	reachAll := func(ts ...types.Type) *target {
		for _, t := range ts {
			if hit := c.reach(t, byType); hit != nil {
				return hit
			}
		}
		return nil
	}
	tuple := func(tu *types.Tuple) []types.Type {
		var ts []types.Type
		for i := range tu.Len() {
			ts = append(ts, tu.At(i).Type())
		}
		return ts
	}
	sigTypes := func(sig *types.Signature) []types.Type {
		if byType {
			return append(tuple(sig.Params()), tuple(sig.Results())...)
		}
		return tuple(sig.Results())
	}
	switch t := t.(type) {
	case *types.Named:
		if hit := c.targetOf(t, byType); hit != nil {
			return hit
		}
		if _, iface := t.Underlying().(*types.Interface); !iface {
			ms := types.NewMethodSet(types.NewPointer(t))
			for i := range ms.Len() {
				if m := ms.At(i).Obj(); m.Exported() {
					if hit := reachAll(sigTypes(m.Type().(*types.Signature))...); hit != nil {
						return hit
					}
				}
			}
		}
		return c.reach(t.Underlying(), byType)
	case *types.Pointer:
		return c.reach(t.Elem(), byType)
	case *types.Slice:
		return c.reach(t.Elem(), byType)
	case *types.Array:
		return c.reach(t.Elem(), byType)
	case *types.Chan:
		return c.reach(t.Elem(), byType)
	case *types.Map:
		return reachAll(t.Key(), t.Elem())
	case *types.Struct:
		for i := range t.NumFields() {
			if f := t.Field(i); byType || f.Exported() || f.Embedded() {
				if hit := c.reach(f.Type(), byType); hit != nil {
					return hit
				}
			}
		}
	case *types.Signature:
		return reachAll(sigTypes(t)...)
	case *types.Interface:
		for i := range t.NumMethods() {
			if hit := reachAll(sigTypes(t.Method(i).Signature())...); hit != nil {
				return hit
			}
		}
	case *types.Tuple:
		return reachAll(tuple(t)...)
	}
	return nil
}

// targetOf returns an excluded method of named type n that reflection
// could call: through a value, or through a zero value if byType.
func (c *checker) targetOf(n *types.Named, byType bool) *target {
	obj := n.Origin().Obj()
	if obj.Pkg() == nil || !c.host(obj.Pkg()) {
		return nil
	}
	path := obj.Pkg().Path()
	if byType && !zeroValueLive[path+"."+obj.Name()] {
		return nil
	}
	ms := types.NewMethodSet(types.NewPointer(n))
	for i := range ms.Len() {
		name := obj.Name() + "." + ms.At(i).Obj().Name()
		if r, out := c.pol.excluded(path, name); out && r.gate != gateUnrestricted {
			// Raw memory is out of reach of reflection: what
			// Value.UnsafePointer returns cannot be used without
			// naming unsafe.Pointer.
			return &target{path: path, name: name, why: r}
		}
	}
	return nil
}
