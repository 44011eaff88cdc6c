package interp_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/svcrt"
)

const proxySrc = `package a

import (
	"context"
	"fmt"
)

type Item struct {
	Name   string
	Tags   []string
	Price  float64
	secret int
}

type Summary struct {
	Label  string
	Count  int
	hidden string
}

//microfn:service
func Describe(it Item, n int) Summary {
	return Summary{Label: fmt.Sprintf("%s %v %.2f", it.Name, it.Tags, it.Price), Count: n + it.secret, hidden: "h" + it.Name}
}

//microfn:service
func Caller() string {
	s := Describe(Item{Name: "pen", Tags: []string{"a", "b"}, Price: 1.5, secret: 40}, 2)
	return fmt.Sprintf("%s|%d|%s", s.Label, s.Count, s.hidden)
}

//microfn:service
func Fact(n int) int {
	if n <= 1 {
		return 1
	}
	return n * Fact(n-1)
}

//microfn:service
func Leaf(n int) int { return n }

//microfn:service
func LeafErr(n int) (int, error) { return n, nil }

//microfn:service
func CallsLeaf() int { return Leaf(1) + 1 }

//microfn:service
func CallsLeafErr() (string, error) {
	n, err := LeafErr(1)
	if err != nil {
		return "got error: " + err.Error(), err
	}
	return fmt.Sprint(n), nil
}

type key struct{}

//microfn:service
func CtxLeaf(ctx context.Context) string {
	v, _ := ctx.Value(key{}).(string)
	return v
}

//microfn:service
func CtxCaller(ctx context.Context) string {
	return CtxLeaf(context.WithValue(ctx, key{}, "derived"))
}
`

func TestProxies(t *testing.T) {
	rec := &recorder{}
	pkg := mustLoad(t, map[string]string{"a.go": proxySrc}, interp.Options{}, rec.call)

	t.Run("struct argument and result", func(t *testing.T) {
		got := mustInvoke(t, service(t, pkg, "Caller"), "")
		if want := `"pen [a b] 1.50|42|hpen"`; got != want {
			t.Errorf("Caller() = %s, want %s (unexported fields travel in process)", got, want)
		}
	})

	t.Run("recursion", func(t *testing.T) {
		before := len(rec.recorded())
		if got := mustInvoke(t, service(t, pkg, "Fact"), `{"n":5}`); got != "120" {
			t.Errorf("Fact(5) = %s", got)
		}
		if n := len(rec.recorded()) - before; n != 4 {
			t.Errorf("Fact(5) made %d nested calls, want 4", n)
		}
	})

	t.Run("context", func(t *testing.T) {
		ctx := context.WithValue(context.Background(), ctxKey{}, "root")
		before := len(rec.recorded())
		got, err := invoke(t, ctx, service(t, pkg, "CtxCaller"), "")
		if err != nil || got != `"derived"` {
			t.Fatalf("CtxCaller() = %s, %v", got, err)
		}
		c := rec.recorded()[before]
		if c.Service.Desc.Name != "CtxLeaf" || c.Caller != ctx || c.Ctx.Value(ctxKey{}) != "root" {
			t.Errorf("call %s: Caller is the invoking context: %v; Ctx derives from it: %v", c.Service.Desc.Name, c.Caller == ctx, c.Ctx.Value(ctxKey{}))
		}
	})
}

// TestProxyErrors checks what a failed call does to the calling service:
// a proxy without an error result panics with the CallFunc's error, one
// with an error result returns it.
func TestProxyErrors(t *testing.T) {
	var failWith error
	rec := &recorder{fail: func(c *svcrt.Call) error {
		if strings.HasPrefix(c.Service.Desc.Name, "Leaf") {
			return failWith
		}
		return nil
	}}
	pkg := mustLoad(t, map[string]string{"a.go": proxySrc}, interp.Options{}, rec.call)

	tests := []struct {
		name      string
		err       error
		wantPanic string // the PanicError's text
	}{
		{"call error", microfn.NewRemoteError("Leaf", 503, "leaf is down", 0), "nested call Leaf failed: leaf is down"},
		{"call error with a cause", &microfn.CallError{Service: "Leaf", Err: errors.New("connection refused")}, "nested call Leaf failed: connection refused"},
		{"other error", errors.New("plain failure"), "panic: plain failure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failWith = tt.err
			_, err := invoke(t, context.Background(), service(t, pkg, "CallsLeaf"), "")
			var pe *svcrt.PanicError
			if !errors.As(err, &pe) {
				t.Fatalf("CallsLeaf: %v (%T), want a *PanicError", err, err)
			}
			if pe.Error() != tt.wantPanic {
				t.Errorf("PanicError = %q, want %q", pe.Error(), tt.wantPanic)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("PanicError does not wrap the CallFunc's error")
			}

			got, err := invoke(t, context.Background(), service(t, pkg, "CallsLeafErr"), "")
			if !errors.Is(err, tt.err) {
				t.Errorf("CallsLeafErr: %s, %v; want the CallFunc's error returned", got, err)
			}
		})
	}
}

// TestAPIPackage checks that service code can use package microfn and
// that its errors reach the host as they were made.
func TestAPIPackage(t *testing.T) {
	pkg := mustLoad(t, map[string]string{"a.go": `package a

import (
	"errors"
	"net/http"

	"github.com/microfn/microfn"
)

//microfn:service
func Find(id int) (string, error) {
	if id != 1 {
		return "", microfn.Error(http.StatusNotFound, "no item %d", id)
	}
	return "one", nil
}

//microfn:service
func Wrapped() error {
	return microfn.Permanent(errors.New("bad state"))
}

//microfn:service
func Status() int {
	return microfn.StatusOf(microfn.Error(429, "slow down"))
}

//microfn:service
func PanicsWithIt() int { panic(microfn.Error(409, "conflict")) }

//microfn:service
func Inspect() string {
	var ce *microfn.CallError
	if errors.As(microfn.Error(418, "teapot"), &ce) {
		return ce.Message
	}
	return "not a CallError"
}
`}, interp.Options{}, nil)

	_, err := invoke(t, context.Background(), service(t, pkg, "Find"), `{"id":2}`)
	var ce *microfn.CallError
	if !errors.As(err, &ce) || ce.Status != 404 || ce.Message != "no item 2" || !ce.Permanent() || microfn.StatusOf(err) != 404 {
		t.Errorf("Find(2) error = %#v", err)
	}
	if got := mustInvoke(t, service(t, pkg, "Find"), `{"id":1}`); got != `"one"` {
		t.Errorf("Find(1) = %s", got)
	}
	_, err = invoke(t, context.Background(), service(t, pkg, "Wrapped"), "")
	if !errors.As(err, &ce) || !ce.Permanent() || ce.StatusCode() != 500 || err.Error() != "bad state" {
		t.Errorf("Wrapped() error = %#v", err)
	}
	if got := mustInvoke(t, service(t, pkg, "Status"), ""); got != "429" {
		t.Errorf("Status() = %s", got)
	}
	_, err = invoke(t, context.Background(), service(t, pkg, "PanicsWithIt"), "")
	if !errors.As(err, &ce) || ce.Status != 409 {
		t.Errorf("PanicsWithIt() error = %#v, want a PanicError wrapping the CallError", err)
	}
	if got := mustInvoke(t, service(t, pkg, "Inspect"), ""); got != `"teapot"` {
		t.Errorf("Inspect() = %s", got)
	}
}
