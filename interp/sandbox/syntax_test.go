package sandbox

import (
	"strings"
	"testing"
)

// TestSandboxSyntax: without type information (no Go toolchain), the
// sandbox judges by names.
func TestSandboxSyntax(t *testing.T) {
	t.Parallel()
	pkg := loadForCheck(t, `package a

import (
	"crypto/rand"
	"go/parser"
	. "net/textproto"
	"reflect"
	tt "text/template"
)

func f() {
	tt.ParseFiles("x")
	tt.New("x").ParseGlob("*")
	Dial("tcp", "x")
	reflect.NewAt(nil, nil)
	rand.Reader = nil
	parser.ParseFile(nil, "x", nil, 0)
	tt.New("x").Parse("ok")
}
`)
	got := lines(CheckSyntax(pkg, NewPolicy(false, nil)))
	for _, want := range []string{
		"a.go:12:5: text/template.ParseFiles is outside microfn's sandbox (it reads the file system): allow it with --allow os",
		"a.go:13:14: text/template.Template.ParseGlob is outside microfn's sandbox",
		"a.go:14:2: net/textproto.Dial is outside microfn's sandbox (it opens network connections): allow it with --allow net",
		"a.go:15:10: reflect.NewAt is outside microfn's sandbox (it reads and writes raw memory): it needs --unrestricted",
		"a.go:16:2: rand.Reader is a variable of the host's crypto/rand: service code cannot assign it",
		"a.go:17:29: go/parser.ParseFile with a nil src is outside microfn's sandbox",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("errors:\n%s\nwant one containing %q", got, want)
		}
	}
	if n := strings.Count(got, "\n") + 1; n != 6 {
		t.Errorf("%d errors, want 6:\n%s", n, got)
	}
	if got := CheckSyntax(pkg, NewPolicy(true, nil)); len(got) != 0 {
		t.Errorf("unrestricted: %v", got)
	}
	if got := lines(CheckSyntax(pkg, NewPolicy(false, []string{"os", "net"}))); strings.Contains(got, "ParseFiles") || strings.Contains(got, "Dial") || !strings.Contains(got, "NewAt") {
		t.Errorf("with --allow os,net:\n%s", got)
	}
}
