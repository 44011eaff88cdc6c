//go:build go1.26

package generic

import (
	"crypto/hkdf"
	"crypto/pbkdf2"
	"hash"
	"hash/maphash"
	"iter"
	"reflect"
	"runtime"
	"unique"
	"unsafe"
	"weak"
)

// Natives maps the import path of a package of Sources to the host
// functions and types its source uses, by their names there: compiled
// instances of the standard library's generic functions for an interface
// type argument (hkdf.Key[hash.Hash], unique.Make[any], …), and what
// interpreted code cannot do itself.
var Natives = map[string]map[string]reflect.Value{
	"crypto/hkdf": {
		"hostExtract": reflect.ValueOf(hkdf.Extract[hash.Hash]),
		"hostExpand":  reflect.ValueOf(hkdf.Expand[hash.Hash]),
		"hostKey":     reflect.ValueOf(hkdf.Key[hash.Hash]),
	},
	"crypto/pbkdf2": {
		"hostKey": reflect.ValueOf(pbkdf2.Key[hash.Hash]),
	},
	"hash/maphash": {
		"hostComparable":      reflect.ValueOf(maphash.Comparable[any]),
		"hostWriteComparable": reflect.ValueOf(maphash.WriteComparable[any]),
	},
	"iter": {
		"hostPull": reflect.ValueOf(pull),
	},
	"runtime": {
		"hostAddCleanup": reflect.ValueOf(addCleanup),
	},
	"unique": {
		"hostHandle": reflect.ValueOf((*unique.Handle[any])(nil)),
		"hostMake":   reflect.ValueOf(unique.Make[any]),
		"hostValue":  reflect.ValueOf(unique.Handle[any].Value),
	},
	"weak": {
		"hostPointer": reflect.ValueOf((*weak.Pointer[byte])(nil)),
		"hostMake":    reflect.ValueOf(makePointer),
		"hostValue":   reflect.ValueOf(pointerValue),
	},
}

// pull is iter.Pull of values in boxes.
func pull(seq func(yield func(any) bool)) (func() (any, bool), func()) {
	return iter.Pull(iter.Seq[any](seq))
}

// addCleanup is runtime.AddCleanup for a pointer of an interpreted type.
func addCleanup(ptr any, cleanup func(any), arg any) runtime.Cleanup {
	p := reflect.ValueOf(ptr)
	if a := reflect.ValueOf(arg); a.Kind() == reflect.Pointer && a.Pointer() == p.Pointer() {
		panic("runtime.AddCleanup: ptr is equal to arg, cleanup will never run")
	}
	return runtime.AddCleanup((*byte)(p.UnsafePointer()), cleanup, arg)
}

// makePointer is weak.Make for a pointer of an interpreted type: the
// runtime tracks the object ptr points to whatever its type.
func makePointer(ptr any) weak.Pointer[byte] {
	p := reflect.ValueOf(ptr)
	if !p.IsValid() || p.IsNil() {
		return weak.Pointer[byte]{}
	}
	return weak.Make((*byte)(p.UnsafePointer()))
}

// pointerValue is weak.Pointer.Value, of the type of typ, a nil pointer.
func pointerValue(w weak.Pointer[byte], typ any) any {
	b := w.Value()
	if b == nil {
		return nil
	}
	return reflect.NewAt(reflect.TypeOf(typ).Elem(), unsafe.Pointer(b)).Interface()
}
