package wire_test

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/wire"
)

// checkSameAsJSONPtr checks that wire encodes v as json.Marshal encodes a
// pointer to it: the methods of big.Int, big.Float and big.Rat have
// pointer receivers, which encoding/json calls on addressable values
// only, and wire always calls them.
func checkSameAsJSONPtr(t *testing.T, c *wire.Codec, v any) {
	t.Helper()
	p := reflect.New(reflect.TypeOf(v))
	p.Elem().Set(reflect.ValueOf(v))
	want, err := json.Marshal(p.Interface())
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

func TestEncodeMapKeysSameAsJSON(t *testing.T) {
	c := wire.NewCodec()
	one := 1
	for _, v := range []any{
		Keys{},
		Keys{Ints: map[int]string{}, Addrs: map[netip.Addr]int{}},
		Keys{
			// Keys sort by their text, as encoding/json sorts them: "-1" < "10" < "9".
			Ints:  map[int]string{10: "ten", 9: "nine", -1: "minus", 0: "zero", math.MinInt: "min", math.MaxInt: "max"},
			I8:    map[int8]int{-128: 1, 127: 2, 0: 3},
			U8:    map[uint8]bool{255: true, 0: false, 10: true},
			I64:   map[int64][]int{math.MinInt64: {1}, 1 << 40: nil},
			U64:   map[uint64]string{math.MaxUint64: "max", 0: ""},
			Uptr:  map[uintptr]int{7: 7},
			IDs:   map[ID]Inner{3: {A: 3}, -3: {B: "<&>"}},
			Small: map[Small]*int{1: &one, 2: nil},
			Durs:  map[time.Duration]int{time.Second: 1, -1: 2},
			Addrs: map[netip.Addr]int{netip.MustParseAddr("192.0.2.1"): 1, netip.MustParseAddr("2001:db8::1"): 2, {}: 0, netip.MustParseAddr("fe80::1%eth0"): 3},
			Ports: map[netip.AddrPort]string{netip.MustParseAddrPort("192.0.2.1:80"): "http", netip.MustParseAddrPort("[::1]:443"): "https"},
			Nets:  map[netip.Prefix]bool{netip.MustParsePrefix("10.0.0.0/8"): true, netip.MustParsePrefix("2001:db8::/32"): false},
			Deep:  map[int]map[uint16][]float64{1: {2: {1.5, -0.25}}, 3: nil, 4: {}},
		},
		TimeKeys{Times: map[time.Time]string{moment: "a", moment.In(paris): "b", {}: "zero"}},
		Nested{Any: map[netip.Addr]any{netip.MustParseAddr("::1"): []any{1}}},
		Nested{Any: map[time.Time]int{moment: 1}},
	} {
		checkSameAsJSON(t, c, v)
	}
	// A key MarshalText refuses fails as in encoding/json.
	bad := TimeKeys{Times: map[time.Time]string{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC): "x"}}
	if _, err := json.Marshal(bad); err == nil {
		t.Error("json.Marshal of a time key past year 9999 succeeded")
	}
	if out, err := encode(t, c, bad); err == nil {
		t.Errorf("AppendValue of a time key past year 9999 = %s, want an error", out)
	}
}

func TestEncodeStdSameAsJSON(t *testing.T) {
	c := wire.NewCodec()
	f := new(big.Float).SetPrec(200)
	f.SetString("3.14159265358979323846264338327950288419716939937510582097494459")
	huge, _ := new(big.Int).SetString("-123456789012345678901234567890123456789", 10)
	addr := netip.MustParseAddr("2001:db8::1")
	for _, v := range []any{
		Std{},
		Std{
			Int: *huge, IntP: big.NewInt(42), Float: *f, FloatP: big.NewFloat(math.Inf(-1)),
			Rat: *big.NewRat(-22, 7), RatP: big.NewRat(10, 5), Addr: netip.MustParseAddr("192.0.2.1"), AddrP: &addr,
			Port: netip.MustParseAddrPort("[::1]:8080"), Prefix: netip.MustParsePrefix("192.0.2.0/24"),
			Ints: []*big.Int{big.NewInt(1), nil, huge}, Addrs: []netip.Addr{{}, addr}, Nets: map[string]netip.Prefix{"<all>": netip.MustParsePrefix("::/0")},
			OmitE: netip.MustParseAddr("::"), OmitZ: netip.MustParseAddr("0.0.0.0"), OmitZI: big.NewInt(0), OmitZB: *big.NewInt(-1),
		},
		Std{Float: *big.NewFloat(1e300), Rat: *new(big.Rat).SetFrac(huge, big.NewInt(3)), Ints: []*big.Int{}},
		Nested{Any: big.NewInt(5)},
		// Held in an any, a big.Int value is not addressable: encoding/json
		// writes its (unexported) fields, {}, and so does wire.
		Nested{Any: *big.NewInt(5)},
		Nested{Anys: []any{netip.MustParseAddr("::1"), big.NewRat(1, 2), *big.NewRat(1, 3)}},
	} {
		checkSameAsJSONPtr(t, c, v)
	}
}

func TestEncodeSpecialFloats(t *testing.T) {
	// encoding/json refuses NaN and the infinities; microfn writes them
	// as the strings "NaN", "Infinity" and "-Infinity", wherever they are.
	nan, inf := math.NaN(), math.Inf(1)
	c := wire.NewCodec()
	for _, tc := range []struct {
		v    any
		want string
	}{
		{Specials{F64: nan, F32: float32(inf), C: Celsius(-inf), P: &inf, L: []float64{1, nan, -inf, -0.5}, A: [2]float32{float32(nan), 2}, M: map[string]float64{"n": nan, "i": inf}, K: map[int]Celsius{1: Celsius(nan)}},
			`{"F64":"NaN","F32":"Infinity","C":"-Infinity","P":"Infinity","L":[1,"NaN","-Infinity",-0.5],"A":["NaN",2],"M":{"i":"Infinity","n":"NaN"},"K":{"1":"NaN"}}`},
		{Floats{F64: math.Copysign(nan, -1), F32: float32(-inf), L32: []float32{float32(nan)}},
			`{"F64":"NaN","F32":"-Infinity","L64":null,"L32":["NaN"]}`},
		{Nested{Any: nan}, `"Any":"NaN"`},
		{Nested{Any: float32(-inf)}, `"Any":"-Infinity"`},
		{Nested{Any: []float64{1, nan}}, `"Any":[1,"NaN"]`},
		{Nested{Any: map[string][]float32{"x": {float32(inf)}}}, `"Any":{"x":["Infinity"]}`},
		{Nested{Any: &[]float64{-inf}}, `"Any":["-Infinity"]`},
		{Nested{Anys: []any{inf, Inner{A: 1}, map[string]any{"k": nan}}}, `"Anys":["Infinity",{"A":1,"b":""},{"k":"NaN"}]`},
		{Nested{AnyMap: map[string]any{"a": []any{nan}}}, `"AnyMap":{"a":["NaN"]}`},
	} {
		got, err := encode(t, c, tc.v)
		if err != nil {
			t.Errorf("AppendValue(%+v): %v", tc.v, err)
			continue
		}
		if !strings.Contains(string(got), tc.want) {
			t.Errorf("AppendValue(%+v) = %s, want it to hold %s", tc.v, got, tc.want)
		}
	}
	// Finite values are written exactly as encoding/json writes them, also
	// when a NaN elsewhere in the value makes wire walk it.
	mixed := []float64{1e21, 1e-7, 0.1, -0, 123456789}
	want, _ := json.Marshal(mixed)
	got, err := encode(t, c, Nested{Any: append(append([]float64(nil), mixed...), nan)})
	if err != nil || !strings.Contains(string(got), `"Any":`+strings.TrimSuffix(string(want), "]")+`,"NaN"]`) {
		t.Errorf("finite floats beside a NaN = %s, %v; want %s with \"NaN\" appended", got, err, want)
	}
}

// roundTripArgs checks that what f.AppendArgs writes of args, f.BindJSON
// reads back as the same values.
func roundTripArgs(t *testing.T, f *wire.Func, args []reflect.Value) {
	t.Helper()
	body, err := f.AppendArgs(nil, args)
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.BindJSON(body)
	if err != nil {
		t.Fatalf("BindJSON(%s): %v", body, err)
	}
	for i := range args {
		if !sameValue(got[i].Interface(), args[i].Interface()) {
			t.Errorf("argument %d: got %#v, want %#v (body %s)", i, got[i].Interface(), args[i].Interface(), body)
		}
	}
}

func TestSpecialFloatsRoundTrip(t *testing.T) {
	// Every float kind, every position: what AppendArgs writes, BindJSON
	// reads back; what AppendResults writes, DecodeResults reads back.
	nan, inf := math.NaN(), math.Inf(1)
	f := newFunc(t, "(f float64, g float32, s Specials, xs []float64) (float64, Specials, error)",
		func(float64, float32, Specials, []float64) (float64, Specials, error) { return 0, Specials{}, nil })
	s := Specials{F64: -inf, F32: float32(nan), C: Celsius(inf), P: &nan, L: []float64{nan, inf, -inf, 0}, A: [2]float32{float32(inf), float32(-inf)}, M: map[string]float64{"x": nan}, K: map[int]Celsius{-1: Celsius(-inf)}}
	args := []reflect.Value{reflect.ValueOf(nan), reflect.ValueOf(float32(-inf)), reflect.ValueOf(s), reflect.ValueOf([]float64{inf, 1})}
	roundTripArgs(t, f, args)
	out, err := f.AppendResults(nil, []reflect.Value{reflect.ValueOf(inf), reflect.ValueOf(s)})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(out), `["Infinity",{"F64":"-Infinity","F32":"NaN"`) {
		t.Errorf("AppendResults = %s", out)
	}
	var r0 float64
	var r1 Specials
	if err := f.DecodeResults(out, []any{&r0, &r1}); err != nil {
		t.Fatal(err)
	}
	if !sameValue(r0, inf) || !sameValue(r1, s) {
		t.Errorf("DecodeResults = %v %+v, want %v %+v", r0, r1, inf, s)
	}
}

func TestMapKeysAndStdRoundTrip(t *testing.T) {
	f := newFunc(t, "(k Keys, s Std, a netip.Addr, b *big.Int, m map[netip.Addr]big.Rat) (Keys, Std, error)",
		func(Keys, Std, netip.Addr, *big.Int, map[netip.Addr]big.Rat) (Keys, Std, error) {
			return Keys{}, Std{}, nil
		})
	huge, _ := new(big.Int).SetString("98765432109876543210987654321", 10)
	k := Keys{Ints: map[int]string{-7: "a", 1 << 40: "b"}, U8: map[uint8]bool{0: true}, Addrs: map[netip.Addr]int{netip.MustParseAddr("::1"): 1},
		Nets: map[netip.Prefix]bool{netip.MustParsePrefix("10.0.0.0/8"): true}, Deep: map[int]map[uint16][]float64{1: {65535: {math.NaN()}}}}
	// (A big.Float travels as its shortest decimal text and is read back
	// with 64 bits of mantissa, as by encoding/json: 0.1 at 53 bits would
	// come back as another number, 1.5 comes back intact.)
	s := Std{Int: *huge, IntP: big.NewInt(-1), Float: *big.NewFloat(1.5), Rat: *big.NewRat(2, 3), Addr: netip.MustParseAddr("10.1.2.3"),
		Ints: []*big.Int{huge}, Nets: map[string]netip.Prefix{"a": netip.MustParsePrefix("::/0")}}
	args := []reflect.Value{reflect.ValueOf(k), reflect.ValueOf(s), reflect.ValueOf(netip.MustParseAddr("fe80::1%lo")), reflect.ValueOf(huge),
		reflect.ValueOf(map[netip.Addr]big.Rat{netip.MustParseAddr("1.1.1.1"): *big.NewRat(1, 8)})}
	roundTripArgs(t, f, args)
	out, err := f.AppendResults(nil, []reflect.Value{reflect.ValueOf(k), reflect.ValueOf(s)})
	if err != nil {
		t.Fatal(err)
	}
	var rk Keys
	var rs Std
	if err := f.DecodeResults(out, []any{&rk, &rs}); err != nil {
		t.Fatal(err)
	}
	if !sameValue(rk, k) || !sameValue(rs, s) {
		t.Errorf("DecodeResults = %+v %+v, want %+v %+v", rk, rs, k, s)
	}
}
