package server_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/microfn/microfn/server"
)

const requestSrc = `package reqs

import (
	"context"
	"fmt"
	"net/http"

	"github.com/microfn/microfn"
)

//microfn:service
func Echo(ctx context.Context, x int) (string, error) {
	r, ok := microfn.RequestOf(ctx)
	if !ok {
		return "no request", nil
	}
	microfn.SetHeader(ctx, "X-Echo", r.Header.Get("X-In"))
	microfn.SetHeader(ctx, "Microfn-Attempts", "99")
	microfn.SetCookie(ctx, &http.Cookie{Name: "seen", Value: "1"})
	microfn.SetStatus(ctx, http.StatusCreated)
	return fmt.Sprintf("%s %s in=%s q=%s remote=%v trace=%d depth=%d cookie=%s internal=%q", r.Method, r.Route, r.Header.Get("X-In"), r.Query.Get("x"),
		r.RemoteAddr != "", len(r.Trace), r.Depth, r.Header.Get("Cookie"), r.Header.Get("Microfn-Depth")), nil
}

//microfn:service
func Outer(ctx context.Context) (string, error) {
	s, err := Inner(ctx)
	r, _ := microfn.RequestOf(ctx)
	return s + " outer-trace=" + fmt.Sprint(r.Trace == last), err
}

var last string

//microfn:service
func Inner(ctx context.Context) (string, error) {
	r, ok := microfn.RequestOf(ctx)
	if !ok {
		return "no request", nil
	}
	last = r.Trace
	microfn.SetHeader(ctx, "X-Inner", "lost")
	return fmt.Sprintf("%s %s depth=%d cookie=%q headers=%d remote=%q", r.Method, r.Route, r.Depth, r.Header.Get("Cookie"), len(r.Header), r.RemoteAddr), nil
}

//microfn:service
func Refuse(ctx context.Context) (int, error) {
	microfn.SetHeader(ctx, "WWW-Authenticate", "Bearer")
	return 0, microfn.Error(http.StatusUnauthorized, "no")
}
`

// TestRequestContext: a service that takes a context reads the request
// it answers (method, route, headers, query, client address, trace,
// depth) and sets headers, cookies and the status of its answer, but not
// microfn's own headers; a nested call carries the trace, and nothing of
// the client's request (no cookie, no header); headers set on an error
// reach the client too. In every call mode, compiled included.
func TestRequestContext(t *testing.T) {
	t.Parallel()
	for _, m := range callModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			in := m.start(t, map[string]string{"reqs/reqs.go": requestSrc}, server.WithQuiet(true))
			req, _ := http.NewRequest(http.MethodGet, in.URL+"/reqs/Echo?x=7", nil)
			req.Header.Set("X-In", "hello")
			req.Header.Set("Cookie", "session=abc")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body strings.Builder
			fmt.Fprint(&body, readAll(t, resp))
			want := `"GET /reqs/Echo in=hello q=7 remote=true trace=32 depth=0 cookie=session=abc internal=\"\""`
			if resp.StatusCode != http.StatusCreated || strings.TrimSpace(body.String()) != want {
				t.Errorf("Echo = %d %s, want 201 %s", resp.StatusCode, body.String(), want)
			}
			if resp.Header.Get("X-Echo") != "hello" || resp.Header.Get("Set-Cookie") != "seen=1" || resp.Header.Get("Microfn-Attempts") != "1" {
				t.Errorf("headers %v: want X-Echo, the cookie, and microfn's own Microfn-Attempts", resp.Header)
			}
			r := in.Do(http.MethodGet, "/reqs/Outer", "", "")
			if want := `"POST /reqs/Inner depth=1 cookie=\"\" headers=0 remote=\"\" outer-trace=true"`; r.Status != 200 || strings.TrimSpace(r.Body) != want {
				t.Errorf("Outer = %d %s, want %s", r.Status, r.Body, want)
			}
			if r.Header.Get("X-Inner") != "" {
				t.Errorf("a header the callee set reached the client of its caller")
			}
			r = in.Get("/reqs/Refuse")
			if r.Status != 401 || r.Header.Get("Www-Authenticate") != "Bearer" {
				t.Errorf("Refuse = %d %v, want 401 with WWW-Authenticate", r.Status, r.Header)
			}
		})
	}
}

// readAll reads and closes a response's body.
func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
