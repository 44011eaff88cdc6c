package server_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
)

// echoTypes are the parameter types of the Echo services, with a JSON
// value and, where a query string spells it differently from JSON, its
// query form.
var echoTypes = []struct {
	typ   string
	value string // JSON
	query string // the query form, if not the JSON text
}{
	{"bool", `true`, "true"},
	{"int", `-42`, "-42"},
	{"int8", `-128`, "-128"},
	{"int16", `32767`, "32767"},
	{"int32", `-2147483648`, "-2147483648"},
	{"int64", `9223372036854775807`, "9223372036854775807"},
	{"uint", `42`, "42"},
	{"uint8", `255`, "255"},
	{"uint16", `65535`, "65535"},
	{"uint32", `4294967295`, "4294967295"},
	{"uint64", `18446744073709551615`, "18446744073709551615"},
	{"float32", `1.5`, "1.5"},
	{"float64", `-0.125`, "-0.125"},
	{"string", `"héllo <world> & \"you\""`, `héllo <world> & "you"`},
	{"[]byte", `"AAEC/w=="`, `"AAEC/w=="`},
	{"[]int", `[1,2,3]`, ""},
	{"[]string", `["a","b"]`, ""},
	{"[3]int", `[1,2,3]`, ""},
	{"map[string]int", `{"a":1,"b":2}`, ""},
	{"map[string][]bool", `{"x":[true,false]}`, ""},
	{"*int", `7`, "7"},
	{"Point", `{"x":1,"y":2}`, ""},
	{"*Point", `{"x":1,"y":2}`, ""},
	{"[]Point", `[{"x":1,"y":2},{"x":3,"y":4}]`, ""},
	{"map[string]Point", `{"p":{"x":1,"y":2}}`, ""},
	{"Record", `{"name":"r","z":3,"when":"2024-01-02T03:04:05Z","wait":1500000000,"tags":["a"],"ptr":null}`, ""},
	{"time.Time", `"2024-01-02T03:04:05.123Z"`, "2024-01-02T03:04:05.123Z"},
	{"time.Duration", `1500000000`, "1.5s"},
	{"any", `{"a":[1,"x",null,true]}`, ""},
	{"Celsius", `21.5`, "21.5"},
}

const echoTypesSrc = `package echo

import "time"

// Point is a point.
type Point struct {
	X int ` + "`json:\"x\"`" + `
	Y int ` + "`json:\"y\"`" + `
}

// Inner is embedded in Record.
type Inner struct {
	Z int ` + "`json:\"z\"`" + `
}

// Record has every kind of field encoding/json cares about.
type Record struct {
	Name   string ` + "`json:\"name\"`" + `
	secret string
	Inner
	When   time.Time     ` + "`json:\"when\"`" + `
	Wait   time.Duration ` + "`json:\"wait\"`" + `
	Tags   []string      ` + "`json:\"tags,omitempty\"`" + `
	Skip   int           ` + "`json:\"-\"`" + `
	Ptr    *int          ` + "`json:\"ptr\"`" + `
}

// Celsius is a temperature.
type Celsius float64
`

func echoName(i int) string { return fmt.Sprintf("Echo%d", i) }

func echoSource() string {
	var b strings.Builder
	b.WriteString(echoTypesSrc)
	for i, tc := range echoTypes {
		fmt.Fprintf(&b, "\n//microfn:service\nfunc %s(v %s) %s { return v }\n", echoName(i), tc.typ, tc.typ)
	}
	return b.String()
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(t *testing.T, a, b string) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal([]byte(a), &x); err != nil {
		t.Fatalf("bad JSON %q: %v", a, err)
	}
	if err := json.Unmarshal([]byte(b), &y); err != nil {
		t.Fatalf("bad JSON %q: %v", b, err)
	}
	return reflect.DeepEqual(x, y)
}

func TestTypesRoundTrip(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"echo.go": echoSource()})
	for i, tc := range echoTypes {
		t.Run(tc.typ, func(t *testing.T) {
			r := in.Post("/"+echoName(i), `{"v":`+tc.value+`}`)
			if r.Status != 200 || !sameJSON(t, r.Body, tc.value) {
				t.Errorf("POST %s(%s) = %d %s, want %s", tc.typ, tc.value, r.Status, r.Body, tc.value)
			}
			q := tc.query
			if q == "" {
				q = tc.value
			}
			r = in.Get("/" + echoName(i) + "?v=" + url.QueryEscape(q))
			if r.Status != 200 || !sameJSON(t, r.Body, tc.value) {
				t.Errorf("GET %s(%s) = %d %s, want %s", tc.typ, q, r.Status, r.Body, tc.value)
			}
		})
	}
}

const resultsSrc = `package results

import "errors"

type hidden struct {
	Visible int
	secret  string
}

// Secretive returns a struct with an unexported field.
//
//microfn:service
func Secretive() hidden { return hidden{Visible: 1, secret: "do not leak"} }

//microfn:service
func Nothing() {}

//microfn:service
func Two() (int, string) { return 1, "two" }

//microfn:service
func ThreeWithError(fail bool) (int, string, bool, error) {
	if fail {
		return 0, "", false, errors.New("asked to fail")
	}
	return 1, "two", true, nil
}

//microfn:service
func Variadic(xs ...int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}

//microfn:service
func Optional(p *int) string {
	if p == nil {
		return "none"
	}
	return "some"
}
`

func TestResults(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"results.go": resultsSrc})
	tests := []struct{ path, want string }{
		{"/Secretive", `{"Visible":1}`},
		{"/Nothing", `null`},
		{"/Two", `[1,"two"]`},
		{"/ThreeWithError?fail=false", `[1,"two",true]`},
		{"/Variadic?xs=1&xs=2&xs=3", `6`},
		{"/Variadic?xs=[4,5]", `9`},
		{"/Optional", `"none"`},
		{"/Optional?p=3", `"some"`},
	}
	for _, tc := range tests {
		r := in.Get(tc.path)
		if r.Status != 200 || body(r) != tc.want {
			t.Errorf("GET %s = %d %s, want %s", tc.path, r.Status, r.Body, tc.want)
		}
		if strings.Contains(r.Body, "secret") || strings.Contains(r.Body, "leak") {
			t.Errorf("GET %s leaks an unexported field: %s", tc.path, r.Body)
		}
	}
	r := in.Get("/ThreeWithError?fail=true")
	if p := problem(t, r); r.Status != 500 || !strings.Contains(p.Detail, "asked to fail") {
		t.Errorf("ThreeWithError(true) = %d %+v", r.Status, p)
	}
	r = in.Post("/Variadic", `{"xs":[1,2]}`)
	if body(r) != "3" {
		t.Errorf("POST Variadic = %d %s", r.Status, r.Body)
	}
}

func TestContextParameter(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"ctx.go": `package ctxsvc

import "context"

//microfn:service
func HasDeadline(ctx context.Context, x int) bool {
	_, ok := ctx.Deadline()
	return ok && x == 1
}
`})
	if r := in.Get("/HasDeadline?x=1"); body(r) != "true" {
		t.Fatalf("HasDeadline = %d %s, want true (the context carries the timeout)", r.Status, r.Body)
	}
	r := in.Get("/HasDeadline?x=1&ctx=2")
	if p := problem(t, r); r.Status != 400 || !strings.Contains(p.Detail, "unknown") {
		t.Errorf("ctx given as a parameter: %d %+v, want 400 unknown parameter", r.Status, p)
	}
}
