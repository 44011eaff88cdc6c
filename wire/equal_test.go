package wire_test

import (
	"math"
	"math/big"
	"reflect"
)

// sameValue reports whether a and b are deeply equal as the wire sees
// values: like reflect.DeepEqual, but a NaN equals a NaN (the wire writes
// every NaN as "NaN"), and math/big numbers compare by value (their
// internal representation, and a big.Float's precision, do not travel).
func sameValue(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return sameDeep(reflect.ValueOf(a), reflect.ValueOf(b), map[[2]uintptr]bool{})
}

var (
	bigIntType   = reflect.TypeFor[big.Int]()
	bigFloatType = reflect.TypeFor[big.Float]()
	bigRatType   = reflect.TypeFor[big.Rat]()
)

// addressable returns a pointer to a copy of v.
func addressable(v reflect.Value) any {
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	return p.Interface()
}

func sameDeep(x, y reflect.Value, seen map[[2]uintptr]bool) bool {
	if !x.IsValid() || !y.IsValid() {
		return x.IsValid() == y.IsValid()
	}
	if x.Type() != y.Type() {
		return false
	}
	switch x.Type() {
	case bigIntType:
		return addressable(x).(*big.Int).Cmp(addressable(y).(*big.Int)) == 0
	case bigFloatType:
		return addressable(x).(*big.Float).Cmp(addressable(y).(*big.Float)) == 0
	case bigRatType:
		return addressable(x).(*big.Rat).Cmp(addressable(y).(*big.Rat)) == 0
	}
	switch x.Kind() {
	case reflect.Float32, reflect.Float64:
		fx, fy := x.Float(), y.Float()
		return fx == fy || (math.IsNaN(fx) && math.IsNaN(fy))
	case reflect.Pointer:
		if x.IsNil() || y.IsNil() {
			return x.IsNil() == y.IsNil()
		}
		if x.Pointer() == y.Pointer() {
			return true
		}
		k := [2]uintptr{x.Pointer(), y.Pointer()}
		if seen[k] {
			return true
		}
		seen[k] = true
		return sameDeep(x.Elem(), y.Elem(), seen)
	case reflect.Interface:
		if x.IsNil() || y.IsNil() {
			return x.IsNil() == y.IsNil()
		}
		return sameDeep(x.Elem(), y.Elem(), seen)
	case reflect.Slice:
		if x.IsNil() != y.IsNil() || x.Len() != y.Len() {
			return false
		}
		fallthrough
	case reflect.Array:
		for i := range x.Len() {
			if !sameDeep(x.Index(i), y.Index(i), seen) {
				return false
			}
		}
		return true
	case reflect.Map:
		if x.IsNil() != y.IsNil() || x.Len() != y.Len() {
			return false
		}
		for it := x.MapRange(); it.Next(); {
			v := y.MapIndex(it.Key())
			if !v.IsValid() || !sameDeep(it.Value(), v, seen) {
				return false
			}
		}
		return true
	case reflect.Struct:
		for i := range x.NumField() {
			if !sameDeep(x.Field(i), y.Field(i), seen) {
				return false
			}
		}
		return true
	}
	if x.CanInterface() && y.CanInterface() {
		return reflect.DeepEqual(x.Interface(), y.Interface())
	}
	// Unexported fields: compare what reflect lets us read.
	switch x.Kind() {
	case reflect.Bool:
		return x.Bool() == y.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return x.Int() == y.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return x.Uint() == y.Uint()
	case reflect.String:
		return x.String() == y.String()
	case reflect.Complex64, reflect.Complex128:
		return x.Complex() == y.Complex()
	case reflect.UnsafePointer:
		return x.Pointer() == y.Pointer()
	}
	return false
}
