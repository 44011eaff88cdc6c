package server_test

import (
	"strings"
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
)

func TestSeedSmoke(t *testing.T) {
	in := microfntest.StartDir(t, "../examples/seed")
	for _, tc := range []struct{ path, want string }{
		{"/IsEven?x=5", "false"},
		{"/IsOdd?x=5", "true"},
		{"/Fib?n=5", "8"},
		{"/Factorial?n=5", "120"},
	} {
		r := in.Get(tc.path)
		if r.Status != 200 || strings.TrimSpace(r.Body) != tc.want {
			t.Errorf("GET %s = %d %s, want %s", tc.path, r.Status, r.Body, tc.want)
		}
	}
	in.Logs().Reset()
	r := in.Get("/Fib?n=10")
	if strings.TrimSpace(r.Body) != "89" {
		t.Fatalf("Fib(10) = %s", r.Body)
	}
	if n := in.Logs().HTTPCalls(); n != 177 {
		t.Errorf("Fib(10) made %d HTTP calls, want 177", n)
	}
}
