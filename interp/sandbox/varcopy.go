package sandbox

import (
	"reflect"
	"slices"
	"unicode"
)

// A varCopier makes the interpreter's copies of the host's variables.
// Plain data (the unicode tables, base64.StdEncoding, palette.Plan9, …) is
// copied deeply, so that the copies share nothing the interpreted code
// could change; errors and sharedVars keep the host's value (their
// identity matters), in a variable of the interpreter's own.
type varCopier struct {
	ptrs map[ptrKey]reflect.Value // copies of the pointers seen, by address and type
}

// ptrKey identifies a pointer the copier has seen.
type ptrKey struct {
	addr uintptr
	typ  reflect.Type
}

// newVarCopier returns a varCopier that has copied nothing yet.
func newVarCopier() *varCopier { return &varCopier{ptrs: map[ptrKey]reflect.Value{}} }

// copy returns the interpreter's variable for variable name of path, whose
// host variable is v.
func (c *varCopier) copy(path, name string, v reflect.Value) reflect.Value {
	own := reflect.New(v.Type()).Elem()
	_, inTable := allowedNames[path]
	if !inTable || path == "net/http" || sharedVars[path+"."+name] || v.Type().Implements(reflect.TypeFor[error]()) {
		own.Set(v)
		return own
	}
	own.Set(c.deep(v))
	return own
}

// deep returns a copy of v that shares no pointer, slice or map with it
// through exported fields. Interfaces, functions and channels are kept.
func (c *varCopier) deep(v reflect.Value) reflect.Value {
	if plainData(v.Type()) {
		return v
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		k := ptrKey{v.Pointer(), v.Type()}
		if n, ok := c.ptrs[k]; ok {
			return n
		}
		if t, ok := v.Interface().(*unicode.RangeTable); ok {
			// The bulk of the copies, made without reflection.
			n := reflect.ValueOf(&unicode.RangeTable{
				R16:         slices.Clone(t.R16),
				R32:         slices.Clone(t.R32),
				LatinOffset: t.LatinOffset,
			})
			c.ptrs[k] = n
			return n
		}
		n := reflect.New(v.Type().Elem())
		c.ptrs[k] = n
		n.Elem().Set(c.deep(v.Elem()))
		return n
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		if plainData(v.Type().Elem()) {
			reflect.Copy(n, v)
			return n
		}
		for i := range v.Len() {
			n.Index(i).Set(c.deep(v.Index(i)))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		n := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			n.SetMapIndex(it.Key(), c.deep(it.Value()))
		}
		return n
	case reflect.Array:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		for i := range v.Len() {
			n.Index(i).Set(c.deep(v.Index(i)))
		}
		return n
	case reflect.Struct:
		n := reflect.New(v.Type()).Elem()
		n.Set(v)
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				n.Field(i).Set(c.deep(v.Field(i)))
			}
		}
		return n
	}
	return v
}

// plainData reports whether a value of type t holds nothing deep would
// copy: no pointer, slice or map (strings are immutable).
func plainData(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map, reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return false
	case reflect.Array:
		return plainData(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !plainData(t.Field(i).Type) {
				return false
			}
		}
	}
	return true
}
