package server_test

import (
	"crypto/hkdf"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha3"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// stdlibSource uses the generic functions and the packages of the
// standard library of Go 1.23 to 1.26, and ranges over functions.
const stdlibSource = `package std

import (
	"cmp"
	"crypto/hkdf"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha3"
	"encoding/hex"
	"iter"
	"maps"
	"slices"
	"strings"
	"sync/atomic"
	"unique"
)

type Person struct {
	Name string ` + "`json:\"name\"`" + `
	Age  int    ` + "`json:\"age\"`" + `
}

var byName atomic.Pointer[string]

// names is computed when the package loads.
var names = slices.Sorted(maps.Keys(map[string]bool{"b": true, "a": true}))

func evens(n int) iter.Seq[int] {
	return func(yield func(int) bool) {
		for i := 0; i < n; i += 2 {
			if !yield(i) {
				return
			}
		}
	}
}

//microfn:service
func Sorted(xs []int) []int { slices.Sort(xs); return xs }

//microfn:service
func Keys(m map[string]int) []string { return slices.Sorted(maps.Keys(m)) }

//microfn:service
func Oldest(ps []Person) Person {
	return slices.MaxFunc(ps, func(a, b Person) int { return cmp.Compare(a.Age, b.Age) })
}

//microfn:service
func Evens(n int) []int {
	var out []int
	for v := range evens(n) {
		out = append(out, v)
	}
	return out
}

//microfn:service
func Words(s string) []string { return slices.Collect(strings.FieldsSeq(s)) }

//microfn:service
func SHA3(s string) string { sum := sha3.Sum256([]byte(s)); return hex.EncodeToString(sum[:]) }

//microfn:service
func HKDF(secret string, n int) (string, error) {
	k, err := hkdf.Key(sha256.New, []byte(secret), nil, "microfn", n)
	return hex.EncodeToString(k), err
}

//microfn:service
func PBKDF2(password string) (string, error) {
	k, err := pbkdf2.Key(sha3.New256, password, []byte("salt"), 100, 16)
	return hex.EncodeToString(k), err
}

//microfn:service
func Interned(a, b string) bool { return unique.Make(a) == unique.Make(b) }

//microfn:service
func Names(name string) ([]string, string) {
	byName.Store(&name)
	return names, *byName.Load()
}
`

// TestStdlibGenerics: a served package uses the standard library's
// generic functions and types, its packages and functions new in Go 1.23
// to 1.26, and range over functions; each service answers over HTTP what
// the compiled standard library computes.
func TestStdlibGenerics(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"std.go": stdlibSource}, server.WithQuiet(true))
	sha := sha3.Sum256([]byte("abc"))
	hk, err := hkdf.Key(sha256.New, []byte("s3cret"), nil, "microfn", 24)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := pbkdf2.Key(sha3.New256, "pw", []byte("salt"), 100, 16)
	if err != nil {
		t.Fatal(err)
	}
	quote := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	tests := []struct {
		path, body string
		status     int
		want       string
	}{
		{"/Sorted", `{"xs": [3, 1, 2]}`, 200, `[1,2,3]`},
		{"/Keys", `{"m": {"b": 2, "a": 1, "c": 3}}`, 200, `["a","b","c"]`},
		{"/Oldest", `{"ps": [{"name": "x", "age": 30}, {"name": "y", "age": 40}]}`, 200, `{"name":"y","age":40}`},
		{"/Oldest", `{"ps": []}`, 500, `slices.MaxFunc: empty list`},
		{"/Evens", `{"n": 7}`, 200, `[0,2,4,6]`},
		{"/Words", `{"s": " go  yaegi microfn "}`, 200, `["go","yaegi","microfn"]`},
		{"/SHA3", `{"s": "abc"}`, 200, quote(hex.EncodeToString(sha[:]))},
		{"/HKDF", `{"secret": "s3cret", "n": 24}`, 200, quote(hex.EncodeToString(hk))},
		{"/HKDF", `{"secret": "s3cret", "n": 100000}`, 500, `hkdf: requested key length too large`},
		{"/PBKDF2", `{"password": "pw"}`, 200, quote(hex.EncodeToString(pk))},
		{"/Interned", `{"a": "go", "b": "go"}`, 200, `true`},
		{"/Interned", `{"a": "go", "b": "Go"}`, 200, `false`},
		{"/Names", `{"name": "n"}`, 200, `[["a","b"],"n"]`},
	}
	for _, tc := range tests {
		t.Run(strings.TrimPrefix(tc.path, "/")+" "+tc.body, func(t *testing.T) {
			t.Parallel()
			r := in.Post(tc.path, tc.body)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %.300s", r.Status, tc.status, r.Body)
			}
			if tc.status == 200 && strings.TrimSpace(r.Body) != tc.want || tc.status != 200 && !strings.Contains(r.Body, tc.want) {
				t.Errorf("body %.300s, want %s", r.Body, tc.want)
			}
		})
	}
}
