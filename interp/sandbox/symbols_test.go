package sandbox

import (
	"crypto/rand"
	"encoding/base64"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode"

	yaegi "github.com/traefik/yaegi/interp"
)

// stdSet returns the standard library of Symbols.
func stdSet(t *testing.T, unrestrictedMode bool, allow ...string) yaegi.Exports {
	t.Helper()
	std := yaegi.Exports{}
	for _, set := range Symbols(unrestrictedMode, allow, nil) {
		for k, v := range set {
			std[k] = v
		}
	}
	return std
}

// TestSymbolSetsExclude: the interpreter is never given an excluded name,
// unless the options give it back.
func TestSymbolSetsExclude(t *testing.T) {
	t.Parallel()
	has := func(std yaegi.Exports, key, name string) bool {
		_, ok := std[key][name]
		return ok
	}
	tests := []struct {
		key, name string
		allow     []string
		unres     bool
		want      bool
	}{
		{"text/template/template", "ParseFiles", nil, false, false},
		{"text/template/template", "ParseFiles", []string{"os"}, false, true},
		{"text/template/template", "ParseFiles", []string{"text/template"}, false, true},
		{"text/template/template", "ParseFiles", []string{"net"}, false, false},
		{"text/template/template", "New", nil, false, true},
		{"html/template/template", "ParseGlob", nil, false, false},
		{"archive/zip/zip", "OpenReader", nil, false, false},
		{"net/textproto/textproto", "Dial", nil, false, false},
		{"net/textproto/textproto", "Dial", []string{"os"}, false, false},
		{"net/textproto/textproto", "Dial", []string{"net"}, false, true},
		{"reflect/reflect", "NewAt", nil, false, false},
		{"reflect/reflect", "NewAt", []string{"reflect", "os", "net"}, false, false},
		{"reflect/reflect", "NewAt", nil, true, true},
		{"sync/atomic/atomic", "LoadPointer", nil, false, false},
		{"log/log", "Default", nil, false, false},
		{"log/log", "Default", []string{"log"}, false, true},
		{"net/http/http", "Get", nil, false, false},
		{"net/http/http", "Get", []string{"net"}, false, false},
		{"net/http/http", "Get", []string{"net/http"}, false, true},
		{"net/http/http", "StatusNotFound", nil, false, true},
		{"os/os", "ReadFile", nil, false, false},
		{"os/os", "ReadFile", []string{"os"}, false, true},
	}
	for _, tc := range tests {
		if got := has(stdSet(t, tc.unres, tc.allow...), tc.key, tc.name); got != tc.want {
			t.Errorf("%s.%s with allow %v, unrestricted %v: given %v, want %v", tc.key, tc.name, tc.allow, tc.unres, got, tc.want)
		}
	}
}

// TestSymbolSetsGuard: the interpreter's go/parser.ParseFile refuses a nil
// src, and parses one it is given.
func TestSymbolSetsGuard(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "x.go")
	if err := os.WriteFile(path, []byte("package secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	parse := stdSet(t, false)["go/parser/parser"]["ParseFile"].Interface().(func(*token.FileSet, string, any, parser.Mode) (*ast.File, error))
	if _, err := parse(token.NewFileSet(), path, nil, 0); err == nil || !strings.Contains(err.Error(), "go/parser.ParseFile with a nil src is outside microfn's sandbox (it reads the file system): pass the source, or allow it with --allow os") {
		t.Errorf("ParseFile(nil src): %v", err)
	}
	if f, err := parse(token.NewFileSet(), path, "package given", 0); err != nil || f.Name.Name != "given" {
		t.Errorf("ParseFile(src): %v, %v", f, err)
	}
	expr := stdSet(t, false)["go/parser/parser"]["ParseExprFrom"].Interface().(func(*token.FileSet, string, any, parser.Mode) (ast.Expr, error))
	if _, err := expr(token.NewFileSet(), path, nil, 0); err == nil || !strings.Contains(err.Error(), "outside microfn's sandbox") {
		t.Errorf("ParseExprFrom(nil src): %v", err)
	}
	real := stdSet(t, false, "os")["go/parser/parser"]["ParseFile"]
	if real.Pointer() != reflect.ValueOf(parser.ParseFile).Pointer() {
		t.Errorf("with --allow os the interpreter does not get go/parser.ParseFile itself")
	}
}

// TestSymbolSetsVariables: each call gives the interpreter copies of the
// host's variables, deep for plain data; errors and time.UTC keep the
// host's values; with --unrestricted they are the host's variables.
func TestSymbolSetsVariables(t *testing.T) {
	t.Parallel()
	std := stdSet(t, false, "net/http")
	reader := std["crypto/rand/rand"]["Reader"]
	if reader.Addr().Pointer() == reflect.ValueOf(&rand.Reader).Pointer() {
		t.Errorf("crypto/rand.Reader is the host's variable")
	}
	if reader.Interface() != rand.Reader {
		t.Errorf("crypto/rand.Reader holds %v, want the host's %v", reader.Interface(), rand.Reader)
	}
	if std2 := stdSet(t, false); std2["crypto/rand/rand"]["Reader"].Addr().Pointer() == reader.Addr().Pointer() {
		t.Errorf("two interpreters share a variable")
	}
	if eof := std["io/io"]["EOF"].Interface(); eof != io.EOF {
		t.Errorf("io.EOF is a copy: %v", eof)
	}
	if utc := std["time/time"]["UTC"].Interface(); utc != time.UTC {
		t.Errorf("time.UTC is a copy")
	}
	if nf := std["net/http/http"]["ErrNotSupported"]; !nf.IsValid() {
		t.Errorf("net/http.ErrNotSupported missing with --allow net/http")
	}
	upper := std["unicode/unicode"]["Upper"].Interface().(*unicode.RangeTable)
	if upper == unicode.Upper {
		t.Errorf("unicode.Upper is the host's table")
	}
	if !unicode.Is(upper, 'A') || unicode.Is(upper, 'a') {
		t.Errorf("the copy of unicode.Upper is not the same table")
	}
	if lu := std["unicode/unicode"]["Categories"].Interface().(map[string]*unicode.RangeTable)["Lu"]; lu != upper {
		t.Errorf("unicode.Categories[\"Lu\"] is not the interpreter's unicode.Upper")
	}
	enc := std["encoding/base64/base64"]["StdEncoding"].Interface().(*base64.Encoding)
	if enc == base64.StdEncoding || enc.EncodeToString([]byte("hi?")) != base64.StdEncoding.EncodeToString([]byte("hi?")) {
		t.Errorf("base64.StdEncoding: not a working copy")
	}
	if v := stdSet(t, true)["crypto/rand/rand"]["Reader"]; v.Addr().Pointer() != reflect.ValueOf(&rand.Reader).Pointer() {
		t.Errorf("with --unrestricted crypto/rand.Reader is not the host's variable")
	}
}

// TestSymbolsNeed: with a need function, the packages it names are given
// whole, the others only their interface wrappers, in both modes; the
// wrapper map is always given.
func TestSymbolsNeed(t *testing.T) {
	t.Parallel()
	need := func(p string) bool { return p == "fmt" || p == "os" }
	for _, unres := range []bool{false, true} {
		got := yaegi.Exports{}
		for _, set := range Symbols(unres, nil, need) {
			for k, v := range set {
				got[k] = v
			}
		}
		all := stdSet(t, unres)
		for _, key := range []string{"fmt/fmt", "os/os"} {
			if len(got[key]) == 0 || len(got[key]) != len(all[key]) {
				t.Errorf("unrestricted=%v: %s has %d names, want all %d", unres, key, len(got[key]), len(all[key]))
			}
		}
		if _, ok := got["."]; !ok {
			t.Errorf("unrestricted=%v: the wrapper map is missing", unres)
		}
		if _, ok := got["encoding/json/json"]["Marshal"]; ok {
			t.Errorf("unrestricted=%v: encoding/json.Marshal given, though not needed", unres)
		}
		if _, ok := got["encoding/json/json"]["_Marshaler"]; !ok {
			t.Errorf("unrestricted=%v: the wrapper of encoding/json.Marshaler is missing", unres)
		}
		if _, ok := got["strings/strings"]; ok {
			t.Errorf("unrestricted=%v: strings given, though not needed and without interfaces", unres)
		}
	}
}
