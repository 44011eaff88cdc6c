package wire

import (
	"encoding/json"
	"reflect"
	"strings"

	"github.com/microfn/microfn/funcs"
)

// wireField is one field of a struct as encoding/json sees it, after
// embedded structs are flattened, with its key pre-encoded.
type wireField struct {
	name    string // JSON key
	key     []byte // `"name":`, pre-encoded
	path    []int  // field indexes from the outer struct
	typ     *funcs.Type
	omitEmp bool
	omitZer bool
	// noAlloc reports that path crosses an embedded pointer to an
	// unexported struct: encoding/json encodes the field but cannot
	// allocate the pointer when decoding.
	noAlloc bool
}

// flatten lists the JSON fields of the struct type t (see
// funcs.Type.JSONFields) with their keys encoded.
func flatten(t *funcs.Type) []wireField {
	var out []wireField
	for _, f := range t.JSONFields() {
		k, _ := json.Marshal(f.JSONName)
		out = append(out, wireField{
			name: f.JSONName, key: append(k, ':'), path: f.Path, typ: f.Type,
			omitEmp: f.OmitEmpty, omitZer: f.OmitZero, noAlloc: f.NoAlloc,
		})
	}
	return out
}

// fieldByPath returns the field of struct v at path, following embedded
// pointers. With alloc, nil embedded pointers are allocated (decoding);
// without, a nil one ends the walk with ok false (encoding skips the field).
func fieldByPath(v reflect.Value, path []int, alloc bool) (reflect.Value, bool) {
	for i, idx := range path {
		if i > 0 && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !alloc {
					return reflect.Value{}, false
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(idx)
	}
	return v, true
}

// lookupField finds the field for a JSON key: an exact match, else a
// case-insensitive one, as encoding/json does.
func lookupField(fields []wireField, key string) *wireField {
	for i := range fields {
		if fields[i].name == key {
			return &fields[i]
		}
	}
	for i := range fields {
		if strings.EqualFold(fields[i].name, key) {
			return &fields[i]
		}
	}
	return nil
}
