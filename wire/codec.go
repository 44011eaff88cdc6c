package wire

import (
	"fmt"
	"reflect"
	"sync"
	"time"

	"github.com/microfn/microfn/funcs"
)

var timeType = reflect.TypeFor[time.Time]()

// A Codec holds the encoding plans of one package version: the flattened
// fields of its struct types and the mapping from the interpreter's
// reflect types back to the source types. Register every type before the
// first use; after that a Codec is safe for concurrent use.
type Codec struct {
	fields map[*funcs.Type][]wireField
	types  map[reflect.Type]*funcs.Type
	// methods are the functions SetMethods gave, by qualified type name;
	// marshalers how to call the methods of each type of Kind
	// funcs.Marshaler registered.
	methods    map[string]Methods
	marshalers map[*funcs.Type]*marshaler
	// native caches, per reflect type, whether encoding/json encodes it as
	// microfn must (no interpreted struct or interface inside).
	native sync.Map
}

// NewCodec returns an empty codec.
func NewCodec() *Codec {
	return &Codec{
		fields:     map[*funcs.Type][]wireField{},
		types:      map[reflect.Type]*funcs.Type{},
		methods:    map[string]Methods{},
		marshalers: map[*funcs.Type]*marshaler{},
	}
}

// Register records that the interpreter represents the source type t with
// rt, for t and every type reachable from it. It reports an error when the
// two do not match, which would be a bug in the interpreter or in microfn.
func (c *Codec) Register(t *funcs.Type, rt reflect.Type) error {
	return c.register(t, rt, map[*funcs.Type]bool{})
}

func (c *Codec) register(t *funcs.Type, rt reflect.Type, seen map[*funcs.Type]bool) error {
	if t == nil || seen[t] {
		return nil
	}
	seen[t] = true
	if r := codecOf(t.Kind).register; r != nil {
		return r(c, t, rt, seen)
	}
	return nil
}

// representationError reports that the interpreter represents the source
// type t with rt, which does not fit t.
func representationError(t *funcs.Type, rt reflect.Type) error {
	return fmt.Errorf("type %s is represented as %s by the interpreter, which microfn cannot encode", t, rt)
}

// registerHost returns the register operation of a kind whose values have
// the one host type host (time.Time, microfn.File).
func registerHost(host reflect.Type) func(*Codec, *funcs.Type, reflect.Type, map[*funcs.Type]bool) error {
	return func(_ *Codec, t *funcs.Type, rt reflect.Type, _ map[*funcs.Type]bool) error {
		if rt != host {
			return representationError(t, rt)
		}
		return nil
	}
}

// registerStruct registers a struct type, its fields' types, and the
// flattened fields that encoding and decoding walk.
func (c *Codec) registerStruct(t *funcs.Type, rt reflect.Type, seen map[*funcs.Type]bool) error {
	if rt.Kind() != reflect.Struct || rt.NumField() < len(t.Fields) {
		return representationError(t, rt)
	}
	c.types[rt] = t
	for _, f := range t.Fields {
		if f.Type == nil {
			continue
		}
		if err := c.register(f.Type, rt.Field(f.Index).Type, seen); err != nil {
			return err
		}
	}
	if _, ok := c.fields[t]; !ok {
		c.fields[t] = flatten(t)
	}
	return nil
}

// registerElem registers a pointer, slice or array type and its element
// type.
func (c *Codec) registerElem(t *funcs.Type, rt reflect.Type, seen map[*funcs.Type]bool) error {
	if rt.Kind() != reflect.Pointer && rt.Kind() != reflect.Slice && rt.Kind() != reflect.Array {
		return representationError(t, rt)
	}
	return c.register(t.Elem, rt.Elem(), seen)
}

// registerMap registers a map type, its key type and its element type.
func (c *Codec) registerMap(t *funcs.Type, rt reflect.Type, seen map[*funcs.Type]bool) error {
	if rt.Kind() != reflect.Map || t.Key == nil || !keyFits(t.Key, rt.Key()) {
		return representationError(t, rt)
	}
	if err := c.register(t.Key, rt.Key(), seen); err != nil {
		return err
	}
	return c.register(t.Elem, rt.Elem(), seen)
}

// registerStd checks the host type of a standard-library type.
func (c *Codec) registerStd(t *funcs.Type, rt reflect.Type, _ map[*funcs.Type]bool) error {
	if st, ok := stdReflectType(t.Std); !ok || rt != st {
		return representationError(t, rt)
	}
	return nil
}

// registerMarshaler records how to call the methods of a type of Kind
// funcs.Marshaler (see newMarshaler).
func (c *Codec) registerMarshaler(t *funcs.Type, rt reflect.Type, _ map[*funcs.Type]bool) error {
	if m, ok := c.marshalers[t]; ok {
		if m.rt != rt {
			return representationError(t, rt)
		}
		return nil
	}
	m, err := c.newMarshaler(t, rt)
	if err != nil {
		return err
	}
	c.marshalers[t] = m
	if rt.Kind() == reflect.Struct && rt.Name() == "" {
		c.types[rt] = t // an interpreted struct held in an any
	}
	return nil
}

// registerSeq registers a stream's type, func(yield func(T) bool) or
// func(yield func(T, error) bool), and the type of its values.
func (c *Codec) registerSeq(t *funcs.Type, rt reflect.Type, seen map[*funcs.Type]bool) error {
	if rt.Kind() != reflect.Func || rt.NumIn() != 1 || rt.In(0).Kind() != reflect.Func || rt.In(0).NumIn() < 1 {
		return representationError(t, rt)
	}
	return c.register(t.Elem, rt.In(0).In(0), seen)
}

// isNative reports whether encoding/json encodes values of rt exactly as
// microfn must: rt holds no unnamed struct (interpreted structs are
// unnamed) and no interface whose dynamic value could be one.
func (c *Codec) isNative(rt reflect.Type) bool {
	if v, ok := c.native.Load(rt); ok {
		return v.(bool)
	}
	native := nativeType(rt, map[reflect.Type]bool{})
	c.native.Store(rt, native)
	return native
}

func nativeType(rt reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[rt] {
		return true
	}
	seen[rt] = true
	switch rt.Kind() {
	case reflect.Struct:
		return rt.Name() != ""
	case reflect.Interface:
		return false
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return nativeType(rt.Elem(), seen)
	case reflect.Map:
		return nativeType(rt.Key(), seen) && nativeType(rt.Elem(), seen)
	}
	return true
}
