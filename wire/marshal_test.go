package wire_test

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/wire"
)

var (
	marshalSrcOnce sync.Once
	marshalSrc     []byte
	marshalSrcErr  error
)

// marshalPackage parses marshal_types_test.go with a service F of the
// parameters and results sig.
func marshalPackage(t testing.TB, sig string) *funcs.Package {
	t.Helper()
	marshalSrcOnce.Do(func() { marshalSrc, marshalSrcErr = os.ReadFile("marshal_types_test.go") })
	if marshalSrcErr != nil {
		t.Fatal(marshalSrcErr)
	}
	src := "package wire_test\n\n// F is the service under test.\n//\n//microfn:service\nfunc F" + sig + " { panic(0) }\n"
	pkg, err := funcs.Parse(".", []funcs.SourceFile{{Name: "marshal_types_test.go", Src: marshalSrc}, {Name: "zz.go", Src: []byte(src)}})
	if err != nil {
		t.Fatalf("parse F%s: %v", sig, err)
	}
	return pkg
}

// marshalFunc returns the plan c builds of a service F with the
// parameters and results sig, written with the types of
// marshal_types_test.go, for fn, which has the same signature.
func marshalFunc(t testing.TB, c *wire.Codec, sig string, fn any) *wire.Func {
	t.Helper()
	f, err := c.NewFunc(marshalPackage(t, sig).Services[0], reflect.TypeOf(fn))
	if err != nil {
		t.Fatalf("NewFunc(F%s): %v", sig, err)
	}
	return f
}

// encodeResult encodes v as the single result of a service, as wire
// writes it.
func encodeResult[T any](t *testing.T, c *wire.Codec, sig string, v T) ([]byte, error) {
	t.Helper()
	f := marshalFunc(t, c, sig, func() T { return v })
	return f.AppendResults(nil, []reflect.Value{reflect.ValueOf(v)})
}

var order = Order{
	Token:   Token{1, 2, 0xab, 0xcd},
	Total:   Money{150, "<EUR>"},
	Tip:     &Money{-3, "USD"},
	Codes:   map[Code]Token{"ab": {1}, "cd": {2}},
	ByID:    map[Token]int{{9, 9, 9, 9}: 1, {0, 0, 0, 1}: 2},
	Lines:   []Token{{1}, {}},
	Counter: Counter{42},
	Level:   3,
	Any:     Money{1, "GBP"},
}

// TestMarshalerSameAsJSON: a type of Kind Marshaler is written as
// encoding/json writes it (of a pointer to it: wire calls methods with
// pointer receivers whether the value is addressable or not): the JSON
// of MarshalJSON compacted and escaped, the text of MarshalText as a
// string, the text of map keys, a string-kinded key as itself.
func TestMarshalerSameAsJSON(t *testing.T) {
	t.Parallel()
	c := wire.NewCodec()
	for _, c2 := range []struct {
		sig string
		v   any
	}{
		{"() Order", order},
		{"() Token", Token{0xff}},
		{"() Money", Money{7, `a"b&c`}},
		{"() *Money", (*Money)(nil)},
		{"() Counter", Counter{-1}},
		{"() Level", Level(12)},
		{"() map[Token]Money", map[Token]Money{{1}: {1, "X"}, {}: {}}},
		{"() []Code", []Code{"x", "y"}},
	} {
		p := reflect.New(reflect.TypeOf(c2.v))
		p.Elem().Set(reflect.ValueOf(c2.v))
		want, err := json.Marshal(p.Interface())
		if err != nil {
			t.Fatal(err)
		}
		f := marshalFunc(t, c, c2.sig, reflect.MakeFunc(reflect.FuncOf(nil, []reflect.Type{reflect.TypeOf(c2.v)}, false), nil).Interface())
		got, err := f.AppendResults(nil, []reflect.Value{reflect.ValueOf(c2.v)})
		if err != nil {
			t.Fatalf("%s: %v", c2.sig, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s %+v:\n got %s\nwant %s", c2.sig, c2.v, got, want)
		}
	}
}

// TestMarshalerBind: a parameter of Kind Marshaler is read by its
// UnmarshalJSON method (null included), else by UnmarshalText from a
// JSON string; in a query string by UnmarshalText, else by UnmarshalJSON
// (text that is not JSON as a string). What the method refuses, and JSON
// of another kind, is a 400 naming the parameter, with the method's own
// error.
func TestMarshalerBind(t *testing.T) {
	t.Parallel()
	cases := []struct {
		sig        string
		fn         any
		json, text []bindCase
	}{
		{"(x Token)", func(Token) {}, []bindCase{
			{body: `{"x":"0102abcd"}`, want: Token{1, 2, 0xab, 0xcd}},
			{body: `{"x":"xyz"}`, words: []string{"want Token (a string: the text of its MarshalText method)", `got the string "xyz"`, "invalid token length: 3"}},
			{body: `{"x":5}`, words: []string{"want Token", "got the number 5"}},
			{body: `{"x":null}`, words: []string{"want Token", "got null"}},
		}, []bindCase{
			{body: "x=0102abcd", want: Token{1, 2, 0xab, 0xcd}},
			{body: "x=01", words: []string{"want Token", `got "01"`, "invalid token length: 2"}},
		}},
		{"(x Money)", func(Money) {}, []bindCase{
			{body: `{"x":{"units":5,"cur":"EUR"}}`, want: Money{5, "EUR"}},
			{body: `{"x":null}`, want: Money{}},
			{body: `{"x":{"units":1}}`, words: []string{"want Money (the JSON of its MarshalJSON method)", "got an object", "money: no currency"}},
		}, []bindCase{
			{body: `x={"units":2,"cur":"USD"}`, want: Money{2, "USD"}},
			{body: "x=abc", words: []string{"want Money", `got "abc"`, "money: json: cannot unmarshal string"}},
		}},
		{"(x *Money)", func(*Money) {}, []bindCase{
			{body: `{"x":{"units":5,"cur":"EUR"}}`, want: &Money{5, "EUR"}},
			{body: `{}`, want: (*Money)(nil)},
		}, nil},
		{"(x Level)", func(Level) {}, []bindCase{
			{body: `{"x":"L4"}`, want: Level(4)},
			{body: `{"x":4}`, words: []string{"want Level", "got the number 4"}},
		}, []bindCase{
			{body: "x=L9", want: Level(9)},
		}},
		{"(x Counter)", func(Counter) {}, []bindCase{
			{body: `{"x":"7"}`, want: Counter{7}},
			{body: `{"x":"seven"}`, words: []string{"want Counter", `strconv.Atoi: parsing "seven": invalid syntax`}},
		}, nil},
		{"(x map[Code]Token)", func(map[Code]Token) {}, []bindCase{
			{body: `{"x":{"AB":"00000001"}}`, want: map[Code]Token{"ab": {0, 0, 0, 1}}},
			{body: `{"x":{"AB":"zz"}}`, words: []string{`at ["AB"]`, "want Token", "invalid token length: 2"}},
		}, nil},
		{"(x map[Token]int)", func(map[Token]int) {}, []bindCase{
			{body: `{"x":{"00000002":3}}`, want: map[Token]int{{0, 0, 0, 2}: 3}},
			{body: `{"x":{"2":3}}`, words: []string{`at ["2"]`, "want a key of type Token", "invalid token length: 1"}},
		}, nil},
		{"(x []Token)", func([]Token) {}, nil, []bindCase{
			{body: "x=00000001&x=00000002", want: []Token{{0, 0, 0, 1}, {0, 0, 0, 2}}},
			{body: `x=["00000003"]`, want: []Token{{0, 0, 0, 3}}},
		}},
		{"(x Boom)", func(Boom) {}, []bindCase{
			{body: `{"x":"b"}`, words: []string{"want Boom", "Boom.UnmarshalText panicked: boom"}},
		}, nil},
	}
	for _, c := range cases {
		f := marshalFunc(t, wire.NewCodec(), c.sig, c.fn)
		for _, bc := range c.json {
			args, err := f.BindJSON([]byte(bc.body))
			checkBind(t, c.sig+" "+bc.body, args, err, bc)
		}
		for _, bc := range c.text {
			args, err := f.BindQuery(query(bc.body))
			checkBind(t, c.sig+" "+bc.body, args, err, bc)
		}
	}
}

// checkBind checks the single argument bound, or the error, against bc.
func checkBind(t *testing.T, what string, args []reflect.Value, err error, bc bindCase) {
	t.Helper()
	if bc.words != nil {
		if err == nil {
			t.Errorf("%s: bound %#v, want an error", what, args[0].Interface())
			return
		}
		checkBindError(t, err, "x", bc.words...)
		return
	}
	if err != nil {
		t.Errorf("%s: %v", what, err)
		return
	}
	if got := args[0].Interface(); !reflect.DeepEqual(got, bc.want) {
		t.Errorf("%s: bound %#v, want %#v", what, got, bc.want)
	}
}

// TestMarshalerRoundTrip: what AppendArgs and AppendResults write of
// types that encode themselves, BindJSON and DecodeResults read back.
func TestMarshalerRoundTrip(t *testing.T) {
	t.Parallel()
	f := marshalFunc(t, wire.NewCodec(), "(o Order, ids []Token) (Order, *Money, error)", func(Order, []Token) (Order, *Money, error) { return Order{}, nil, nil })
	o := order
	o.Codes = map[Code]Token{"ab": {1}} // read back by UnmarshalText as lower case
	o.Any = nil                         // an any holds what JSON decodes to
	roundTripArgs(t, f, []reflect.Value{reflect.ValueOf(o), reflect.ValueOf([]Token{{1}, {2}})})
	out, err := f.AppendResults(nil, []reflect.Value{reflect.ValueOf(o), reflect.ValueOf(&Money{9, "JPY"})})
	if err != nil {
		t.Fatal(err)
	}
	var ro Order
	var rm *Money
	if err := f.DecodeResults(out, []any{&ro, &rm}); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ro, o) || *rm != (Money{9, "JPY"}) {
		t.Errorf("DecodeResults(%s) = %+v, %+v", out, ro, rm)
	}
}

// TestMarshalerErrors: a method that fails, panics or writes what is not
// JSON makes encoding fail with an error naming it, as encoding/json
// does, and never crashes.
func TestMarshalerErrors(t *testing.T) {
	t.Parallel()
	c := wire.NewCodec()
	if _, err := encodeResult(t, c, "() Boom", Boom{}); err == nil || !strings.Contains(err.Error(), "Boom.MarshalText panicked: boom") {
		t.Errorf("Boom: error %v, want the panic", err)
	}
	if _, err := encodeResult(t, c, "() []Bad", []Bad{{}}); err == nil || !strings.Contains(err.Error(), "Bad.MarshalJSON wrote invalid JSON") {
		t.Errorf("Bad: error %v, want invalid JSON", err)
	}
}

// The interpreter's representation of Token and Money: the same values,
// without the methods, a struct unnamed.
type (
	tokenRepr Token
	moneyRepr = struct {
		units int64
		cur   string
	}
)

// reprMethods are the functions the interpreter's loader declares for Token
// and Money, as the interpreted code calls the methods.
func reprMethods(c *wire.Codec) {
	c.SetMethods("", "Token", wire.Methods{
		MarshalText:   reflect.ValueOf(func(p *tokenRepr) ([]byte, error) { return (*Token)(p).MarshalText() }),
		UnmarshalText: reflect.ValueOf(func(p *tokenRepr, b []byte) error { return (*Token)(p).UnmarshalText(b) }),
	})
	c.SetMethods("", "Money", wire.Methods{
		MarshalJSON:   reflect.ValueOf(func(p *moneyRepr) ([]byte, error) { return (*Money)(p).MarshalJSON() }),
		UnmarshalJSON: reflect.ValueOf(func(p *moneyRepr, b []byte) error { return (*Money)(p).UnmarshalJSON(b) }),
	})
}

// TestMarshalerMethodsSet: values whose reflect type lacks the methods
// (the interpreter's) are encoded and decoded through the functions
// SetMethods gave, as the compiled type's methods would; without them,
// the plan is refused rather than written otherwise.
func TestMarshalerMethodsSet(t *testing.T) {
	t.Parallel()
	const sig = "(id Token, byID map[Token]Money) (Token, []Money, error)"
	type fn = func(tokenRepr, map[tokenRepr]moneyRepr) (tokenRepr, []moneyRepr, error)
	c := wire.NewCodec()
	reprMethods(c)
	f := marshalFunc(t, c, sig, fn(nil))

	id, m := tokenRepr{1, 2, 3, 4}, map[tokenRepr]moneyRepr{{5}: {6, "CHF"}}
	body, err := f.AppendArgs(nil, []reflect.Value{reflect.ValueOf(id), reflect.ValueOf(m)})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(struct {
		ID   Token           `json:"id"`
		ByID map[Token]Money `json:"byID"`
	}{Token(id), map[Token]Money{{5}: {6, "CHF"}}})
	if !bytes.Equal(body, want) {
		t.Errorf("AppendArgs = %s, want %s", body, want)
	}
	args, err := f.BindJSON(body)
	if err != nil {
		t.Fatal(err)
	}
	if args[0].Interface() != id || !reflect.DeepEqual(args[1].Interface(), m) {
		t.Errorf("BindJSON(%s) = %v", body, values(args))
	}
	if _, err := f.BindJSON([]byte(`{"id":"1","byID":{}}`)); err == nil || !strings.Contains(err.Error(), "invalid token length: 1") {
		t.Errorf("BindJSON of a bad id: %v, want Token's error", err)
	}
	out, err := f.AppendResults(nil, []reflect.Value{reflect.ValueOf(id), reflect.ValueOf([]moneyRepr{{1, "A"}})})
	if want := `["01020304",[{"units":1,"cur":"A"}]]`; err != nil || string(out) != want {
		t.Errorf("AppendResults = %s, %v; want %s", out, err, want)
	}

	_, err = wire.NewCodec().NewFunc(marshalPackage(t, sig).Services[0], reflect.TypeOf(fn(nil)))
	if err == nil || !strings.Contains(err.Error(), "type Token has a MarshalText method, which microfn cannot call") {
		t.Errorf("NewFunc without the methods' functions: %v, want an error", err)
	}
}

// interpWrapper stands for the interpreter's wrapper of a value of an
// interpreted type with methods, which service code stored in an any.
type interpWrapper struct{ v any }

func (w interpWrapper) PlainValue() any { return w.v }

// TestEncodeWrapperInAny: a value held in an any inside the interpreter's
// wrapper is encoded as the value itself (a struct as its fields, a type
// that encodes itself with its methods), not as the wrapper's fields.
func TestEncodeWrapperInAny(t *testing.T) {
	t.Parallel()
	c := wire.NewCodec()
	reprMethods(c)
	f := marshalFunc(t, c, "() (Money, []any)", func() (moneyRepr, []any) { return moneyRepr{}, nil })
	out, err := f.AppendResults(nil, []reflect.Value{reflect.ValueOf(moneyRepr{}), reflect.ValueOf([]any{interpWrapper{moneyRepr{2, "EUR"}}, 3})})
	if want := `[{"units":0,"cur":""},[{"units":2,"cur":"EUR"},3]]`; err != nil || string(out) != want {
		t.Errorf("AppendResults = %s, %v; want %s", out, err, want)
	}
}
