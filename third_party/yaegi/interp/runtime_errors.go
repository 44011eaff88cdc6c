package interp

import (
	"math/bits"
	"reflect"
	"runtime"
	"sort"
	"strconv"
	"strings"
)

// Run-time panics of interpreted code, as Go raises them.
//
// yaegi carries out indexing, slicing, dereferencing and make with
// package reflect, whose panics are strings ("reflect: slice index out of
// range") or reflect.ValueErrors, and asserts types with errors of its
// own. Go code that recovers a run-time panic expects a runtime.Error with
// the runtime's text: `if e, ok := r.(runtime.Error); ok` and the text a
// user sees. The functions here check what reflect would reject and
// panic with such an error first: the runtime's own where making one is
// cheap (a nil dereference, make), an error of the same text otherwise.

// boundsError is a run-time error of an index or a slice expression out
// of range, formatted as the runtime's boundsError.
type boundsError struct {
	x, y   int
	signed bool // x may be negative
	code   boundsCode
}

type boundsCode uint8

const (
	boundsIndex      boundsCode = iota // s[x], 0 <= x < len(s) failed
	boundsSliceAlen                    // s[?:x], 0 <= x <= len(s) failed
	boundsSliceAcap                    // s[?:x], 0 <= x <= cap(s) failed
	boundsSliceB                       // s[x:y], 0 <= x <= y failed
	boundsSlice3Alen                   // s[?:?:x], 0 <= x <= len(s) failed
	boundsSlice3Acap                   // s[?:?:x], 0 <= x <= cap(s) failed
	boundsSlice3B                      // s[?:x:y], 0 <= x <= y failed
	boundsSlice3C                      // s[x:y:?], 0 <= x <= y failed
	boundsConvert                      // (*[x]T)(s), 0 <= x <= len(s) failed
)

// The runtime's formats (runtime/error.go): %x is x, %y is y.
var boundsErrorFmt = [...]string{
	boundsIndex:      "index out of range [%x] with length %y",
	boundsSliceAlen:  "slice bounds out of range [:%x] with length %y",
	boundsSliceAcap:  "slice bounds out of range [:%x] with capacity %y",
	boundsSliceB:     "slice bounds out of range [%x:%y]",
	boundsSlice3Alen: "slice bounds out of range [::%x] with length %y",
	boundsSlice3Acap: "slice bounds out of range [::%x] with capacity %y",
	boundsSlice3B:    "slice bounds out of range [:%x:%y]",
	boundsSlice3C:    "slice bounds out of range [%x:%y:]",
	boundsConvert:    "cannot convert slice with length %x to array or pointer to array with length %y",
}

// boundsNegErrorFmt are the formats for a negative x.
var boundsNegErrorFmt = [...]string{
	boundsIndex:      "index out of range [%x]",
	boundsSliceAlen:  "slice bounds out of range [:%x]",
	boundsSliceAcap:  "slice bounds out of range [:%x]",
	boundsSliceB:     "slice bounds out of range [%x:]",
	boundsSlice3Alen: "slice bounds out of range [::%x]",
	boundsSlice3Acap: "slice bounds out of range [::%x]",
	boundsSlice3B:    "slice bounds out of range [:%x:]",
	boundsSlice3C:    "slice bounds out of range [%x::]",
}

func (e boundsError) RuntimeError() {}

func (e boundsError) Error() string {
	format := boundsErrorFmt[e.code]
	if e.signed && e.x < 0 {
		format = boundsNegErrorFmt[e.code]
	}
	b := []byte("runtime error: ")
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' || i+1 == len(format) {
			b = append(b, c)
			continue
		}
		i++
		switch format[i] {
		case 'x':
			b = strconv.AppendInt(b, int64(e.x), 10)
		case 'y':
			b = strconv.AppendInt(b, int64(e.y), 10)
		}
	}
	return string(b)
}

// runtimeError is any other run-time error of interpreted code that Go
// raises as a runtime.Error: its text follows "runtime error: ".
type runtimeError string

func (e runtimeError) RuntimeError() {}

func (e runtimeError) Error() string { return "runtime error: " + string(e) }

// typeAssertionError is the panic of a failed type assertion, as the
// runtime's *TypeAssertionError.
type typeAssertionError struct{ msg string }

func (e *typeAssertionError) RuntimeError() {}

func (e *typeAssertionError) Error() string { return e.msg }

var sinkInt int

// nilDerefError is the runtime's own error of a nil pointer dereference.
var nilDerefError = func() (err error) {
	defer func() { err, _ = recover().(error) }()
	var p *struct{ x int }
	sinkInt = p.x
	return nil
}()

// panicNilDeref panics as a nil pointer dereference does.
func panicNilDeref() {
	panic(nilDerefError)
}

// checkDeref panics as Go does if v, a pointer about to be dereferenced,
// is nil.
func checkDeref(v reflect.Value) {
	if !v.IsValid() || v.Kind() == reflect.Ptr && v.IsNil() {
		panicNilDeref()
	}
}

// checkIndex panics as Go does if i is out of range for v, a slice, an
// array or a string (or the element of a nil pointer to an array).
func checkIndex(v reflect.Value, i int) {
	if !v.IsValid() {
		panicNilDeref()
	}
	switch v.Kind() {
	case reflect.Slice, reflect.Array, reflect.String:
		if n := v.Len(); i < 0 || i >= n {
			panic(boundsError{x: i, y: n, signed: true, code: boundsIndex})
		}
	}
}

// checkSlice panics as Go does if v[lo:hi] (or v[lo:hi:max] when three is
// set) is out of range, v being a slice, an array or a string (or the
// element of a nil pointer to an array).
func checkSlice(v reflect.Value, lo, hi, max int, three bool) {
	if !v.IsValid() {
		panicNilDeref()
	}
	var bound int
	alen, acap := boundsSliceAlen, boundsSlice3Alen
	switch v.Kind() {
	case reflect.Slice:
		bound = v.Cap()
		alen, acap = boundsSliceAcap, boundsSlice3Acap
	case reflect.Array, reflect.String:
		bound = v.Len()
	default:
		return
	}
	if three {
		switch {
		case max < 0 || max > bound:
			panic(boundsError{x: max, y: bound, signed: true, code: acap})
		case hi < 0 || hi > max:
			panic(boundsError{x: hi, y: max, signed: true, code: boundsSlice3B})
		case lo < 0 || lo > hi:
			panic(boundsError{x: lo, y: hi, signed: true, code: boundsSlice3C})
		}
		return
	}
	switch {
	case hi < 0 || hi > bound:
		panic(boundsError{x: hi, y: bound, signed: true, code: alen})
	case lo < 0 || lo > hi:
		panic(boundsError{x: lo, y: hi, signed: true, code: boundsSliceB})
	}
}

// checkMakeSlice panics as Go does (runtime.makeslice64) if make of a
// slice of elements of the given size, of length n and capacity c, is out
// of range: with the runtime's own errors. reflect.MakeSlice panics with
// other texts, or with "runtime: allocation size out of range" for a
// slice too large.
func checkMakeSlice(size uintptr, n, c int64) {
	switch {
	case int64(int(n)) != n:
		panicMakeSliceLen()
	case int64(int(c)) != c:
		panicMakeSliceCap()
	case allocTooLarge(size, int(c)) || n < 0 || n > c:
		if allocTooLarge(size, int(n)) || n < 0 {
			panicMakeSliceLen()
		}
		panicMakeSliceCap()
	}
}

// allocTooLarge reports whether n elements of the given size are more
// than the runtime allocates (a negative n is too large, as the runtime
// takes it for an unsigned number).
func allocTooLarge(size uintptr, n int) bool {
	hi, mem := bits.Mul(uint(size), uint(n))
	return hi != 0 || uint64(mem) > maxAlloc()
}

// maxAlloc returns the size of the largest allocation the runtime makes
// (maxAlloc in runtime/malloc.go).
func maxAlloc() uint64 {
	const is64 = strconv.IntSize == 64
	addrBits := 48
	switch {
	case runtime.GOOS == "ios" && runtime.GOARCH == "arm64":
		addrBits = 40
	case runtime.GOARCH == "wasm":
		addrBits = 32
	case !is64 && (runtime.GOARCH == "mips" || runtime.GOARCH == "mipsle"):
		addrBits = 31
	case !is64:
		addrBits = 32
	}
	if !is64 {
		return 1<<addrBits - 1
	}
	return 1 << addrBits
}

// panicMakeSliceLen panics with the runtime's error of make([]T, n) for
// a length n out of range.
func panicMakeSliceLen() {
	n := -1
	_ = make([]struct{}, n)
}

// panicMakeSliceCap panics with the runtime's error of make([]T, n, c)
// for a capacity c out of range.
func panicMakeSliceCap() {
	c := -1
	_ = make([]struct{}, 0, c)
}

// checkMakeChan panics as Go does if make of a channel of buffer size n
// is out of range: with the runtime's own error.
func checkMakeChan(n int) {
	if n < 0 {
		_ = make(chan struct{}, n)
	}
}

// goTypeString spells t as the runtime spells types in its messages.
func goTypeString(t *itype) string {
	if t == nil {
		return "nil"
	}
	switch t.cat {
	case valueT:
		if t.rtype != nil {
			return t.rtype.String()
		}
	case errorT:
		return "error"
	case interfaceT:
		if t.name != "" {
			break
		}
		if len(t.field) == 0 {
			return "interface {}"
		}
		var methods []string
		for name := range t.methods() {
			if ft := lookupFieldOrMethod(t, name); ft != nil {
				methods = append(methods, name+strings.TrimPrefix(goTypeString(ft), "func"))
			}
		}
		sort.Strings(methods)
		return "interface { " + strings.Join(methods, "; ") + " }"
	}
	return strings.ReplaceAll(t.id(), "interface{}", "interface {}")
}

// panicTypeAssertion panics as a failed type assertion x.(T) does, with
// the runtime's text: inter is the static type of x (nil when T is an
// interface, which the runtime does not name), concrete the dynamic type
// of x (nil for a nil interface value), as T, and missing the first
// method of T that x lacks.
func panicTypeAssertion(inter, concrete, as string, missing string) {
	if inter == "" {
		inter = "interface"
	}
	var msg string
	switch {
	case concrete == "":
		msg = "interface conversion: " + inter + " is nil, not " + as
	case missing != "":
		msg = "interface conversion: " + concrete + " is not " + as + ": missing method " + missing
	default:
		msg = "interface conversion: " + inter + " is " + concrete + ", not " + as
	}
	panic(&typeAssertionError{msg})
}

// assertedString spells the static type of x in x.(T) for the runtime's
// message, which names it only when T is not an interface.
func assertedInter(x, as *itype) string {
	if isInterface(as) {
		return ""
	}
	return goTypeString(x)
}

// firstMissing returns the first method of the interface iface, by
// name, that the interpreted type t lacks.
func firstMissing(t, iface *itype) string {
	have := t.methods()
	var names []string
	for name := range iface.methods() {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if _, ok := have[name]; !ok {
			return name
		}
	}
	if len(names) > 0 {
		return names[0]
	}
	return ""
}

// fieldByIndex returns the field index of the struct p points to,
// panicking as Go does on a nil pointer, p or an embedded one on the way.
func fieldByIndex(p reflect.Value, index []int) reflect.Value {
	checkDeref(p)
	v, err := p.Elem().FieldByIndexErr(index)
	if err != nil {
		panicNilDeref()
	}
	return v
}

// genValueShift returns the count of a shift, n, which panics as Go does
// when it is negative.
func genValueShift(n *node) func(*frame) (reflect.Value, uint64) {
	switch n.typ.TypeOf().Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		value := genValue(n)
		return func(f *frame) (reflect.Value, uint64) {
			v := value(f)
			i := v.Int()
			if i < 0 {
				panic(runtimeError("negative shift amount"))
			}
			return v, uint64(i)
		}
	}
	return genValueUint(n)
}

// checkConvert panics as Go does if v, a slice converted to typ, an array
// or a pointer to an array, is shorter than the array.
func checkConvert(v reflect.Value, typ reflect.Type) {
	if v.Kind() != reflect.Slice {
		return
	}
	at := typ
	if at.Kind() == reflect.Ptr {
		at = at.Elem()
	}
	if at.Kind() == reflect.Array && v.Len() < at.Len() {
		panic(boundsError{x: v.Len(), y: at.Len(), code: boundsConvert})
	}
}

// fieldByIndexOf returns the field index of the struct v, panicking as
// Go does on a nil embedded pointer on the way.
func fieldByIndexOf(v reflect.Value, index []int) reflect.Value {
	if len(index) == 1 {
		return v.Field(index[0])
	}
	r, err := v.FieldByIndexErr(index)
	if err != nil {
		panicNilDeref()
	}
	return r
}
