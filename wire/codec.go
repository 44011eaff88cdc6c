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
	mismatch := func() error {
		return fmt.Errorf("type %s is represented as %s by the interpreter, which microfn cannot encode", t, rt)
	}
	switch t.Kind {
	case funcs.Struct:
		if rt.Kind() != reflect.Struct || rt.NumField() < len(t.Fields) {
			return mismatch()
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
	case funcs.Pointer, funcs.Slice, funcs.Array:
		if rt.Kind() != reflect.Pointer && rt.Kind() != reflect.Slice && rt.Kind() != reflect.Array {
			return mismatch()
		}
		return c.register(t.Elem, rt.Elem(), seen)
	case funcs.Map:
		if rt.Kind() != reflect.Map || t.Key == nil || !keyFits(t.Key, rt.Key()) {
			return mismatch()
		}
		if err := c.register(t.Key, rt.Key(), seen); err != nil {
			return err
		}
		return c.register(t.Elem, rt.Elem(), seen)
	case funcs.Time:
		if rt != timeType {
			return mismatch()
		}
	case funcs.Std:
		if st, ok := stdReflectType(t.Std); !ok || rt != st {
			return mismatch()
		}
	case funcs.Marshaler:
		if m, ok := c.marshalers[t]; ok {
			if m.rt != rt {
				return mismatch()
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
	case funcs.FileKind:
		if rt != fileType {
			return mismatch()
		}
	case funcs.Seq:
		// func(yield func(T) bool), or func(yield func(T, error) bool)
		if rt.Kind() != reflect.Func || rt.NumIn() != 1 || rt.In(0).Kind() != reflect.Func || rt.In(0).NumIn() < 1 {
			return mismatch()
		}
		return c.register(t.Elem, rt.In(0).In(0), seen)
	}
	return nil
}

// keyFits reports whether rt can hold the map keys of the source type
// key, as decoding sets them.
func keyFits(key *funcs.Type, rt reflect.Type) bool {
	switch k := key.Kind; {
	case k == funcs.String:
		return rt.Kind() == reflect.String
	case k == funcs.Time:
		return rt == timeType
	case k == funcs.Std:
		st, ok := stdReflectType(key.Std)
		return ok && rt == st && key.Std.Key
	case k == funcs.Marshaler:
		return funcs.IsMapKey(key)
	case k.IsUnsigned():
		switch rt.Kind() {
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			return rt.Bits() >= k.Bits()
		}
	case k.IsInteger(), k == funcs.Duration:
		switch rt.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return rt.Bits() >= k.Bits()
		}
	}
	return false
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
