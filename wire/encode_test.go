package wire_test

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/wire"
)

var (
	typesOnce sync.Once
	typesPkg  *funcs.Package
	typesErr  error
)

// sourceTypes parses types_test.go, the source of the compiled types the
// differential tests encode.
func sourceTypes(t testing.TB) *funcs.Package {
	t.Helper()
	typesOnce.Do(func() {
		src, err := os.ReadFile("types_test.go")
		if err != nil {
			typesErr = err
			return
		}
		typesPkg, typesErr = funcs.Parse(".", []funcs.SourceFile{{Name: "types_test.go", Src: src}})
	})
	if typesErr != nil {
		t.Fatalf("parse types_test.go: %v", typesErr)
	}
	return typesPkg
}

var lookupMu sync.Mutex

// sourceType returns the source description of the compiled named type rt.
func sourceType(t testing.TB, rt reflect.Type) *funcs.Type {
	t.Helper()
	pkg := sourceTypes(t)
	lookupMu.Lock() // LookupType is not safe for concurrent use
	defer lookupMu.Unlock()
	typ, ok := pkg.LookupType(rt.Name())
	if !ok {
		t.Fatalf("types_test.go declares no type %s that can travel", rt.Name())
	}
	return typ
}

// encode encodes v, a value of a named type of types_test.go, with wire.
func encode(t testing.TB, c *wire.Codec, v any) ([]byte, error) {
	t.Helper()
	rt := reflect.TypeOf(v)
	typ := sourceType(t, rt)
	if err := c.Register(typ, rt); err != nil {
		t.Fatalf("Register(%s): %v", rt, err)
	}
	return c.AppendValue(nil, typ, reflect.ValueOf(v))
}

// checkSameAsJSON checks that wire encodes v as json.Marshal does.
func checkSameAsJSON(t *testing.T, c *wire.Codec, v any) {
	t.Helper()
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal(%#v): %v", v, err)
	}
	got, err := encode(t, c, v)
	if err != nil {
		t.Fatalf("AppendValue(%#v): %v", v, err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%T %+v:\n got %s\nwant %s", v, v, got, want)
	}
}

func ptr[T any](v T) *T { return &v }

var (
	paris  = time.FixedZone("Paris", 3600)
	moment = time.Date(2024, 2, 29, 13, 14, 15, 123456789, time.UTC)
)

func TestEncodeSameAsJSON(t *testing.T) {
	seven := 7
	values := []any{
		Scalars{},
		Scalars{
			B: true, I: -1 << 62, I8: -128, I16: math.MaxInt16, I32: math.MinInt32, I64: math.MinInt64,
			U: math.MaxUint, U8: 255, U16: math.MaxUint16, U32: math.MaxUint32, U64: math.MaxUint64, Uptr: 42,
			F32: 3.25, F64: -0.1, S: "héllo", R: 'é', By: 'x', N: "n", C: -40, D: 1500 * time.Millisecond,
			T: moment,
		},
		Scalars{T: moment.In(paris), D: -time.Hour},
		Scalars{T: time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC)},
		Scalars{T: time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.FixedZone("", -(23*3600+59*60)))},

		Tagged{},
		Tagged{
			Renamed: 1, Empty: "e", OmitInt: 2, OmitZero: 3, Skipped: 4, Dash: 5, BadName: 6, Spaces: 7,
			Unicode: 8, HTML: 9, OtherTag: 10, OmitPtr: ptr(0), OmitSlice: []int{0}, OmitMap: map[string]int{"": 0},
			OmitArr2: [2]int{1, 2}, OmitStruct: Inner{A: 1}, OmitZStruct: Inner{B: "b"}, OmitZArr: [2]int{0, 1},
			OmitZSlice: []int{}, OmitZTime: moment, OmitZTimePtr: &moment, OmitETime: moment, OmitEAny: 0,
			OmitZAny: "", OmitEFloat: 1, OmitZFloat: 2, OmitEDur: 1, OmitEBytes: []byte{0}, OmitZBytes: []byte{},
			OmitEBool: true, Both: "x", unexported: 11,
		},
		// omitzero asks time.Time.IsZero: the zero instant in another zone is zero.
		Tagged{OmitZTime: time.Time{}.In(paris), OmitZTimePtr: ptr(time.Time{}.In(paris)), OmitETime: time.Time{}.In(paris)},
		Tagged{OmitZTimePtr: &time.Time{}},
		Tagged{OmitEFloat: math.Copysign(0, -1), OmitZFloat: math.Copysign(0, -1)},
		Tagged{OmitEAny: []int{}, OmitZAny: 0, OmitSlice: []int{}, OmitMap: map[string]int{}, OmitEBytes: []byte{}},
		Tagged{OmitEAny: (*int)(nil), OmitZAny: (*int)(nil)},

		Embeds{},
		Embeds{Inner: Inner{A: 1, B: "b"}, inner: inner{C: 2, D: 3, T: moment, V: []any{1.5, "x"}}, Name: "outer"},
		Embeds{innerP: &innerP{E: 4}, Base: &Base{ID: 5, Name: "hidden by Embeds.Name"}, Name: "n"},
		TaggedEmbed{Inner: Inner{A: 1, B: "b"}, X: 2},
		TaggedUnexported{inner: inner{C: 1, D: 2, T: moment}, X: 3},
		OmitEmbed{Inner: Inner{A: 1}, X: 2},
		SkipEmbed{Inner: Inner{A: 1}, X: 2},
		Conflict{C1: C1{X: 1, Y: 2, Z: 3, W: 4}, C2: C2{X: 5, Y: 6, Z: 7}},
		Diamond{L: L{D0: D0{V: 1, U: 2}, Only: 3}, R: R{D0: D0{V: 4, U: 5}}},
		DeepVsShallow{Wrapper: Wrapper{Inner: Inner{A: 1, B: "deep"}, V: 2}, A: 3},
		EmbedNonStruct{Label: "l", lower: "hidden", Celsius: ptr(Celsius(21.5)), Duration: time.Second},
		EmbedNonStruct{},

		Recursive{},
		Recursive{Name: "root", Next: &Recursive{Name: "next", Next: &Recursive{Name: "last"}}, Kids: []Recursive{{Name: "kid"}, {}}},

		Nested{},
		Nested{
			Matrix:  [][]int{{1, 2}, nil, {}},
			Grid:    [2][3]int{{1, 2, 3}, {4, 5, 6}},
			Ptrs:    []*int{&seven, nil},
			PP:      ptr(ptr("pp")),
			Maps:    map[string]map[string]int{"b": {"y": 2, "x": 1}, "a": nil, "": {}},
			ByName:  map[Name]int{"z": 26, "a": 1, "<&>": 0},
			Slices:  map[string][]string{"k": {"v"}, "nil": nil},
			Bytes:   []byte("hello, wire\x00\xff"),
			MyBytes: []MyByte{1, 2, 3, 250},
			ByteArr: [3]byte{1, 2, 3},
			Times:   []time.Time{moment, {}, moment.In(paris)},
			Durs:    map[string]time.Duration{"s": time.Second, "neg": -1},
			Anys: []any{nil, true, 1, int8(-8), uint64(math.MaxUint64), 2.5, float32(0.1), "s", []byte("b"), []any{}, map[string]any{},
				map[string]int{"b": 2, "a": 1}, []int(nil), map[string]any(nil), &seven, (*int)(nil), moment, time.Second,
				Inner{A: 1, B: "registered"}, &Inner{A: 2}, []Inner{{A: 3}}, Name("named"), map[Name]any{"k": []any{1}}},
			AnyMap: map[string]any{"z": nil, "a": map[string]any{"n": 1.0, "l": []any{"x", 2.0}}, "t": moment},
			Any:    Recursive{Name: "any", Kids: []Recursive{{Name: "k"}}},
			Anon: struct {
				X int `json:"x"`
				y int
			}{X: 1, y: 2},
			PtrStruct: &Inner{A: 1},
		},
		Nested{Bytes: []byte{}, MyBytes: []MyByte{}, Anys: []any{}, AnyMap: map[string]any{}, Any: []any{nil}},

		Floats{},
		Floats{F64: 1e21, F32: 1e21},
		Floats{F64: 1e20, F32: 1e20},
		Floats{F64: 1e-7, F32: 1e-7},
		Floats{F64: 1e-6, F32: 1e-6},
		Floats{F64: math.Copysign(0, -1), F32: float32(math.Copysign(0, -1))},
		Floats{F64: math.MaxFloat64, F32: math.MaxFloat32},
		Floats{F64: math.SmallestNonzeroFloat64, F32: math.SmallestNonzeroFloat32},
		Floats{F64: 0.1, F32: 0.1},
		Floats{F64: 123456789.123, F32: 16777217},
		Floats{F64: -1.5e-10, F32: -1.5e-10},
		Floats{
			L64: []float64{0, 1, -1, 0.5, 1e21, 9.999999999999999e20, 1e-6, 9.99e-7, 1e100, -1e-100, 5e-324, 1.7976931348623157e308, 100, 1e6, 123e18},
			L32: []float32{0, 1, 0.1, 0.2, 0.3, 1e21, 9.99e20, 1e-6, 9.99e-7, 3.4028235e38, 1e-45, 16777216, 1e10},
		},

		Strings{},
		Strings{S: "<script>&amp;</script>"},
		Strings{S: "\u2028\u2029 line separators"},
		Strings{S: "bad \xff\xfe utf-8 \xc3"},
		Strings{S: "nul \x00 bell \a tab \t nl \n cr \r esc \x1b del \x7f"},
		Strings{S: `"quoted" \back\slash /slash`},
		Strings{S: "émoji 🎉 and 中文"},
		Strings{Names: []Name{"a", "<b>", ""}, M: map[string]string{"<": ">", "\xff": "bad key", "é": "", "a\"b": "q"}},
	}
	c := wire.NewCodec()
	for _, v := range values {
		checkSameAsJSON(t, c, v)
	}
}

func TestEncodeMapKeyOrder(t *testing.T) {
	// Keys sort by their bytes, before escaping.
	m := map[string]string{}
	for _, k := range []string{"b", "a", "B", "A", "ab", "a\x00", "é", "\xff", "<", "&", " ", ""} {
		m[k] = k
	}
	checkSameAsJSON(t, wire.NewCodec(), Strings{M: m})
}

func TestEncodeErrors(t *testing.T) {
	c := wire.NewCodec()
	// (NaN and the infinities encode as strings: see TestEncodeSpecialFloats.)
	for _, v := range []any{
		Nested{Any: make(chan int)},
		Nested{Any: map[bool]any{true: 1}},
		Nested{Any: []any{func() {}}},
		Scalars{T: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if _, err := json.Marshal(v); err == nil {
			t.Errorf("json.Marshal(%+v) succeeded", v)
		}
		if out, err := encode(t, c, v); err == nil {
			t.Errorf("AppendValue(%+v) = %s, want an error", v, out)
		}
	}
}

func TestEncodeIntKeysInAny(t *testing.T) {
	c := wire.NewCodec()
	checkSameAsJSON(t, c, Nested{Any: map[int]string{10: "ten", 9: "nine", -1: "minus"}})
	checkSameAsJSON(t, c, Nested{Any: map[int]any{10: "ten", 9: []any{9}, -1: nil}})
	checkSameAsJSON(t, c, Nested{Any: map[uint8]any{255: 1, 0: 2}})
	checkSameAsJSON(t, c, Nested{AnyMap: map[string]any{"m": map[int64]any{1 << 40: Inner{A: 1}}}})
}

func TestEncodeAnonymousStructInAny(t *testing.T) {
	// Interpreted struct types are unnamed: wire cannot tell an anonymous
	// struct held in an any from a package type it was not told about, so
	// it refuses it where encoding/json would encode it.
	_, err := encode(t, wire.NewCodec(), Nested{Any: []any{struct{ X int }{1}}})
	if err == nil || !strings.Contains(err.Error(), "anonymous struct") {
		t.Errorf("anonymous struct in an any: %v", err)
	}
}

func TestEncodeCycle(t *testing.T) {
	r := &Recursive{Name: "loop"}
	r.Next = r
	c := wire.NewCodec()
	_, err := encode(t, c, *r)
	if err == nil || !strings.Contains(err.Error(), "deeper than") {
		t.Errorf("cyclic value: %v", err)
	}
}

func TestEncodeUnregistered(t *testing.T) {
	typ := sourceType(t, reflect.TypeFor[Inner]())
	_, err := wire.NewCodec().AppendValue(nil, typ, reflect.ValueOf(Inner{}))
	if err == nil || !strings.Contains(err.Error(), "not registered") {
		t.Errorf("unregistered struct: %v", err)
	}
}

func TestRegisterMismatch(t *testing.T) {
	c := wire.NewCodec()
	inner := sourceType(t, reflect.TypeFor[Inner]())
	for _, rt := range []reflect.Type{reflect.TypeFor[int](), reflect.TypeFor[struct{}](), reflect.TypeFor[map[int]int]()} {
		if err := c.Register(inner, rt); err == nil {
			t.Errorf("Register(Inner, %s) succeeded", rt)
		}
	}
	if err := c.Register(sourceType(t, reflect.TypeFor[Nested]()), reflect.TypeFor[Inner]()); err == nil {
		t.Error("Register(Nested, Inner) succeeded")
	}
}

func TestEncodeConcurrent(t *testing.T) {
	c := wire.NewCodec()
	v := Nested{Anys: []any{Inner{A: 1}, []any{1.0}}, AnyMap: map[string]any{"k": &Inner{}}}
	want, err := encode(t, c, v)
	if err != nil {
		t.Fatal(err)
	}
	typ := sourceType(t, reflect.TypeOf(v))
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				got, err := c.AppendValue(nil, typ, reflect.ValueOf(v))
				if err != nil || !bytes.Equal(got, want) {
					t.Errorf("concurrent AppendValue = %s, %v", got, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}
