package wire_test

import (
	"encoding/json"
	"errors"
	"math"
	"math/big"
	"net/netip"
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
	typesSrcOnce sync.Once
	typesSrc     []byte
)

// newFunc returns the binding plan of a service F with the parameters and
// results sig, written with the types of types_test.go, for the compiled
// function fn, which must have the same signature.
func newFunc(t testing.TB, sig string, fn any) *wire.Func {
	t.Helper()
	typesSrcOnce.Do(func() {
		var err error
		if typesSrc, err = os.ReadFile("types_test.go"); err != nil {
			panic(err)
		}
	})
	src := "package wire_test\n\nimport (\n\t\"context\"\n\t\"math/big\"\n\t\"net/netip\"\n\t\"time\"\n)\n\n" +
		"var (\n\t_ context.Context\n\t_ time.Time\n\t_ big.Int\n\t_ netip.Addr\n)\n\n" +
		"// F is the service under test.\n//\n//microfn:service\nfunc F" + sig + " { panic(0) }\n"
	pkg, err := funcs.Parse(".", []funcs.SourceFile{{Name: "types_test.go", Src: typesSrc}, {Name: "zz.go", Src: []byte(src)}})
	if err != nil {
		t.Fatalf("parse F%s: %v", sig, err)
	}
	f, err := wire.NewCodec().NewFunc(pkg.Services[0], reflect.TypeOf(fn))
	if err != nil {
		t.Fatalf("NewFunc(F%s): %v", sig, err)
	}
	return f
}

// checkBindError checks that err is a *wire.BindError for param whose
// message holds words.
func checkBindError(t *testing.T, err error, param string, words ...string) {
	t.Helper()
	var be *wire.BindError
	if !errors.As(err, &be) {
		t.Fatalf("error %v (%T) is not a *BindError", err, err)
	}
	if be.StatusCode() != 400 || !be.Permanent() {
		t.Errorf("StatusCode %d, Permanent %v; want 400, true", be.StatusCode(), be.Permanent())
	}
	if be.Param != param {
		t.Errorf("Param %q, want %q (error %q)", be.Param, param, err)
	}
	if param != "" && !strings.HasPrefix(err.Error(), `parameter "`+param+`": `) {
		t.Errorf("error %q does not start by naming parameter %q", err, param)
	}
	for _, w := range words {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
}

// bigInt parses a decimal integer.
func bigInt(s string) *big.Int {
	n, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return n
}

// bigFloat parses a decimal number as big.Float's UnmarshalText does.
func bigFloat(s string) *big.Float {
	f := new(big.Float)
	if err := f.UnmarshalText([]byte(s)); err != nil {
		panic(err)
	}
	return f
}

// values returns the interfaces of args.
func values(args []reflect.Value) []any {
	out := make([]any, len(args))
	for i, a := range args {
		out[i] = a.Interface()
	}
	return out
}

var (
	day   = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	nanos = time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)
)

type bindCase struct {
	body  string
	want  any      // the value of the single parameter x; nil with words
	words []string // the error message holds them; the parameter is x
}

func TestBindJSONValues(t *testing.T) {
	cases := []struct {
		sig   string
		fn    any
		cases []bindCase
	}{
		{"(x bool)", func(bool) {}, []bindCase{
			{body: `{"x":true}`, want: true},
			{body: `{"x":false}`, want: false},
			{body: `{"x":"true"}`, words: []string{"want bool", `the string "true"`}},
			{body: `{"x":1}`, words: []string{"want bool", "the number 1"}},
			{body: `{"x":null}`, words: []string{"want bool", "got null"}},
		}},
		{"(x int)", func(int) {}, []bindCase{
			{body: `{"x":5}`, want: 5},
			{body: `{"x":-0}`, want: 0},
			{body: ` { "x" : -9223372036854775808 } `, want: -9223372036854775808},
			{body: `{"x":9223372036854775808}`, words: []string{"want int", "9223372036854775808", "out of range"}},
			{body: `{"x":1.5}`, words: []string{"want int", "1.5", "not an integer"}},
			{body: `{"x":1e2}`, words: []string{"want int", "1e2", "not an integer"}},
			{body: `{"x":1.0}`, words: []string{"want int", "not an integer"}},
			{body: `{"x":"5"}`, words: []string{"want int", `the string "5"`}},
			{body: `{"x":[5]}`, words: []string{"want int", "an array"}},
			{body: `{"x":{}}`, words: []string{"want int", "an object"}},
			{body: `{"x":null}`, words: []string{"want int", "got null"}},
		}},
		{"(x int8)", func(int8) {}, []bindCase{
			{body: `{"x":127}`, want: int8(127)},
			{body: `{"x":-128}`, want: int8(-128)},
			{body: `{"x":128}`, words: []string{"want int8", "128", "out of range"}},
			{body: `{"x":-129}`, words: []string{"want int8", "-129", "out of range"}},
		}},
		{"(x int16)", func(int16) {}, []bindCase{
			{body: `{"x":-32768}`, want: int16(-32768)},
			{body: `{"x":32768}`, words: []string{"want int16", "out of range"}},
		}},
		{"(x int32)", func(int32) {}, []bindCase{
			{body: `{"x":2147483647}`, want: int32(2147483647)},
			{body: `{"x":2147483648}`, words: []string{"want int32", "out of range"}},
		}},
		{"(x rune)", func(rune) {}, []bindCase{
			{body: `{"x":-2147483649}`, words: []string{"want int32", "out of range"}},
		}},
		{"(x int64)", func(int64) {}, []bindCase{
			{body: `{"x":9223372036854775807}`, want: int64(9223372036854775807)},
			{body: `{"x":-9223372036854775809}`, words: []string{"want int64", "out of range"}},
		}},
		{"(x uint)", func(uint) {}, []bindCase{
			{body: `{"x":18446744073709551615}`, want: uint(18446744073709551615)},
			{body: `{"x":-1}`, words: []string{"want uint", "-1", "out of range"}},
			{body: `{"x":18446744073709551616}`, words: []string{"want uint", "out of range"}},
			{body: `{"x":-0.5}`, words: []string{"want uint", "not an integer"}},
		}},
		{"(x uint8)", func(uint8) {}, []bindCase{
			{body: `{"x":255}`, want: uint8(255)},
			{body: `{"x":256}`, words: []string{"want uint8", "256", "out of range"}},
			{body: `{"x":-1}`, words: []string{"want uint8", "out of range"}},
		}},
		{"(x byte)", func(byte) {}, []bindCase{
			{body: `{"x":300}`, words: []string{"want uint8", "out of range"}},
		}},
		{"(x uint16)", func(uint16) {}, []bindCase{
			{body: `{"x":65535}`, want: uint16(65535)},
			{body: `{"x":65536}`, words: []string{"want uint16", "out of range"}},
		}},
		{"(x uint32)", func(uint32) {}, []bindCase{
			{body: `{"x":4294967296}`, words: []string{"want uint32", "out of range"}},
		}},
		{"(x uint64)", func(uint64) {}, []bindCase{
			{body: `{"x":18446744073709551615}`, want: uint64(18446744073709551615)},
			{body: `{"x":18446744073709551616}`, words: []string{"want uint64", "out of range"}},
			{body: `{"x":-1}`, words: []string{"want uint64", "out of range"}},
		}},
		{"(x uintptr)", func(uintptr) {}, []bindCase{
			{body: `{"x":7}`, want: uintptr(7)},
			{body: `{"x":-7}`, words: []string{"want uintptr", "out of range"}},
		}},
		{"(x float32)", func(float32) {}, []bindCase{
			{body: `{"x":0.1}`, want: float32(0.1)},
			{body: `{"x":-1e-45}`, want: float32(-1e-45)},
			{body: `{"x":3.5e38}`, words: []string{"want float32", "3.5e38", "out of range"}},
			{body: `{"x":"1"}`, words: []string{"want float32", "the string"}},
			{body: `{"x":"Infinity"}`, want: float32(math.Inf(1))},
			{body: `{"x":"-Infinity"}`, want: float32(math.Inf(-1))},
			{body: `{"x":"NaN"}`, want: float32(math.NaN())},
		}},
		{"(x float64)", func(float64) {}, []bindCase{
			{body: `{"x":1e308}`, want: 1e308},
			{body: `{"x":-0}`, want: 0.0},
			{body: `{"x":12}`, want: 12.0},
			{body: `{"x":1e400}`, words: []string{"want float64", "out of range"}},
			// NaN and the infinities travel as strings, as microfn writes them.
			{body: `{"x":"NaN"}`, want: math.NaN()},
			{body: `{"x":"Infinity"}`, want: math.Inf(1)},
			{body: `{"x":"-Infinity"}`, want: math.Inf(-1)},
			{body: `{"x":"nan"}`, words: []string{"want float64", `the string "nan"`, `"NaN", "Infinity", "-Infinity"`}},
			{body: `{"x":"Inf"}`, words: []string{"want float64", `the string "Inf"`}},
			{body: `{"x":"+Infinity"}`, words: []string{"want float64"}},
			{body: `{"x":"1.5"}`, words: []string{"want float64", `the string "1.5"`}},
		}},
		{"(x Celsius)", func(Celsius) {}, []bindCase{
			{body: `{"x":"-Infinity"}`, want: Celsius(math.Inf(-1))},
		}},
		{"(x []float64)", func([]float64) {}, []bindCase{
			{body: `{"x":[1,"NaN","Infinity","-Infinity",-0]}`, want: []float64{1, math.NaN(), math.Inf(1), math.Inf(-1), 0}},
			{body: `{"x":[1,"inf"]}`, words: []string{"at [1]", "want float64", `the string "inf"`}},
		}},
		{"(x map[string]*float32)", func(map[string]*float32) {}, []bindCase{
			{body: `{"x":{"a":"NaN","b":null,"c":2}}`, want: map[string]*float32{"a": ptr(float32(math.NaN())), "b": nil, "c": ptr(float32(2))}},
		}},
		{"(x string)", func(string) {}, []bindCase{
			{body: `{"x":"a\u00e9\n\"<>"}`, want: "aé\n\"<>"},
			{body: `{"x":""}`, want: ""},
			{body: "{\"x\":\"bad \xff\"}", want: "bad \ufffd"},
			{body: `{"x":5}`, words: []string{"want string", "the number 5"}},
			{body: `{"x":null}`, words: []string{"want string", "null"}},
		}},
		{"(x Name)", func(Name) {}, []bindCase{
			{body: `{"x":"n"}`, want: Name("n")},
			{body: `{"x":1}`, words: []string{"want Name"}},
		}},
		{"(x []byte)", func([]byte) {}, []bindCase{
			{body: `{"x":"aGVsbG8="}`, want: []byte("hello")},
			{body: `{"x":""}`, want: []byte{}},
			{body: `{"x":null}`, want: []byte(nil)},
			{body: `{"x":"aGk"}`, words: []string{"[]byte", "base64"}},
			{body: `{"x":"!!!!"}`, words: []string{"[]byte", "base64"}},
			{body: `{"x":[1,2]}`, words: []string{"want []byte (a base64 string)", "an array"}},
		}},
		{"(x []MyByte)", func([]MyByte) {}, []bindCase{
			{body: `{"x":"AQID"}`, want: []MyByte{1, 2, 3}},
		}},
		{"(x time.Time)", func(time.Time) {}, []bindCase{
			{body: `{"x":"2024-01-02T03:04:05Z"}`, want: day},
			{body: `{"x":"2024-01-02T03:04:05.123456789Z"}`, want: nanos},
			{body: `{"x":"2024-01-02"}`, words: []string{"time.Time", "RFC 3339", `"2024-01-02"`}},
			{body: `{"x":"2024-01-02T03:04:05+24:00"}`, words: []string{"time.Time", "RFC 3339"}},
			{body: `{"x":"2024-01-02 03:04:05Z"}`, words: []string{"time.Time"}},
			{body: `{"x":1704164645}`, words: []string{"want time.Time", "the number"}},
			{body: `{"x":null}`, words: []string{"want time.Time", "null"}},
		}},
		{"(x time.Duration)", func(time.Duration) {}, []bindCase{
			{body: `{"x":1500000000}`, want: 1500 * time.Millisecond},
			{body: `{"x":"1.5s"}`, want: 1500 * time.Millisecond},
			{body: `{"x":"-2h3m"}`, want: -2*time.Hour - 3*time.Minute},
			{body: `{"x":1.5}`, words: []string{"time.Duration", "integer nanoseconds", "1.5"}},
			{body: `{"x":"1.5"}`, words: []string{"time.Duration", `"1.5"`}},
			{body: `{"x":"soon"}`, words: []string{"time.Duration", `"soon"`}},
			{body: `{"x":true}`, words: []string{"time.Duration", "a boolean"}},
			{body: `{"x":9223372036854775808}`, words: []string{"time.Duration"}},
		}},
		{"(x *int)", func(*int) {}, []bindCase{
			{body: `{"x":5}`, want: ptr(5)},
			{body: `{"x":null}`, want: (*int)(nil)},
			{body: `{}`, want: (*int)(nil)},
			{body: `{"x":"5"}`, words: []string{"want int"}},
		}},
		{"(x **string)", func(**string) {}, []bindCase{
			{body: `{"x":"s"}`, want: ptr(ptr("s"))},
		}},
		{"(x []int)", func([]int) {}, []bindCase{
			{body: `{"x":[1,2,3]}`, want: []int{1, 2, 3}},
			{body: `{"x":[]}`, want: []int{}},
			{body: `{"x":null}`, want: []int(nil)},
			{body: `{"x":[1,"2"]}`, words: []string{"at [1]", "want int", `the string "2"`}},
			{body: `{"x":[1,null]}`, words: []string{"at [1]", "null"}},
			{body: `{"x":{"0":1}}`, words: []string{"want []int (a JSON array)", "an object"}},
		}},
		{"(x [][]string)", func([][]string) {}, []bindCase{
			{body: `{"x":[["a"],[],null]}`, want: [][]string{{"a"}, {}, nil}},
			{body: `{"x":[["a"],[1]]}`, words: []string{"at [1][0]", "want string"}},
		}},
		{"(x [2]string)", func([2]string) {}, []bindCase{
			{body: `{"x":["a","b"]}`, want: [2]string{"a", "b"}},
			{body: `{"x":["a"]}`, words: []string{"want [2]string", "1 elements"}},
			{body: `{"x":["a","b","c"]}`, words: []string{"want [2]string", "3 elements"}},
			{body: `{"x":null}`, words: []string{"want [2]string", "null"}},
		}},
		{"(x map[string]int)", func(map[string]int) {}, []bindCase{
			{body: `{"x":{"a":1,"b":2}}`, want: map[string]int{"a": 1, "b": 2}},
			{body: `{"x":{"a":1,"a":2}}`, want: map[string]int{"a": 2}},
			{body: `{"x":{}}`, want: map[string]int{}},
			{body: `{"x":null}`, want: map[string]int(nil)},
			{body: `{"x":{"a":"x"}}`, words: []string{`at ["a"]`, "want int"}},
			{body: `{"x":[]}`, words: []string{"want map[string]int (a JSON object)", "an array"}},
		}},
		{"(x map[Name]Celsius)", func(map[Name]Celsius) {}, []bindCase{
			{body: `{"x":{"a":1.5}}`, want: map[Name]Celsius{"a": 1.5}},
		}},
		// Integer keys are decimal strings, as encoding/json writes and reads them.
		{"(x map[int]string)", func(map[int]string) {}, []bindCase{
			{body: `{"x":{"1":"a","-20":"b","0":""}}`, want: map[int]string{1: "a", -20: "b", 0: ""}},
			{body: `{"x":{"1":"a","+1":"b","01":"c"}}`, want: map[int]string{1: "c"}}, // as strconv.ParseInt reads them; the last wins
			{body: `{"x":{"a":"x"}}`, words: []string{`at ["a"]`, "want a key of type int (a decimal integer)", `"a"`, "not an integer"}},
			{body: `{"x":{"1.5":"x"}}`, words: []string{`at ["1.5"]`, "not an integer"}},
			{body: `{"x":{"":"x"}}`, words: []string{`at [""]`, "want a key of type int"}},
			{body: `{"x":{"9223372036854775808":"x"}}`, words: []string{"want a key of type int", "out of range"}},
			{body: `{"x":{"1":5}}`, words: []string{`at ["1"]`, "want string", "the number 5"}},
		}},
		{"(x map[uint8]bool)", func(map[uint8]bool) {}, []bindCase{
			{body: `{"x":{"255":true,"0":false}}`, want: map[uint8]bool{255: true, 0: false}},
			{body: `{"x":{"256":true}}`, words: []string{"want a key of type uint8", "out of range"}},
			{body: `{"x":{"-1":true}}`, words: []string{"want a key of type uint8", "out of range"}},
		}},
		{"(x map[int64][]int)", func(map[int64][]int) {}, []bindCase{
			{body: `{"x":{"-9223372036854775808":[1],"9223372036854775807":null}}`, want: map[int64][]int{math.MinInt64: {1}, math.MaxInt64: nil}},
		}},
		{"(x map[ID]Inner)", func(map[ID]Inner) {}, []bindCase{
			{body: `{"x":{"7":{"A":1}}}`, want: map[ID]Inner{7: {A: 1}}},
			{body: `{"x":{"x":{}}}`, words: []string{"want a key of type ID"}},
		}},
		{"(x map[time.Duration]int)", func(map[time.Duration]int) {}, []bindCase{
			{body: `{"x":{"1500":1}}`, want: map[time.Duration]int{1500: 1}},
			{body: `{"x":{"1.5s":1}}`, words: []string{"want a key of type time.Duration", "not an integer"}},
		}},
		{"(x map[time.Time]int)", func(map[time.Time]int) {}, []bindCase{
			{body: `{"x":{"2024-01-02T03:04:05Z":1}}`, want: map[time.Time]int{day: 1}},
			{body: `{"x":{"2024-01-02":1}}`, words: []string{"want a key of type time.Time", "RFC 3339"}},
		}},
		{"(x map[netip.Addr]int)", func(map[netip.Addr]int) {}, []bindCase{
			{body: `{"x":{"192.0.2.1":1,"2001:db8::1":2}}`, want: map[netip.Addr]int{netip.MustParseAddr("192.0.2.1"): 1, netip.MustParseAddr("2001:db8::1"): 2}},
			{body: `{"x":{"":3}}`, want: map[netip.Addr]int{{}: 3}},
			{body: `{"x":{"300.0.0.1":1}}`, words: []string{`at ["300.0.0.1"]`, "want a key of type netip.Addr", "ParseAddr"}},
		}},
		{"(x map[netip.Prefix]bool)", func(map[netip.Prefix]bool) {}, []bindCase{
			{body: `{"x":{"192.0.2.0/24":true}}`, want: map[netip.Prefix]bool{netip.MustParsePrefix("192.0.2.0/24"): true}},
			{body: `{"x":{"192.0.2.0":true}}`, words: []string{"want a key of type netip.Prefix"}},
		}},
		// Standard-library types that encode themselves, with their methods.
		{"(x *big.Int)", func(*big.Int) {}, []bindCase{
			{body: `{"x":123456789012345678901234567890}`, want: bigInt("123456789012345678901234567890")},
			{body: `{"x":-0}`, want: big.NewInt(0)},
			{body: `{"x":null}`, want: (*big.Int)(nil)},
			{body: `{"x":1.5}`, words: []string{"want big.Int (an integer of any size, as a JSON number)", "the number 1.5", "math/big"}},
			{body: `{"x":1e3}`, words: []string{"want big.Int", "1e3"}},
			{body: `{"x":"12"}`, words: []string{"want big.Int", `the string "12"`}},
		}},
		{"(x big.Int)", func(big.Int) {}, []bindCase{
			{body: `{"x":-42}`, want: *big.NewInt(-42)},
			{body: `{"x":null}`, words: []string{"want big.Int", "null"}},
		}},
		{"(x big.Float)", func(big.Float) {}, []bindCase{
			{body: `{"x":"1.5"}`, want: *big.NewFloat(1.5)},
			{body: `{"x":"+Inf"}`, want: *big.NewFloat(math.Inf(1))},
			{body: `{"x":"x"}`, words: []string{"want big.Float", `the string "x"`, "math/big"}},
			{body: `{"x":1.5}`, words: []string{"want big.Float", "the number 1.5"}},
		}},
		{"(x *big.Rat)", func(*big.Rat) {}, []bindCase{
			{body: `{"x":"1/3"}`, want: big.NewRat(1, 3)},
			{body: `{"x":"0.25"}`, want: big.NewRat(1, 4)},
			{body: `{"x":"1/0"}`, words: []string{"want big.Rat"}},
		}},
		{"(x netip.Addr)", func(netip.Addr) {}, []bindCase{
			{body: `{"x":"192.0.2.1"}`, want: netip.MustParseAddr("192.0.2.1")},
			{body: `{"x":"::ffff:192.0.2.1"}`, want: netip.MustParseAddr("::ffff:192.0.2.1")},
			{body: `{"x":""}`, want: netip.Addr{}},
			{body: `{"x":"localhost"}`, words: []string{"want netip.Addr (an IPv4 or IPv6 address", `the string "localhost"`, "ParseAddr"}},
			{body: `{"x":null}`, words: []string{"want netip.Addr", "null"}},
			{body: `{"x":3232235777}`, words: []string{"want netip.Addr", "the number"}},
		}},
		{"(x []netip.AddrPort)", func([]netip.AddrPort) {}, []bindCase{
			{body: `{"x":["192.0.2.1:80","[2001:db8::1]:443"]}`, want: []netip.AddrPort{netip.MustParseAddrPort("192.0.2.1:80"), netip.MustParseAddrPort("[2001:db8::1]:443")}},
			{body: `{"x":["192.0.2.1"]}`, words: []string{"at [0]", "want netip.AddrPort"}},
		}},
		{"(x Inner)", func(Inner) {}, []bindCase{
			{body: `{"x":{"A":1,"b":"s"}}`, want: Inner{A: 1, B: "s"}},
			{body: `{"x":{"a":1,"B":"s"}}`, want: Inner{A: 1, B: "s"}}, // case-insensitive, as encoding/json
			{body: `{"x":{"A":1,"a":2}}`, want: Inner{A: 2}},           // the last wins, as encoding/json
			{body: `{"x":{"a":2,"A":1}}`, want: Inner{A: 1}},
			{body: `{"x":{}}`, want: Inner{}},
			{body: `{"x":{"c":1}}`, words: []string{"unknown field", `"c"`, "Inner", "fields: A, b"}},
			{body: `{"x":{"b":5}}`, words: []string{"at b", "want string", "the number 5"}},
			{body: `{"x":null}`, words: []string{"want Inner (a JSON object)", "null"}},
			{body: `{"x":[1]}`, words: []string{"want Inner (a JSON object)", "an array"}},
		}},
		{"(x *Inner)", func(*Inner) {}, []bindCase{
			{body: `{"x":{"A":1}}`, want: &Inner{A: 1}},
			{body: `{"x":null}`, want: (*Inner)(nil)},
		}},
		{"(x Embeds)", func(Embeds) {}, []bindCase{
			{body: `{"x":{"A":1,"b":"s","C":2,"d":3,"ID":4,"Name":"n"}}`, want: Embeds{Inner: Inner{A: 1, B: "s"}, inner: inner{C: 2, D: 3}, Base: &Base{ID: 4}, Name: "n"}},
			{body: `{"x":{"E":1}}`, words: []string{"at E", "embedded pointer to an unexported struct"}},
		}},
		{"(x Conflict)", func(Conflict) {}, []bindCase{
			{body: `{"x":{"y":1,"Y":2,"Z":3}}`, want: Conflict{C1: C1{Y: 1}, C2: C2{Y: 2, Z: 3}}},
			{body: `{"x":{"X":1}}`, words: []string{"unknown field", `"X"`}},
		}},
		{"(x Recursive)", func(Recursive) {}, []bindCase{
			{body: `{"x":{"Name":"a","Next":{"Name":"b"},"Kids":[{"Name":"c"}]}}`, want: Recursive{Name: "a", Next: &Recursive{Name: "b"}, Kids: []Recursive{{Name: "c"}}}},
			{body: `{"x":{"Next":{"Next":{"Name":1}}}}`, words: []string{"at Next.Next.Name", "want string"}},
		}},
		{"(x any)", func(any) {}, []bindCase{
			{body: `{"x":{"a":[1,"s",null,true,{}],"a":2}}`, want: map[string]any{"a": 2.0}},
			{body: `{"x":[1,"s",null,true,{"k":[]}]}`, want: []any{1.0, "s", nil, true, map[string]any{"k": []any{}}}},
			{body: `{"x":null}`, want: nil},
			{body: `{"x":12345678901234567890}`, want: 12345678901234567890.0},
			{body: `{"x":1e400}`, words: []string{"1e400", "out of range"}},
			{body: `{"x":[1e400]}`, words: []string{"out of range"}},
		}},
		{"(x ...int)", func(...int) {}, []bindCase{
			{body: `{"x":[1,2]}`, want: []int{1, 2}},
		}},
	}
	for _, group := range cases {
		f := newFunc(t, group.sig, group.fn)
		for _, c := range group.cases {
			args, err := f.BindJSON([]byte(c.body))
			if c.words != nil {
				if err == nil {
					t.Errorf("F%s: BindJSON(%s) = %v, want an error", group.sig, c.body, values(args))
					continue
				}
				checkBindError(t, err, "x", c.words...)
				continue
			}
			if err != nil {
				t.Errorf("F%s: BindJSON(%s): %v", group.sig, c.body, err)
				continue
			}
			if len(args) != 1 {
				t.Fatalf("F%s: %d arguments", group.sig, len(args))
			}
			got := args[0].Interface()
			if !sameValue(got, c.want) {
				t.Errorf("F%s: BindJSON(%s) = %#v, want %#v", group.sig, c.body, got, c.want)
			}
		}
	}
}

func TestBindJSONDeterministic(t *testing.T) {
	// Keys naming one field are applied in document order every time, and
	// the first bad member is reported, whatever the order of a Go map.
	f := newFunc(t, "(x Inner, y int)", func(Inner, int) {})
	for range 50 {
		args, err := f.BindJSON([]byte(`{"x":{"a":1,"A":2,"a":3,"B":"x","b":"y"},"y":1}`))
		if err != nil {
			t.Fatal(err)
		}
		if got := args[0].Interface().(Inner); got != (Inner{A: 3, B: "y"}) {
			t.Fatalf("got %+v, want {A:3 B:y}", got)
		}
		_, err = f.BindJSON([]byte(`{"y":"first","x":{"b":1,"A":"second"}}`))
		checkBindError(t, err, "y", "first")
		_, err = f.BindJSON([]byte(`{"x":{"b":1,"A":"second"},"y":"first"}`))
		checkBindError(t, err, "x", "at b")
	}
}

func TestBindJSONSameAsUnmarshal(t *testing.T) {
	// For JSON that wire accepts, it binds what encoding/json decodes.
	cases := []struct {
		sig  string
		fn   any
		into func() any // a new pointer for json.Unmarshal
		docs []string
	}{
		{"(x Scalars)", func(Scalars) {}, func() any { return new(Scalars) }, []string{
			`{}`,
			`{"B":true,"I":-1,"I8":-128,"U64":18446744073709551615,"F32":0.1,"F64":1e-7,"S":"s\u00e9","R":233,"N":"n","C":-40.5,"D":1500,"T":"2024-02-29T13:14:15.123+01:00"}`,
			`{"b":true,"i":2,"s":"lower-case keys match"}`,
			`{"T":"0001-01-01T00:00:00Z","t":"2000-01-01T00:00:00-07:00"}`,
		}},
		{"(x Tagged)", func(Tagged) {}, func() any { return new(Tagged) }, []string{
			`{"renamed":1,"Empty":"e","oi":2,"oz":3,"-":4,"BadName":5,"with space":6,"ünï":7,"<b>&":8,"OtherTag":9}`,
			`{"RENAMED":1,"OI":2,"OmitPtr":5,"OmitSlice":[1],"OmitMap":{"a":1},"OmitArr0":[],"OmitArr2":[1,2]}`,
			`{"OmitStruct":{"A":1},"OmitZStruct":{"b":"x"},"OmitZTimePtr":"2024-01-02T03:04:05Z","OmitEAny":{"k":[1,null]},"OmitZAny":"s","OmitEBytes":"AAE=","both":"b"}`,
		}},
		{"(x TaggedEmbed)", func(TaggedEmbed) {}, func() any { return new(TaggedEmbed) }, []string{`{"inner":{"A":1,"b":"s"},"X":2}`}},
		{"(x TaggedUnexported)", func(TaggedUnexported) {}, func() any { return new(TaggedUnexported) }, []string{`{"in":{"C":1,"d":2},"X":3}`}},
		{"(x OmitEmbed)", func(OmitEmbed) {}, func() any { return new(OmitEmbed) }, []string{`{"A":1,"b":"s","X":2}`}},
		{"(x Diamond)", func(Diamond) {}, func() any { return new(Diamond) }, []string{`{"Only":1}`}},
		{"(x DeepVsShallow)", func(DeepVsShallow) {}, func() any { return new(DeepVsShallow) }, []string{`{"A":1,"b":"deep","V":2}`}},
		{"(x EmbedNonStruct)", func(EmbedNonStruct) {}, func() any { return new(EmbedNonStruct) }, []string{`{"Label":"l","Celsius":1.5,"Duration":7}`}},
		{"(x Nested)", func(Nested) {}, func() any { return new(Nested) }, []string{
			`{"Matrix":[[1],[],null],"Grid":[[1,2,3],[4,5,6]],"Ptrs":[1,null],"PP":"s","Maps":{"a":{"b":1},"c":null}}`,
			`{"ByName":{"k":1},"Slices":{"a":["b"]},"Bytes":"AAEC","MyBytes":"AQID","ByteArr":[1,2,3],"Times":["2024-01-02T03:04:05Z"],"Durs":{"a":5}}`,
			`{"Anys":[1,"a",null,[],{}],"AnyMap":{"a":{"b":[1.5]},"a":2},"Any":{"x":1},"Empty":{},"Anon":{"x":1},"PtrStruct":{"A":1}}`,
		}},
		{"(x Floats)", func(Floats) {}, func() any { return new(Floats) }, []string{
			`{"F64":1.7976931348623157e308,"F32":3.4028234e38,"L64":[5e-324,-0,0.1],"L32":[1e-45,0.1,16777217]}`,
		}},
		{"(x Keys)", func(Keys) {}, func() any { return new(Keys) }, []string{
			`{"Ints":{"1":"a","-2":"b","+3":"c","04":"d","4":"e"},"I8":{"-128":1,"127":2},"U8":{"255":true,"0":false},` +
				`"I64":{"9223372036854775807":[1],"-9223372036854775808":null},"U64":{"18446744073709551615":"max"},"Uptr":{"1":1},` +
				`"IDs":{"5":{"A":1}},"Small":{"7":null,"8":3},"Durs":{"1000":1,"-1":2},` +
				`"Addrs":{"192.0.2.1":1,"::1":2,"":3,"::ffff:10.0.0.1":4,"fe80::1%eth0":5},"Ports":{"192.0.2.1:80":"http","[::1]:443":"https"},` +
				`"Nets":{"10.0.0.0/8":true,"2001:db8::/32":false},"Deep":{"1":{"2":[1.5]},"3":null}}`,
			`{"Ints":{},"Addrs":null,"ints":{"5":"lower-case key"}}`,
		}},
		{"(x TimeKeys)", func(TimeKeys) {}, func() any { return new(TimeKeys) }, []string{
			`{"Times":{"2024-01-02T03:04:05Z":"a","2024-01-02T03:04:05.123456789Z":"b","0001-01-01T00:00:00Z":"zero"}}`,
		}},
		{"(x Std)", func(Std) {}, func() any { return new(Std) }, []string{
			`{}`,
			`{"Int":-5,"IntP":123456789012345678901234567890,"Float":"1.5","FloatP":"-Inf","Rat":"1/3","RatP":"2","Addr":"192.0.2.1",` +
				`"AddrP":"::1","Port":"[::1]:80","Prefix":"10.0.0.0/8","Ints":[1,null,-2],"Addrs":["1.2.3.4",""],"Nets":{"a":"::/0"},` +
				`"OmitE":"","OmitZ":"1.1.1.1","OmitZI":7,"OmitZB":0}`,
			`{"IntP":null,"Ints":null,"FloatP":"0.1","RatP":"0.75","Float":"-0","Addr":"","int":99}`,
		}},
		{"(x Strings)", func(Strings) {}, func() any { return new(Strings) }, []string{
			"{\"S\":\"\\ud83c\\udf89 \\u0000 \\\\ \\/ \\ud800 bad \xff\",\"Names\":[\"a\"],\"M\":{\"\":\"\",\"k\":\"v\"}}",
		}},
	}
	for _, c := range cases {
		f := newFunc(t, c.sig, c.fn)
		for _, doc := range c.docs {
			want := c.into()
			if err := json.Unmarshal([]byte(doc), want); err != nil {
				t.Fatalf("json.Unmarshal(%s): %v", doc, err)
			}
			args, err := f.BindJSON([]byte(`{"x":` + doc + `}`))
			if err != nil {
				t.Errorf("F%s: BindJSON(%s): %v", c.sig, doc, err)
				continue
			}
			got := args[0].Interface()
			if w := reflect.ValueOf(want).Elem().Interface(); !sameValue(got, w) {
				t.Errorf("F%s: %s:\n BindJSON  %+v\n Unmarshal %+v", c.sig, doc, got, w)
			}
		}
	}
}

func TestBindJSONRequest(t *testing.T) {
	f := newFunc(t, "(ctx context.Context, x int, s string, p *int) error", func(any, int, string, *int) error { return nil })
	for _, c := range []struct {
		body  string
		param string
		words []string
	}{
		{`{"x":}`, "", []string{"malformed JSON body", "invalid character", "at byte"}},
		{`{"x":1,`, "", []string{"malformed JSON body", "unexpected end of JSON input"}},
		{`{"x":1`, "", []string{"malformed JSON body", "unexpected end"}},
		{`{"x":[1,2`, "", []string{"malformed JSON body", "unexpected end"}},
		{`{`, "", []string{"malformed JSON body", "unexpected end"}},
		{`"`, "", []string{"malformed JSON body"}},
		{`{"x":1,"s":"a"} {}`, "", []string{"malformed JSON body", "more data"}},
		{`{"x":1,"s":"a"}x`, "", []string{"malformed JSON body"}},
		{`{"x":1,"s":"a"}]`, "", []string{"malformed JSON body"}},
		{`{"x":1 "s":"a"}`, "", []string{"malformed JSON body", "invalid character"}},
		{`{'x':1}`, "", []string{"malformed JSON body"}},
		{`{"x":1,"s":"a","f":NaN}`, "", []string{"malformed JSON body", "invalid character 'N'"}}, // a bare NaN is not JSON
		{`[1]`, "", []string{"must be a JSON object of the parameters", "x int, s string, p *int", "an array"}},
		{`null`, "", []string{"must be a JSON object", "null"}},
		{`"x"`, "", []string{"must be a JSON object", "string"}},
		{`5`, "", []string{"must be a JSON object", "number 5"}},
		{``, "x", []string{"missing", "want int", "parameters of F: x int, s string, p *int"}},
		{" \n\t", "x", []string{"missing"}},
		{`{}`, "x", []string{"missing", "want int"}},
		{`{"x":1}`, "s", []string{"missing", "want string"}},
		{`{"x":1,"s":"a","y":2}`, "y", []string{"unknown parameter", "parameters of F: x int, s string, p *int"}},
		{`{"ctx":1,"x":1,"s":"a"}`, "ctx", []string{"unknown parameter"}},
		{`{"X":1,"s":"a"}`, "X", []string{"unknown parameter"}},
		{`{"x":1,"s":"a","x":2}`, "x", []string{"given more than once"}},
		{`{"x":"1","s":"a"}`, "x", []string{"want int", `the string "1"`}},
		{`{"x":1,"s":null}`, "s", []string{"want string", "null"}},
	} {
		args, err := f.BindJSON([]byte(c.body))
		if err == nil {
			t.Errorf("BindJSON(%s) = %v, want an error", c.body, values(args))
			continue
		}
		checkBindError(t, err, c.param, c.words...)
	}

	args, err := f.BindJSON([]byte(`{"s":"a","x":1}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := values(args); !reflect.DeepEqual(got, []any{1, "a", (*int)(nil)}) {
		t.Errorf("args %v, want [1 a <nil>] (context excluded, pointer optional)", got)
	}

	// Deep nesting is refused without exhausting the stack.
	g := newFunc(t, "(x any)", func(any) {})
	deep := `{"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`
	if _, err := g.BindJSON([]byte(deep)); err == nil {
		t.Error("BindJSON of 20000 nested arrays succeeded")
	} else {
		checkBindError(t, err, "", "malformed JSON body", "exceeded max depth")
	}

	// A service without parameters binds an empty body and an empty object.
	h := newFunc(t, "()", func() {})
	for _, body := range []string{"", "{}", " { } "} {
		if args, err := h.BindJSON([]byte(body)); err != nil || len(args) != 0 {
			t.Errorf("no parameters: BindJSON(%q) = %v, %v", body, args, err)
		}
	}
	_, err = h.BindJSON([]byte(`{"x":1}`))
	checkBindError(t, err, "x", "unknown parameter", "parameters of F: none")
}

// query visits the pairs key=value, unescaped, of q in order.
func query(q string) func(func(key, value []byte)) {
	return func(visit func(key, value []byte)) {
		if q == "" {
			return
		}
		for pair := range strings.SplitSeq(q, "&") {
			k, v, _ := strings.Cut(pair, "=")
			visit([]byte(k), []byte(v))
		}
	}
}

func TestBindQuery(t *testing.T) {
	cases := []struct {
		sig   string
		fn    any
		cases []bindCase // body is the query
	}{
		{"(x int)", func(int) {}, []bindCase{
			{body: "x=5", want: 5},
			{body: "x=-5", want: -5},
			{body: "x=+5", want: 5},
			{body: "x=1.5", words: []string{"want int", `"1.5"`, "not an integer"}},
			{body: "x=", words: []string{"want int", `""`}},
			{body: "x=0x10", words: []string{"want int"}},
			{body: "x=9223372036854775808", words: []string{"want int", "out of range"}},
			{body: "x=1&x=2", words: []string{"given more than once"}},
			{body: "", words: []string{"missing", "want int"}},
		}},
		{"(x int8)", func(int8) {}, []bindCase{
			{body: "x=-128", want: int8(-128)},
			{body: "x=128", words: []string{"want int8", `"128"`, "out of range"}},
		}},
		{"(x uint16)", func(uint16) {}, []bindCase{
			{body: "x=65536", words: []string{"want uint16", "out of range"}},
			{body: "x=-1", words: []string{"want uint16", `"-1"`, "out of range"}},
		}},
		{"(x uint64)", func(uint64) {}, []bindCase{
			{body: "x=18446744073709551615", want: uint64(18446744073709551615)},
		}},
		{"(x float64)", func(float64) {}, []bindCase{
			{body: "x=1.5", want: 1.5},
			{body: "x=-0", want: 0.0},
			{body: "x=1e308", want: 1e308},
			// As strconv.ParseFloat reads them, JSON's words included.
			{body: "x=NaN", want: math.NaN()},
			{body: "x=nan", want: math.NaN()},
			{body: "x=Inf", want: math.Inf(1)},
			{body: "x=+Inf", want: math.Inf(1)},
			{body: "x=-Inf", want: math.Inf(-1)},
			{body: "x=Infinity", want: math.Inf(1)},
			{body: "x=-Infinity", want: math.Inf(-1)},
			{body: `x="NaN"`, words: []string{"want float64", `"\"NaN\""`}},
			{body: "x=1e400", words: []string{"want float64"}},
			{body: "x=abc", words: []string{"want float64"}},
		}},
		{"(x float32)", func(float32) {}, []bindCase{
			{body: "x=0.1", want: float32(0.1)},
			{body: "x=-Inf", want: float32(math.Inf(-1))},
			{body: "x=1e39", words: []string{"want float32"}},
		}},
		{"(x []float64)", func([]float64) {}, []bindCase{
			{body: "x=1&x=NaN&x=-Inf", want: []float64{1, math.NaN(), math.Inf(-1)}},
			{body: `x=[1,"Infinity"]`, want: []float64{1, math.Inf(1)}},
			{body: `x=[1,NaN]`, words: []string{"written as JSON"}},
		}},
		{"(x map[int]string)", func(map[int]string) {}, []bindCase{
			{body: `x={"1":"a","2":"b"}`, want: map[int]string{1: "a", 2: "b"}},
			{body: `x={"one":"a"}`, words: []string{`at ["one"]`, "want a key of type int"}},
		}},
		{"(x *big.Int)", func(*big.Int) {}, []bindCase{
			{body: "x=123456789012345678901234567890", want: bigInt("123456789012345678901234567890")},
			{body: "x=null", want: (*big.Int)(nil)},
			{body: "x=1.5", words: []string{"want big.Int", `"1.5"`, "math/big"}},
		}},
		{"(x netip.Addr)", func(netip.Addr) {}, []bindCase{
			{body: "x=2001:db8::1", want: netip.MustParseAddr("2001:db8::1")},
			{body: "x=", want: netip.Addr{}},
			{body: "x=1.2.3", words: []string{"want netip.Addr", `"1.2.3"`, "ParseAddr"}},
		}},
		{"(x []netip.Prefix)", func([]netip.Prefix) {}, []bindCase{
			{body: "x=192.0.2.0/24&x=2001:db8::/32", want: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("2001:db8::/32")}},
		}},
		{"(x big.Float)", func(big.Float) {}, []bindCase{
			{body: "x=-2.5e100", want: *bigFloat("-2.5e100")},
		}},
		{"(x bool)", func(bool) {}, []bindCase{
			{body: "x=true", want: true},
			{body: "x=0", want: false},
			{body: "x=yes", words: []string{"want bool", `"yes"`}},
		}},
		{"(x string)", func(string) {}, []bindCase{
			{body: "x=", want: ""},
			{body: "x=a=b", want: "a=b"},
			{body: `x="quoted"`, want: `"quoted"`},
		}},
		{"(x time.Time)", func(time.Time) {}, []bindCase{
			{body: "x=2024-01-02T03:04:05Z", want: day},
			{body: "x=2024-01-02", words: []string{"want time.Time", "RFC 3339"}},
			{body: "x=2024-01-02T03:04:05+24:00", words: []string{"want time.Time"}},
		}},
		{"(x time.Duration)", func(time.Duration) {}, []bindCase{
			{body: "x=1.5s", want: 1500 * time.Millisecond},
			{body: "x=1500", want: time.Duration(1500)},
			{body: "x=1.5", words: []string{"want time.Duration", `"1.5"`}},
		}},
		{"(x *int)", func(*int) {}, []bindCase{
			{body: "x=5", want: ptr(5)},
			{body: "x=null", want: (*int)(nil)},
			{body: "", want: (*int)(nil)},
			{body: "x=a", words: []string{"want int"}},
		}},
		{"(x []int)", func([]int) {}, []bindCase{
			{body: "x=1&x=2&x=3", want: []int{1, 2, 3}},
			{body: "x=7", want: []int{7}},
			{body: "x=[1,2]", want: []int{1, 2}},
			{body: "x=[]", want: []int{}},
			{body: "x= [1]", want: []int{1}},
			{body: "x=1&x=a", words: []string{"want int", `"a"`}},
			{body: "x=[1,", words: []string{"want []int (a JSON array) written as JSON"}},
			{body: "x=[1]]", words: []string{"written as JSON"}},
			{body: `x=[1,"a"]`, words: []string{"at [1]", "want int"}},
		}},
		{"(x []string)", func([]string) {}, []bindCase{
			{body: "x=a&x=&x=b", want: []string{"a", "", "b"}},
		}},
		{"(x [2]int)", func([2]int) {}, []bindCase{
			{body: "x=[1,2]", want: [2]int{1, 2}},
			{body: "x=[1]", words: []string{"want [2]int", "1 elements"}},
			{body: "x=1", words: []string{"want [2]int (a JSON array)", "the number 1"}},
		}},
		{"(x map[string]int)", func(map[string]int) {}, []bindCase{
			{body: `x={"a":1}`, want: map[string]int{"a": 1}},
			{body: `x={"a":1}}`, words: []string{"written as JSON"}},
			{body: `x=a`, words: []string{"want map[string]int (a JSON object) written as JSON", `"a"`}},
		}},
		{"(x Inner)", func(Inner) {}, []bindCase{
			{body: `x={"A":1,"b":"s"}`, want: Inner{A: 1, B: "s"}},
			{body: `x={"A":1} {}`, words: []string{"written as JSON"}},
			{body: `x={"z":1}`, words: []string{"unknown field", `"z"`}},
			{body: `x=null`, words: []string{"want Inner", "null"}},
		}},
		{"(x []byte)", func([]byte) {}, []bindCase{
			{body: `x="aGk="`, want: []byte("hi")},
			{body: `x=aGk=`, words: []string{"want []byte (a base64 string) written as JSON"}},
		}},
		{"(x any)", func(any) {}, []bindCase{
			{body: "x=hello", want: "hello"},
			{body: "x=5", want: 5.0},
			{body: `x="s"`, want: "s"},
			{body: "x=null", want: nil},
			{body: `x={"k":[1,true]}`, want: map[string]any{"k": []any{1.0, true}}},
			{body: "x=[1", want: "[1"},
			{body: "x=1]", want: "1]"},
			{body: "x=1 2", want: "1 2"},
			{body: "x=1e400", words: []string{"out of range"}},
		}},
	}
	for _, group := range cases {
		f := newFunc(t, group.sig, group.fn)
		for _, c := range group.cases {
			args, err := f.BindQuery(query(c.body))
			if c.words != nil {
				if err == nil {
					t.Errorf("F%s: BindQuery(%s) = %v, want an error", group.sig, c.body, values(args))
					continue
				}
				checkBindError(t, err, "x", c.words...)
				continue
			}
			if err != nil {
				t.Errorf("F%s: BindQuery(%s): %v", group.sig, c.body, err)
				continue
			}
			if got := args[0].Interface(); !sameValue(got, c.want) {
				t.Errorf("F%s: BindQuery(%s) = %#v, want %#v", group.sig, c.body, got, c.want)
			}
		}
	}

	f := newFunc(t, "(a int, b string)", func(int, string) {})
	_, err := f.BindQuery(query("a=1&b=x&c=2"))
	checkBindError(t, err, "c", "unknown parameter", "a int, b string")
	_, err = f.BindQuery(query("a=1"))
	checkBindError(t, err, "b", "missing", "want string")
	_, err = f.BindQuery(query("c=1&a=x"))
	checkBindError(t, err, "c", "unknown parameter") // the first problem in query order
}

// TestBindURLQuery: a URL-encoded query binds as its unescaped pairs do
// with BindQuery, for a service of a few parameters and for one of more
// than BindURLQuery keeps on its stack.
func TestBindURLQuery(t *testing.T) {
	t.Parallel()
	few := newFunc(t, "(n int, s string, xs []int)", func(int, string, []int) {})
	many := newFunc(t, "(a, b, c, d, e, f, g, h, i, j int)", func(int, int, int, int, int, int, int, int, int, int) {})
	cases := []struct {
		f     *wire.Func
		q     string
		want  []any
		param string   // of the error, if one is wanted
		words []string // in the error
	}{
		{f: few, q: "n=5&s=a+b%26c&xs=1&xs=2", want: []any{5, "a b&c", []int{1, 2}}},
		{f: few, q: "&n=-1&&s=&xs=3&", want: []any{-1, "", []int{3}}},
		{f: few, q: "s=%zz&n=1&xs=1", want: []any{1, "%zz", []int{1}}}, // does not unescape: bound as it is
		{f: few, q: "n=%2B5&s=x&xs=1", want: []any{5, "x", []int{1}}},
		{f: few, q: "n=1&n=2&s=x&xs=1", param: "n", words: []string{"given more than once"}},
		{f: few, q: "n=1&x%79=2", param: "xy", words: []string{"unknown parameter"}},
		{f: few, q: "n=1&xs=1", param: "s", words: []string{"missing", "want string"}},
		{f: many, q: "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9&j=10", want: []any{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}},
		{f: many, q: "a=1&b=2&c=3&d=4&e=5&f=6&g=7&h=8&i=9", param: "j", words: []string{"missing"}},
		{f: many, q: "j=1&j=2", param: "j", words: []string{"given more than once"}},
	}
	for _, c := range cases {
		args, err := c.f.BindURLQuery([]byte(c.q))
		if c.words != nil {
			if err == nil {
				t.Errorf("BindURLQuery(%s) = %v, want an error", c.q, values(args))
				continue
			}
			checkBindError(t, err, c.param, c.words...)
			continue
		}
		if err != nil {
			t.Errorf("BindURLQuery(%s): %v", c.q, err)
			continue
		}
		for i, a := range args {
			if got := a.Interface(); !reflect.DeepEqual(got, c.want[i]) {
				t.Errorf("BindURLQuery(%s): argument %d = %#v, want %#v", c.q, i, got, c.want[i])
			}
		}
	}
}

func TestBindText(t *testing.T) {
	f := newFunc(t, "(n int, s string, xs []int, p Inner)", func(int, string, []int, Inner) {})
	args, err := f.BindText([]string{"n=5", "s=a=b", "xs=1", "xs=2", `p={"A":1}`})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := values(args), []any{5, "a=b", []int{1, 2}, Inner{A: 1}}; !reflect.DeepEqual(got, want) {
		t.Errorf("BindText = %v, want %v", got, want)
	}
	_, err = f.BindText([]string{"n=5", "s", "xs=1", `p={}`})
	if err != nil {
		t.Errorf("a pair without = binds the empty string: %v", err)
	}
	_, err = f.BindText([]string{"n=x"})
	checkBindError(t, err, "n", "want int", `"x"`)
}

func BenchmarkBindJSON(b *testing.B) {
	f := newFunc(b, "(n int, s string, in Inner, xs []int, m map[string]int, r *Recursive)", func(int, string, Inner, []int, map[string]int, *Recursive) {})
	body := []byte(`{"n":42,"s":"hello, world","in":{"A":1,"b":"x"},"xs":[1,2,3,4,5,6,7,8],"m":{"a":1,"b":2,"c":3},` +
		`"r":{"Name":"root","Kids":[{"Name":"a"},{"Name":"b","Kids":[{"Name":"c"}]}]}}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.BindJSON(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNestedCallWire is what one nested call of Fib(n int) int costs
// the codec on both sides: the proxy encodes the arguments, the callee
// binds them and encodes its result, the proxy decodes it.
func BenchmarkNestedCallWire(b *testing.B) {
	f := newFunc(b, "(n int) int", func(int) int { return 0 })
	n := reflect.ValueOf(9)
	out := []reflect.Value{reflect.ValueOf(55)}
	var result int
	dst := []any{&result}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = f.AppendArgs(buf[:0], []reflect.Value{n}); err != nil {
			b.Fatal(err)
		}
		args, err := f.BindJSON(buf)
		if err != nil || args[0].Int() != 9 {
			b.Fatal(args, err)
		}
		if buf, err = f.AppendResults(buf[:0], out); err != nil {
			b.Fatal(err)
		}
		if err := f.DecodeResults(buf, dst); err != nil || result != 55 {
			b.Fatal(result, err)
		}
	}
}
