package interp_test

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"mime/multipart"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/svcrt"
)

// escape loads src (file a.go) with opts. A want of "" means the code must
// load; otherwise the load must fail with an error containing want.
func escape(t *testing.T, src string, opts interp.Options, want string) *svcrt.Package {
	t.Helper()
	pkg, err := loadFiles(t, map[string]string{"a.go": src}, opts, nil)
	switch {
	case want == "" && err != nil:
		t.Fatalf("load: %v", lines(err))
	case want != "" && err == nil:
		t.Fatalf("the code loaded, want the load error %q", want)
	case want != "" && !strings.Contains(lines(err), want):
		t.Fatalf("load error:\n%v\nwant one containing %q", lines(err), want)
	}
	return pkg
}

// secretFile writes a file with a known content in a new directory.
func secretFile(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "secret.txt")
	if err := os.WriteFile(path, []byte("the secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

// TestSandboxFileSystem: the template packages, go/parser and archive/zip
// read no file without --allow os.
func TestSandboxFileSystem(t *testing.T) {
	t.Parallel()
	dir, secret := secretFile(t)
	tests := []struct {
		name, src, want string
	}{
		{"text/template.ParseFiles", `package a

import "text/template"

//microfn:service
func Read(path string) (string, error) {
	t, err := template.ParseFiles(path)
	if err != nil {
		return "", err
	}
	return t.Tree.Root.String(), nil
}
`, "a.go:7:21: text/template.ParseFiles is outside microfn's sandbox (it reads the file system): allow it with --allow os"},
		{"text/template.ParseGlob", `package a

import tt "text/template"

//microfn:service
func Read(path string) (string, error) {
	t, err := tt.ParseGlob(path)
	if err != nil {
		return "", err
	}
	return t.Tree.Root.String(), nil
}
`, "a.go:7:15: text/template.ParseGlob is outside microfn's sandbox (it reads the file system): allow it with --allow os"},
		{"html/template.ParseFiles", `package a

import "html/template"

//microfn:service
func Read(path string) (string, error) {
	t, err := template.ParseFiles(path)
	if err != nil {
		return "", err
	}
	return t.Tree.Root.String(), nil
}
`, "a.go:7:21: html/template.ParseFiles is outside microfn's sandbox (it reads the file system): allow it with --allow os"},
		{"html/template.ParseGlob", `package a

import "html/template"

//microfn:service
func Read(path string) (string, error) {
	t, err := template.ParseGlob(path)
	if err != nil {
		return "", err
	}
	return t.Tree.Root.String(), nil
}
`, "a.go:7:21: html/template.ParseGlob is outside microfn's sandbox (it reads the file system): allow it with --allow os"},
		{"text/template Template.ParseFiles", `package a

import "text/template"

//microfn:service
func Read(path string) (string, error) {
	t, err := template.New("x").ParseFiles(path)
	if err != nil {
		return "", err
	}
	return t.Lookup("secret.txt").Tree.Root.String(), nil
}
`, "a.go:7:30: text/template.Template.ParseFiles is outside microfn's sandbox (it reads the file system): allow it with --allow os"},
		{"html/template Template.ParseGlob method value", `package a

import "html/template"

//microfn:service
func Read(path string) (string, error) {
	parse := template.New("x").ParseGlob
	t, err := parse(path)
	if err != nil {
		return "", err
	}
	return t.Lookup("secret.txt").Tree.Root.String(), nil
}
`, "a.go:7:29: html/template.Template.ParseGlob is outside microfn's sandbox (it reads the file system): allow it with --allow os"},
		{"text/template dot import", `package a

import . "text/template"

//microfn:service
func Read(path string) (string, error) {
	t, err := ParseFiles(path)
	if err != nil {
		return "", err
	}
	return t.Tree.Root.String(), nil
}
`, "a.go:7:12: text/template.ParseFiles is outside microfn's sandbox (it reads the file system): allow it with --allow os"},
		{"go/parser.ParseFile without source", `package a

import (
	"go/parser"
	"go/token"
)

//microfn:service
func Read(path string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
	if err != nil {
		return "", err
	}
	return f.Name.Name, nil
}
`, "a.go:10:55: go/parser.ParseFile with a nil src is outside microfn's sandbox (it reads the file system): pass the source, or allow it with --allow os"},
		{"go/parser.ParseDir", `package a

import (
	"go/parser"
	"go/token"
)

//microfn:service
func Read(path string) (int, error) {
	pkgs, err := parser.ParseDir(token.NewFileSet(), path, nil, 0)
	return len(pkgs), err
}
`, "a.go:10:22: go/parser.ParseDir is outside microfn's sandbox (it reads the file system): allow it with --allow os"},
		{"archive/zip.OpenReader", `package a

import "archive/zip"

//microfn:service
func Read(path string) (string, error) {
	_, err := zip.OpenReader(path)
	return fmt.Sprint(err), nil
}
`, "a.go:7:16: archive/zip.OpenReader is outside microfn's sandbox (it reads the file system): allow it with --allow os"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := strings.Replace(tc.src, `import "archive/zip"`, "import (\n\t\"archive/zip\"\n\t\"fmt\"\n)", 1)
			if src != tc.src {
				// The import block moved the call down by three lines.
				tc.want = strings.Replace(tc.want, "a.go:7:", "a.go:10:", 1)
			}
			escape(t, src, interp.Options{}, tc.want)
			// --allow os gives it back.
			pkg := escape(t, src, interp.Options{Allow: []string{"os"}}, "")
			arg := secret
			if strings.Contains(tc.name, "Glob") {
				arg = filepath.Join(dir, "*.txt")
			}
			if strings.Contains(tc.name, "ParseDir") || strings.Contains(tc.name, "zip") {
				mustInvoke(t, service(t, pkg, "Read"), fmt.Sprintf(`{"path": %q}`, dir))
				return
			}
			if strings.Contains(tc.name, "go/parser.ParseFile") {
				// The parse error shows the file's first token.
				if _, err := invoke(t, t.Context(), service(t, pkg, "Read"), fmt.Sprintf(`{"path": %q}`, arg)); err == nil || !strings.Contains(err.Error(), "found the") {
					t.Errorf("with --allow os: %v, want the parse error of the file", err)
				}
				return
			}
			if got := mustInvoke(t, service(t, pkg, "Read"), fmt.Sprintf(`{"path": %q}`, arg)); !strings.Contains(got, "the secret") && !strings.Contains(got, `"the"`) {
				t.Errorf("with --allow os: %s, want the file's content", got)
			}
		})
	}
}

// TestSandboxParseFileSource: go/parser.ParseFile with a source keeps
// working, and a nil source the type checker cannot see is an error at run
// time.
func TestSandboxParseFileSource(t *testing.T) {
	t.Parallel()
	_, secret := secretFile(t)
	pkg := escape(t, `package a

import (
	"go/parser"
	"go/token"
)

//microfn:service
func Name(src string) (string, error) {
	f, err := parser.ParseFile(token.NewFileSet(), "x.go", src, 0)
	if err != nil {
		return "", err
	}
	return f.Name.Name, nil
}

//microfn:service
func Read(path string) (string, error) {
	var src any
	f, err := parser.ParseFile(token.NewFileSet(), path, src, 0)
	if err != nil {
		return "", err
	}
	return f.Name.Name, nil
}
`, interp.Options{}, "")
	if got := mustInvoke(t, service(t, pkg, "Name"), `{"src": "package hello"}`); got != `"hello"` {
		t.Errorf("Name = %s, want \"hello\"", got)
	}
	if err := os.WriteFile(secret, []byte("package secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := invoke(t, t.Context(), service(t, pkg, "Read"), fmt.Sprintf(`{"path": %q}`, secret))
	if err == nil || !strings.Contains(err.Error(), "go/parser.ParseFile with a nil src is outside microfn's sandbox") {
		t.Errorf("Read: %v, want the sandbox's error", err)
	}
}

// TestSandboxNetwork: net/textproto.Dial opens no connection without
// --allow net.
func TestSandboxNetwork(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan struct{}, 10)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			accepted <- struct{}{}
			c.Close()
		}
	}()
	src := `package a

import "net/textproto"

//microfn:service
func Dial(addr string) (string, error) {
	c, err := textproto.Dial("tcp", addr)
	if err != nil {
		return "", err
	}
	c.Close()
	return "connected", nil
}
`
	escape(t, src, interp.Options{}, "a.go:7:22: net/textproto.Dial is outside microfn's sandbox (it opens network connections): allow it with --allow net")
	pkg := escape(t, src, interp.Options{Allow: []string{"net"}}, "")
	if got := mustInvoke(t, service(t, pkg, "Dial"), fmt.Sprintf(`{"addr": %q}`, ln.Addr())); got != `"connected"` {
		t.Errorf("with --allow net: %s", got)
	}
}

// TestSandboxRawMemory: reflect.NewAt and the reflect functions that hand
// out unsafe.Pointer values need --unrestricted; --allow reflect is not
// enough.
func TestSandboxRawMemory(t *testing.T) {
	t.Parallel()
	src := `package a

import "reflect"

//microfn:service
func Peek() int64 {
	x := [2]int64{1, 42}
	p := reflect.ValueOf(&x[0]).UnsafePointer()
	return reflect.NewAt(reflect.TypeOf(x), p).Elem().Index(1).Int()
}
`
	for _, opts := range []interp.Options{{}, {Allow: []string{"reflect", "os", "net"}}} {
		escape(t, src, opts, "a.go:8:30: reflect.Value.UnsafePointer is outside microfn's sandbox (it hands out raw memory addresses as unsafe.Pointer): it needs --unrestricted")
	}
	escape(t, strings.Replace(src, "p := reflect.ValueOf(&x[0]).UnsafePointer()", "var p = reflect.Value.UnsafePointer(reflect.ValueOf(&x[0]))", 1), interp.Options{},
		"a.go:8:24: reflect.Value.UnsafePointer is outside microfn's sandbox")
	escape(t, src, interp.Options{}, "a.go:9:17: reflect.NewAt is outside microfn's sandbox (it reads and writes raw memory): it needs --unrestricted")
	pkg := escape(t, src, interp.Options{Unrestricted: true}, "")
	if got := mustInvoke(t, service(t, pkg, "Peek"), ""); got != "42" {
		t.Errorf("unrestricted Peek = %s", got)
	}
}

// TestSandboxHostVariables: assigning a variable of the host's standard
// library, or taking its address, is a load error; reading it works.
func TestSandboxHostVariables(t *testing.T) {
	// Not parallel: before the sandbox protected them, loading this code
	// replaced the test process's crypto/rand.Reader.
	saved := rand.Reader
	t.Cleanup(func() { rand.Reader = saved })
	tests := []struct {
		name string
		src  string
		opts interp.Options
		want string
	}{
		{"crypto/rand.Reader", `package a

import "crypto/rand"

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func init() { rand.Reader = zeroReader{} }
`, interp.Options{}, "a.go:9:15: rand.Reader is a variable of the host's crypto/rand: service code cannot assign it"},
		{"dot import", `package a

import . "crypto/rand"

func init() { Reader = nil }
`, interp.Options{}, "a.go:5:15: Reader is a variable of the host's crypto/rand: service code cannot assign it"},
		{"address", `package a

import (
	"crypto/rand"
	"io"
)

func init() {
	p := &rand.Reader
	*p = io.MultiReader()
}
`, interp.Options{}, "a.go:9:8: rand.Reader is a variable of the host's crypto/rand: service code cannot take its address"},
		{"inside a table", `package a

import "unicode"

func init() { unicode.Upper.R16[0].Lo++ }
`, interp.Options{}, "a.go:5:15: unicode.Upper is a variable of the host's unicode: service code cannot change it"},
		{"map element", `package a

import "encoding/xml"

func init() { delete(xml.HTMLEntity, "amp") }
`, interp.Options{}, "a.go:5:22: xml.HTMLEntity is a variable of the host's encoding/xml: service code cannot change it"},
		{"through a pointer", `package a

import "time"

func init() { *time.UTC = *time.FixedZone("x", 3600) }
`, interp.Options{}, "a.go:5:16: time.UTC is a variable of the host's time: service code cannot change it"},
		{"an alias of a shared location", `package a

import "time"

func init() {
	loc := time.UTC
	*loc = *time.FixedZone("x", 3600)
}
`, interp.Options{}, "a.go:7:2: assignment through a *time.Location: the host shares its locations (time.UTC, time.Local) with every package"},
		{"http.DefaultClient", `package a

import "net/http"

func init() { http.DefaultClient = nil }
`, interp.Options{Allow: []string{"net/http"}}, "a.go:5:15: http.DefaultClient is a variable of the host's net/http: service code cannot assign it"},
		{"os.Args", `package a

import "os"

func init() { os.Args = nil }
`, interp.Options{Allow: []string{"os"}}, "a.go:5:15: os.Args is a variable of the host's os: service code cannot assign it"},
		{"reading", `package a

import (
	"crypto/rand"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode"
)

//microfn:service
func Read() (string, error) {
	var b [8]byte
	if _, err := io.ReadFull(rand.Reader, b[:]); err != nil {
		return "", err
	}
	_, err := io.ReadAll(io.LimitReader(strings.NewReader(""), 1))
	_, eof := strings.NewReader("").Read(b[:])
	t := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	return fmt.Sprint(b != [8]byte{}, err == nil, eof == io.EOF, errors.Is(eof, io.EOF), t.UTC().Location() == time.UTC,
		http.StatusOK, unicode.Is(unicode.Upper, 'A'), unicode.In('x', unicode.Upper)), nil
}
`, interp.Options{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(tc.src, "\t\"errors\"\n", "\t\"errors\"\n\t\"fmt\"\n", 1)
			pkg := escape(t, src, tc.opts, tc.want)
			if rand.Reader != saved {
				t.Fatalf("loading the code replaced the host's crypto/rand.Reader")
			}
			if pkg != nil {
				if got := mustInvoke(t, service(t, pkg, "Read"), ""); got != `"true true true true true 200 true false"` {
					t.Errorf("Read = %s", got)
				}
			}
		})
	}
}

// TestSandboxTempFiles: mime/multipart's ReadForm, which stores big parts
// in the server's temporary directory, needs --allow os.
func TestSandboxTempFiles(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	f, err := w.CreateFormFile("f", "f.bin")
	if err != nil {
		t.Fatal(err)
	}
	f.Write(bytes.Repeat([]byte("x"), 1<<16))
	w.Close()
	src := `package a

import (
	"mime/multipart"
	"strings"
)

//microfn:service
func Upload(body, boundary string) (int, error) {
	form, err := multipart.NewReader(strings.NewReader(body), boundary).ReadForm(0)
	if err != nil {
		return 0, err
	}
	return len(form.File), nil
}
`
	escape(t, src, interp.Options{}, "a.go:10:70: mime/multipart.Reader.ReadForm is outside microfn's sandbox (it writes temporary files on the server): allow it with --allow os")
	entries, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Fatalf("temporary files left: %v", entries)
	}
	pkg := escape(t, src, interp.Options{Allow: []string{"os"}}, "")
	if got := mustInvoke(t, service(t, pkg, "Upload"), fmt.Sprintf(`{"body": %q, "boundary": %q}`, body.String(), w.Boundary())); got != "1" {
		t.Errorf("with --allow os: %s", got)
	}
}

// TestSandboxReflection: a value through which reflection could call an
// excluded method cannot become an interface value: text/template calls
// the methods of its data by name, and reflect.Value.MethodByName any.
func TestSandboxReflection(t *testing.T) {
	t.Parallel()
	_, secret := secretFile(t)
	const reach = " in service code: reflection (text/template executing methods by name, reflect.Value.MethodByName) could then call text/template.Template.ParseFiles, which is outside microfn's sandbox (it reads the file system): allow it with --allow os"
	tests := []struct {
		name, body, extra, want string
	}{
		{"template as the data of a template", `
	var b strings.Builder
	err := template.Must(template.New("t").Parse(src)).Execute(&b, template.New("x"))
	return b.String(), err`, "", "a.go:13:65: *text/template.Template cannot be converted to any" + reach},
		{"reflect.ValueOf", `
	out := reflect.ValueOf(template.New("x")).MethodByName("ParseFiles").Call([]reflect.Value{reflect.ValueOf(src)})
	return fmt.Sprint(out[1]), nil`, "", "a.go:12:25: *text/template.Template cannot be converted to any" + reach},
		{"in an exported field", `
	var b strings.Builder
	err := template.Must(template.New("t").Parse(src)).Execute(&b, page{T: template.New("x")})
	return b.String(), err`, "", "a.go:13:65: page cannot be converted to any" + reach},
		{"in an unexported field, by its reflect.Type", `
	typ := reflect.TypeOf(hidden{}).Field(0).Type.Elem()
	out := reflect.New(typ).MethodByName("ParseFiles").Call([]reflect.Value{reflect.ValueOf(src)})
	return fmt.Sprint(out[1]), nil`, "", "a.go:12:24: hidden cannot be converted to any" + reach},
		{"a function returning one", `
	var b strings.Builder
	err := template.Must(template.New("t").Funcs(template.FuncMap{"new": template.New}).Parse(src)).Execute(&b, nil)
	return b.String(), err`, "", "a.go:13:71: func(name string) *text/template.Template cannot be converted to any" + reach},
		{"an interface variable", `
	var x any
	x = template.New("x")
	return fmt.Sprint(x), nil`, "", "a.go:13:6: *text/template.Template cannot be converted to any" + reach},
		{"an interface with its method", `
	var x interface {
		ParseFiles(...string) (*template.Template, error)
	} = template.New("x")
	return fmt.Sprint(x), nil`, "", "a.go:14:6: *text/template.Template cannot be converted to interface{ParseFiles(...string) (*text/template.Template, error)}" + reach},
		{"a type argument", `
	return show(template.New("x")), nil`, "", "a.go:12:9: *text/template.Template cannot be a type argument of show" + reach},
		{"returned as any", `
	return fmt.Sprint(get()), nil`, `
func get() any { return template.New("x") }`, "a.go:28:25: *text/template.Template cannot be converted to any" + reach},
		{"a panic", `
	defer func() { recover() }()
	panic(template.New("x"))`, "", "a.go:13:8: *text/template.Template cannot be converted to any" + reach},
		{"a map key", `
	m := map[any]int{}
	m[template.New("x")] = 1
	return fmt.Sprint(len(m)), nil`, "", "a.go:13:4: *text/template.Template cannot be converted to any" + reach},
		{"a channel", `
	c := make(chan any, 1)
	c <- template.New("x")
	return fmt.Sprint(len(c)), nil`, "", "a.go:13:7: *text/template.Template cannot be converted to any" + reach},
		{"a slice element", `
	return fmt.Sprint(len([]any{1, template.New("x")})), nil`, "", "a.go:12:33: *text/template.Template cannot be converted to any" + reach},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := `package a

import (
	"fmt"
	"reflect"
	"strings"
	"text/template"
)

//microfn:service
func Read(src string) (string, error) {` + tc.body + `
}

type page struct{ T *template.Template }

type hidden struct{ t *template.Template }

func show[T any](x T) string { return fmt.Sprint(x) }

var (
	_ = page{}
	_ = hidden{}
	_ = reflect.TypeOf
	_ = strings.ToUpper
)
` + tc.extra
			escape(t, src, interp.Options{}, tc.want)
			// With --allow os, the data template reads the file.
			if tc.name == "template as the data of a template" {
				pkg := escape(t, src, interp.Options{Allow: []string{"os"}}, "")
				tmpl := fmt.Sprintf(`{{with .ParseFiles %q}}{{(.Lookup "secret.txt").Tree.Root}}{{end}}`, secret)
				if got := mustInvoke(t, service(t, pkg, "Read"), fmt.Sprintf(`{"src": %q}`, tmpl)); got != `"the secret"` {
					t.Errorf("with --allow os: %s", got)
				}
			}
		})
	}
}

// TestSandboxReflectionAllowed: values of the sandbox's types still become
// interface values where nothing excluded is in reach.
func TestSandboxReflectionAllowed(t *testing.T) {
	t.Parallel()
	pkg := escape(t, `package a

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"reflect"
	"strings"
	"text/template"
	"time"
)

type row struct {
	Name string
	When time.Time
}

//microfn:service
func Render() (string, error) {
	var b strings.Builder
	t := template.Must(template.New("t").Parse("{{.Name}} {{.When.Year}} {{len .}}"))
	_ = t
	t = template.Must(template.New("t").Parse("{{.Name}} {{.When.Year}}"))
	if err := t.Execute(&b, row{Name: "x", When: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		return "", err
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	fw, _ := w.CreateFormFile("f", "f.txt")
	io.WriteString(fw, "content")
	w.Close()
	p, err := multipart.NewReader(&body, w.Boundary()).NextPart()
	if err != nil {
		return "", err
	}
	var got bytes.Buffer
	io.Copy(&got, p)
	return fmt.Sprint(b.String(), " ", got.String(), " ", reflect.TypeOf(1), " ", reflect.ValueOf(row{}).NumField()), nil
}
`, interp.Options{}, "")
	if got := mustInvoke(t, service(t, pkg, "Render"), ""); got != `"x 2024 content int 2"` {
		t.Errorf("Render = %s", got)
	}
}

// TestSandboxVariableCopies: what the type checker cannot see (an alias, a
// reflective write) changes the interpreter's copy of a host variable, not
// the host's.
func TestSandboxVariableCopies(t *testing.T) {
	t.Parallel()
	pkg := escape(t, `package a

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"unicode"
)

//microfn:service
func Change() string {
	e := base64.StdEncoding
	*e = *base64.URLEncoding
	reflect.ValueOf(unicode.Upper).Elem().FieldByName("R16").Index(0).FieldByName("Lo").SetUint('B')
	return fmt.Sprint(base64.StdEncoding.EncodeToString([]byte{0xfb, 0xff}), " ", unicode.Is(unicode.Upper, 'A'))
}
`, interp.Options{}, "")
	if got := mustInvoke(t, service(t, pkg, "Change"), ""); got != `"-_8= false"` {
		t.Errorf("Change = %s, want the interpreter's copies changed", got)
	}
	if got := base64.StdEncoding.EncodeToString([]byte{0xfb, 0xff}); got != "+/8=" {
		t.Errorf("the host's base64.StdEncoding changed: %s", got)
	}
	if !unicode.Is(unicode.Upper, 'A') {
		t.Errorf("the host's unicode.Upper changed")
	}
}

// TestSandboxAllowPackage: --allow P gives all of P but raw memory;
// *slog.Default() cannot be overwritten.
func TestSandboxAllowPackage(t *testing.T) {
	t.Parallel()
	escape(t, `package a

import "text/template"

var _ = template.ParseFiles
`, interp.Options{Allow: []string{"text/template"}}, "")
	escape(t, `package a

import "log"

var _ = log.Default
`, interp.Options{}, "a.go:5:13: log.Default is outside microfn's sandbox (it is the host's standard logger, shared by every package: its Fatal ends the process and its SetOutput redirects everyone's log): allow it with --allow log")
	escape(t, `package a

import "log"

var _ = log.Default
`, interp.Options{Allow: []string{"log"}}, "")
	escape(t, `package a

import "log/slog"

func init() {
	l := slog.Default()
	*l = *slog.New(slog.NewTextHandler(nil, nil))
}
`, interp.Options{Allow: []string{"log/slog"}}, "a.go:7:2: assignment through a *log/slog.Logger: the host shares its default logger (slog.Default()) with every package")
}

// reflectMethodsSrc is the package of TestReflectMethodsRefused: a type
// with a method, interfaces and generic code through which a reflect
// value's Method, MethodByName, NumMethod and Implements can be reached,
// and the body of the service S from line 42 on.
const reflectMethodsSrc = `package a

import (
	"fmt"
	"reflect"
	"time"
)

type T struct{ n int }

func (t T) Get() int { return t.n }

type Plain struct{ A int }

type MB interface {
	MethodByName(string) (reflect.Method, bool)
}

type NM interface{ NumMethod() int }

type RT interface{ reflect.Type }

type Holder struct{ reflect.Type }

type Box[X NM] struct{ x X }

func (b Box[X]) N() int { return b.x.NumMethod() }

func num[X NM](x X) int { return x.NumMethod() }

type Own struct{}

func (Own) NumMethod() int { return 7 }

var _ = time.Second
var _ = fmt.Sprint

//microfn:service
func S() string {
	t := T{1}
	_ = t
`

// TestReflectMethodsRefused: every way to reach Method, MethodByName,
// NumMethod or Implements of a reflect.Type or reflect.Value that
// describes a type of the package (whose methods the interpreter's
// reflect types lack) is a load error at its position; reflection on the
// methods of other types loads and answers as in Go.
func TestReflectMethodsRefused(t *testing.T) {
	t.Parallel()
	const refused = "reflection cannot see the methods of T, a type declared in the package"
	tests := []struct {
		name, body, want string
	}{
		{"call", `	return fmt.Sprint(reflect.TypeOf(t).NumMethod())`, "a.go:42:38: " + refused},
		{"PointerTo", `	_, ok := reflect.PointerTo(reflect.TypeOf(t)).MethodByName("Get")
	return fmt.Sprint(ok)`, "a.go:42:48: " + refused},
		{"New and Addr", `	n := reflect.New(reflect.TypeOf(t)).NumMethod()
	m := reflect.ValueOf(&t).Elem().Addr().NumMethod()
	return fmt.Sprint(n, m)`, "a.go:42:38: " + refused},
		{"method value", `	f := reflect.TypeOf(t).NumMethod
	return fmt.Sprint(f())`, "a.go:42:25: " + refused},
		{"method expression called", `	_, ok := reflect.Type.MethodByName(reflect.TypeOf(t), "Get")
	return fmt.Sprint(ok)`, "a.go:42:24: " + refused},
		{"method expression of Value called", `	return fmt.Sprint(reflect.Value.NumMethod(reflect.ValueOf(t)))`, "a.go:42:34: " + refused},
		{"method expression as a value", `	f := reflect.Type.NumMethod
	return fmt.Sprint(f(reflect.TypeOf(0)))`, "a.go:42:20: reflect.Type.NumMethod as a method expression"},
		{"in an interface variable", `	var m MB = reflect.TypeOf(t)
	_, ok := m.MethodByName("Get")
	return fmt.Sprint(ok)`, "a.go:43:13: " + refused},
		{"asserted from any", `	var x any = reflect.TypeOf(t)
	_, ok := x.(MB).MethodByName("Get")
	return fmt.Sprint(ok)`, "a.go:43:18: " + refused},
		{"converted to an interface", `	return fmt.Sprint(NM(reflect.TypeOf(t)).NumMethod())`, "a.go:42:42: " + refused},
		{"an interface embedding reflect.Type", `	var r RT = reflect.TypeOf(t)
	return fmt.Sprint(r.NumMethod())`, "a.go:43:22: " + refused},
		{"Implements", `	s := reflect.TypeOf((*fmt.Stringer)(nil)).Elem()
	return fmt.Sprint(reflect.TypeOf(t).Implements(s))`, "a.go:43:38: " + refused},
		{"type argument of a generic function", `	return fmt.Sprint(num(reflect.TypeOf(0)))`, "a.go:42:20: reflect.Type cannot be a type argument of num: its constraint has NumMethod"},
		{"type argument of a generic type", `	return fmt.Sprint(Box[reflect.Value]{reflect.ValueOf(t)}.N())`, "a.go:42:20: reflect.Value cannot be a type argument of Box: its constraint has NumMethod"},
		{"type argument embedding reflect.Type", `	return fmt.Sprint(num(Holder{reflect.TypeOf(t)}))`, "a.go:42:20: Holder cannot be a type argument of num: its constraint has NumMethod"},
		// Allowed: what reflection answers as in Go.
		{"a binary type", `	_, ok := reflect.TypeOf(time.Second).MethodByName("String")
	return fmt.Sprint(reflect.TypeOf(time.Time{}).NumMethod() > 0, ok)`, ""},
		{"a type without methods", `	return fmt.Sprint(reflect.TypeOf(Plain{}).NumMethod(), reflect.PointerTo(reflect.TypeOf(Plain{})).NumMethod())`, ""},
		{"a method of the package's own", `	var n NM = Own{}
	return fmt.Sprint(n.NumMethod(), num(Own{}), Box[Own]{}.N())`, ""},
		{"an interface value of unknown origin", `	var m MB
	if m != nil {
		m.MethodByName("Get")
	}
	return "ok"`, ""},
	}
	want := map[string]string{
		"a binary type":                        "true true",
		"a type without methods":               "0 0",
		"a method of the package's own":        "7 7 7",
		"an interface value of unknown origin": "ok",
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pkg := escape(t, reflectMethodsSrc+tc.body+"\n}\n", interp.Options{}, tc.want)
			if tc.want != "" {
				return
			}
			if got, w := mustInvoke(t, service(t, pkg, "S"), ""), fmt.Sprintf("%q", want[tc.name]); got != w {
				t.Errorf("S() = %s, want %s", got, w)
			}
		})
	}
}
