package microfn_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/microfn/microfn"
)

// TestRequestOutsideACall: plain Go (a test, a program) calls a service
// without a request: RequestOf reports false and the setters do nothing.
func TestRequestOutsideACall(t *testing.T) {
	for _, ctx := range []context.Context{context.Background(), context.TODO(), nil} {
		if r, ok := microfn.RequestOf(ctx); ok || r != nil {
			t.Errorf("RequestOf = %v, %v outside a call", r, ok)
		}
		if microfn.SetHeader(ctx, "X", "y") || microfn.SetCookie(ctx, &http.Cookie{Name: "a", Value: "b"}) || microfn.SetStatus(ctx, 201) {
			t.Error("a setter reported true outside a call")
		}
	}
}
