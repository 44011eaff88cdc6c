package wire_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"math/big"
	"net/netip"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/microfn/microfn/wire"
)

// richSig is the signature of the service the fuzz targets bind.
const richSig = "(ctx context.Context, n int, i8 int8, u16 uint16, u64 uint64, f float64, f32 float32, ok bool, s string, name Name, " +
	"in Inner, xs []int, names []string, arr [2]Name, m map[string]int, mm map[Name][]float64, p *Recursive, pi *int, " +
	"tm time.Time, d time.Duration, b []byte, a any, e Embeds, nested Nested, keys Keys, st Std, addr netip.Addr, bi *big.Int, sp Specials) error"

func richFunc(t testing.TB) *wire.Func {
	return newFunc(t, richSig, func(any, int, int8, uint16, uint64, float64, float32, bool, string, Name,
		Inner, []int, []string, [2]Name, map[string]int, map[Name][]float64, *Recursive, *int,
		time.Time, time.Duration, []byte, any, Embeds, Nested, Keys, Std, netip.Addr, *big.Int, Specials) error {
		return nil
	})
}

// maxFuzzInput keeps each fuzz iteration cheap.
const maxFuzzInput = 8 << 10

// checkRoundTrip checks that args, bound from a request, encode with
// AppendArgs and bind again with BindJSON to equal values, and that the
// encoding is then stable.
func checkRoundTrip(t *testing.T, f *wire.Func, args []reflect.Value, input string) {
	t.Helper()
	body, err := f.AppendArgs(nil, args)
	if err != nil {
		t.Fatalf("input %q bound, but AppendArgs failed: %v", input, err)
	}
	again, err := f.BindJSON(body)
	if err != nil {
		t.Fatalf("input %q bound, but BindJSON(AppendArgs) failed: %v\nbody %s", input, err, body)
	}
	body2, err := f.AppendArgs(nil, again)
	if err != nil {
		t.Fatalf("AppendArgs after the round trip: %v", err)
	}
	if !bytes.Equal(body, body2) {
		t.Fatalf("input %q: the encoding changed over a round trip:\n%s\n%s", input, body, body2)
	}
	for i := range args {
		a, b := normalize(args[i]), normalize(again[i])
		if !sameValue(a, b) {
			t.Fatalf("input %q: argument %d changed over a round trip:\n%#v\n%#v\nbody %s", input, i, a, b, body)
		}
	}
}

var timeType = reflect.TypeFor[time.Time]()

// normalize returns a copy of v with its times in UTC: JSON carries a
// time's instant and offset, not its *time.Location (a time in Local or
// at offset +00:00 comes back in UTC).
func normalize(v reflect.Value) any {
	c := reflect.New(v.Type()).Elem()
	c.Set(v)
	utc(c)
	return c.Interface()
}

// utc sets the times inside the settable v to UTC, copying what it goes
// through. The fuzzed types hold no time in a map or an any.
func utc(v reflect.Value) {
	if v.Type() == timeType {
		v.Set(reflect.ValueOf(v.Interface().(time.Time).UTC()))
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			p := reflect.New(v.Type().Elem())
			p.Elem().Set(v.Elem())
			utc(p.Elem())
			v.Set(p)
		}
	case reflect.Slice:
		if !v.IsNil() {
			s := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
			reflect.Copy(s, v)
			for i := range s.Len() {
				utc(s.Index(i))
			}
			v.Set(s)
		}
	case reflect.Array:
		for i := range v.Len() {
			utc(v.Index(i))
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if fv := v.Field(i); fv.CanSet() {
				utc(fv)
			}
		}
	}
}

// minimalArgs gives every parameter of richSig a small JSON value.
var minimalArgs = [][2]string{
	{"n", "1"}, {"i8", "0"}, {"u16", "0"}, {"u64", "0"}, {"f", "0"}, {"f32", "0"}, {"ok", "false"}, {"s", `""`},
	{"name", `""`}, {"in", "{}"}, {"xs", "null"}, {"names", "[]"}, {"arr", `["",""]`}, {"m", "{}"}, {"mm", "null"},
	{"p", "null"}, {"pi", "null"}, {"tm", `"0001-01-01T00:00:00Z"`}, {"d", "0"}, {"b", "null"}, {"a", "null"},
	{"e", "{}"}, {"nested", "{}"}, {"keys", "{}"}, {"st", "{}"}, {"addr", `""`}, {"bi", "null"}, {"sp", "{}"},
}

// withArg returns a JSON body of minimalArgs with the parameter key set to
// the JSON value.
func withArg(key, value string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, kv := range minimalArgs {
		if i > 0 {
			b.WriteByte(',')
		}
		v := kv[1]
		if kv[0] == key {
			v = value
		}
		b.WriteString(`"` + kv[0] + `":` + v)
	}
	b.WriteByte('}')
	return b.String()
}

// minimalQuery gives every required parameter of richSig a small value as
// BindQuery reads it.
var minimalQuery = [][2]string{
	{"n", "1"}, {"i8", "0"}, {"u16", "0"}, {"u64", "0"}, {"f", "0"}, {"f32", "0"}, {"ok", "false"}, {"s", ""},
	{"name", ""}, {"in", "{}"}, {"xs", "[]"}, {"names", "[]"}, {"arr", `["",""]`}, {"m", "{}"}, {"mm", "{}"},
	{"tm", "0001-01-01T00:00:00Z"}, {"d", "0"}, {"b", "null"}, {"a", "null"}, {"e", "{}"}, {"nested", "{}"},
	{"keys", "{}"}, {"st", "{}"}, {"addr", ""}, {"sp", "{}"},
}

// withQueryArg returns a query of minimalQuery with the parameter key set
// to value (added if it is optional).
func withQueryArg(key, value string) string {
	var pairs []string
	found := false
	for _, kv := range minimalQuery {
		v := kv[1]
		if kv[0] == key {
			v, found = value, true
		}
		pairs = append(pairs, kv[0]+"="+v)
	}
	if !found && key != "" {
		pairs = append(pairs, key+"="+value)
	}
	return strings.Join(pairs, "&")
}

// fuzzSeeds are request bodies for FuzzBindJSON.
var fuzzSeeds = []string{
	``,
	`{}`,
	withArg("", ""),
	`{"n":1,"i8":-128,"u16":65535,"u64":18446744073709551615,"f":1.5,"f32":0.1,"ok":true,"s":"s","name":"n",` +
		`"in":{"A":1,"b":"x"},"xs":[1,2],"names":["a"],"arr":["a","b"],"m":{"k":1},"mm":{"k":[1.5,-0]},` +
		`"p":{"Name":"r","Next":{"Name":"n"},"Kids":[{}]},"pi":7,"tm":"2024-01-02T03:04:05.123+01:00","d":"1.5s",` +
		`"b":"aGVsbG8=","a":{"k":[1,"x",null,true]},"e":{"A":1,"C":2,"ID":3,"Name":"n","T":"2024-01-02T03:04:05Z","V":[1]},` +
		`"nested":{"Matrix":[[1]],"Grid":[[1,2,3],[4,5,6]],"Ptrs":[1,null],"PP":"x","Maps":{"a":{"b":1}},"ByName":{"n":1},` +
		`"Bytes":"AA==","MyBytes":"AQ==","ByteArr":[1,2,3],"Times":["2024-01-02T03:04:05Z"],"Durs":{"d":5},"Anys":[1],"AnyMap":{"a":null},` +
		`"Any":1e300,"Empty":{},"Anon":{"x":1},"PtrStruct":{"A":1}}}`,
	withArg("n", "9223372036854775808"),
	withArg("n", "-9223372036854775808"),
	withArg("i8", "128"),
	withArg("u16", "-1"),
	withArg("u64", "1e3"),
	withArg("f", "1e400"),
	withArg("f", "-0"),
	withArg("f", "5e-324"),
	withArg("f32", "3.5e38"),
	withArg("f32", "1e-46"),
	withArg("s", `"\ud800\u00e9<>&\u2028"`),
	withArg("s", "\"\xff\x00\""),
	withArg("name", `"\\"`),
	withArg("tm", `"2024-01-02T03:04:05+24:00"`),
	withArg("tm", `"2024-01-02T03:04:05-00:00"`),
	withArg("tm", `"9999-12-31T23:59:59.999999999-23:59"`),
	withArg("tm", `"0000-01-01T00:00:00+00:01"`),
	withArg("d", "9223372036854775807"),
	withArg("d", `"-2562047h47m16.854775808s"`),
	withArg("b", `"!"`),
	withArg("b", `"aGk\n="`),
	withArg("arr", `["a"]`),
	withArg("in", `{"A":1,"a":2,"B":"x"}`),
	withArg("in", `{"c":3}`),
	withArg("e", `{"E":1}`),
	withArg("e", `{"id":1,"NAME":"x","v":{"k":1e300}}`),
	withArg("a", "1e400"),
	withArg("a", "[[[[[[]]]]]]"),
	withArg("a", `{"a":1,"a":{"b":[]}}`),
	withArg("mm", `{"a":[1,2],"a":null}`),
	withArg("nested", `{"Any":{"x":[1,{"y":null}]},"Grid":[[1,2,3]]}`),
	withArg("f", `"NaN"`),
	withArg("f32", `"-Infinity"`),
	withArg("f", `"Inf"`),
	withArg("sp", `{"F64":"NaN","F32":"Infinity","C":-1.5,"P":"-Infinity","L":["Infinity",1,"NaN"],"A":["NaN",0],"M":{"x":"NaN"},"K":{"-1":"-Infinity"}}`),
	withArg("keys", `{"Ints":{"1":"a","-2":"b","+3":"c","007":"d"},"I8":{"-128":1},"U8":{"255":true},"U64":{"18446744073709551615":"x"}}`),
	withArg("keys", `{"Ints":{"x":"b"}}`),
	withArg("keys", `{"U8":{"256":true}}`),
	withArg("keys", `{"Addrs":{"::1":1,"192.0.2.1":2,"":3},"Ports":{"[::1]:80":"x"},"Nets":{"10.0.0.0/8":true},"Deep":{"1":{"2":["NaN"]}}}`),
	withArg("keys", `{"Addrs":{"::1%eth0":1,"1.2.3":2}}`),
	withArg("st", `{"Int":-12345678901234567890123,"IntP":null,"Float":"1e100","FloatP":"-Inf","Rat":"-3/6","RatP":"0.5","Addr":"::ffff:1.2.3.4"}`),
	withArg("st", `{"Port":"1.2.3.4:65535","Prefix":"2001:db8::/129","Ints":[1,null],"Addrs":["","::"],"Nets":{"a":"0.0.0.0/0"}}`),
	withArg("st", `{"Int":1e3}`),
	withArg("st", `{"Float":"NaN"}`),
	withArg("st", `{"Rat":"1/0"}`),
	withArg("addr", `"1.2.3.4"`),
	withArg("addr", `"fe80::1%zone"`),
	withArg("bi", "-0"),
	withArg("bi", `"5"`),
	`{"n":1,"n":2}`,
	`{"x":1}`,
	`{"n":1} {}`,
	`{"n":`,
	`[]`,
	`null`,
}

func FuzzBindJSON(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	fn := richFunc(f)
	anyFn := newFunc(f, "() any", func() any { return nil })
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > maxFuzzInput {
			return
		}
		checkSameAsUnmarshal(t, anyFn, body)
		args, err := fn.BindJSON(body)
		if err != nil {
			var be *wire.BindError
			if !errors.As(err, &be) {
				t.Fatalf("BindJSON(%q): error %v is not a *BindError", body, err)
			}
			return
		}
		checkRoundTrip(t, fn, args, string(body))
	})
}

// querySeeds are query strings for FuzzBindQuery.
var querySeeds = []string{
	"",
	withQueryArg("", ""),
	"n=1&i8=-128&u16=65535&u64=18446744073709551615&f=1.5&f32=0.1&ok=true&s=hello&name=n&in={\"A\":1}&xs=1&xs=2&names=a&names=&" +
		"arr=[\"a\",\"b\"]&m={\"k\":1}&mm={}&p={\"Name\":\"r\"}&pi=null&tm=2024-01-02T03:04:05Z&d=1.5s&b=\"aGk=\"&a=x&e={}&nested={}",
	withQueryArg("f", "NaN"),
	withQueryArg("f", "+Inf"),
	withQueryArg("f", "0x1p-2"),
	withQueryArg("f", "1_000"),
	withQueryArg("f32", "1e39"),
	withQueryArg("i8", "128"),
	withQueryArg("i8", "+1"),
	withQueryArg("u16", "-1"),
	withQueryArg("ok", "T"),
	withQueryArg("xs", "[1]]"),
	withQueryArg("xs", " [1,2]"),
	withQueryArg("names", `["a"]`),
	withQueryArg("a", "1]"),
	withQueryArg("a", "1e400"),
	withQueryArg("a", `{"k":[1,"x"]}`),
	withQueryArg("a", "-0"),
	withQueryArg("tm", "2024-01-02T03:04:05+24:00"),
	withQueryArg("tm", "2024-01-02T03:04:05.999+00:00"),
	withQueryArg("pi", "5"),
	withQueryArg("p", `{"Kids":[]}`),
	withQueryArg("d", "1h"),
	withQueryArg("d", "-9223372036854775808"),
	withQueryArg("s", "\xff"),
	withQueryArg("s", "a=b"),
	withQueryArg("f", "Infinity"),
	withQueryArg("f", "-inf"),
	withQueryArg("f32", "NaN"),
	withQueryArg("addr", "::1"),
	withQueryArg("addr", "1.2.3.4.5"),
	withQueryArg("bi", "0x10"),
	withQueryArg("bi", "-123456789012345678901234567890"),
	withQueryArg("keys", `{"Ints":{"-1":"x"},"Nets":{"::/0":true}}`),
	withQueryArg("sp", `{"L":["NaN"]}`),
	"n=1&n=2",
	"x=1",
	"in",
}

func FuzzBindQuery(f *testing.F) {
	for _, s := range querySeeds {
		f.Add(s)
	}
	fn := richFunc(f)
	f.Fuzz(func(t *testing.T, q string) {
		if len(q) > maxFuzzInput {
			return
		}
		args, err := fn.BindQuery(query(q))
		if err != nil {
			var be *wire.BindError
			if !errors.As(err, &be) {
				t.Fatalf("BindQuery(%q): error %v is not a *BindError", q, err)
			}
			return
		}
		if !utf8.ValidString(q) {
			// JSON replaces invalid UTF-8 in strings, as encoding/json
			// does: such a string cannot come back unchanged.
			return
		}
		checkRoundTrip(t, fn, args, q)
	})
}

// checkSameAsUnmarshal checks that wire decodes body, as the result of
// anyFn (a func() any), as json.Unmarshal does into an any.
func checkSameAsUnmarshal(t *testing.T, anyFn *wire.Func, body []byte) {
	t.Helper()
	var want, got any
	wantErr := json.Unmarshal(body, &want)
	gotErr := anyFn.DecodeResults(body, []any{&got})
	if (wantErr == nil) != (gotErr == nil) {
		t.Fatalf("decode %q: json.Unmarshal error %v, wire error %v", body, wantErr, gotErr)
	}
	if wantErr == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("decode %q:\n wire      %#v\n Unmarshal %#v", body, got, want)
	}
}

func TestDecodeSameAsUnmarshal(t *testing.T) {
	anyFn := newFunc(t, "() any", func() any { return nil })
	for _, doc := range []string{
		`null`, `true`, `false`, `0`, `-0`, `-1.5e-3`, `1E+2`, `12345678901234567890`, `1e400`, `-1e400`, `01`, `1.`, `.5`, `+1`,
		`""`, `"plain"`, `"\u00e9\u0000\n\t\"\\\/"`, `"\ud83c\udf89"`, `"\ud800"`, `"\udc00\ud800x"`, `"\uDBFF\uDFFF"`,
		"\"caf\xc3\xa9\"", "\"bad \xff \xc3\"", "\"\xef\xbf\xbd\"", "\"\xed\xa0\x80\"", "\"tab\there\"", `"\x"`,
		`[]`, `[ ]`, `[1,[2,[3,[]]],{}]`, `[1,]`, `[,1]`, `{}`, `{ }`, `{"a":1,"b":[true,null],"a":{"c":"d"}}`,
		`{"":0}`, `{"a" : 1 , "b" : 2 }`, `{"a":1,}`, `{a:1}`, `{"a":1 "b":2}`, ` {"a":1} `, `{"a":1} {}`, `{"a":1}]`,
		`[1] x`, "", " ", "\t\n\r", `nul`, `tru`, `[`, `{"a":`, `"open`, `[1e400]`, `{"k":[1e-400]}`,
		strings.Repeat("[", 5000) + strings.Repeat("]", 5000),
		strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
	} {
		checkSameAsUnmarshal(t, anyFn, []byte(doc))
	}
}

func TestFuzzSeeds(t *testing.T) {
	// The seeds run without -fuzz too; most of them must bind.
	fn := richFunc(t)
	bound := 0
	for _, s := range fuzzSeeds {
		if args, err := fn.BindJSON([]byte(s)); err == nil {
			bound++
			checkRoundTrip(t, fn, args, s)
		}
	}
	for _, q := range querySeeds {
		if args, err := fn.BindQuery(query(q)); err == nil && utf8.ValidString(q) {
			bound++
			checkRoundTrip(t, fn, args, q)
		}
	}
	if bound < 30 {
		t.Errorf("only %d seeds bind", bound)
	}
}
