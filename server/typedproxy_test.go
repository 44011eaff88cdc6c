package server_test

import (
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// typedSrc has services whose signatures use only host types, so their
// callers reach them through typed proxies (host functions of their exact
// signature), next to one with a struct, reached through the interpreted
// proxy.
const typedSrc = `package typed

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Echo shows every argument.
//
//microfn:service
func Echo(s []string, m map[string]int, p *int, at time.Time, d time.Duration, a [3]int, b []byte, f float32, r rune) string {
	pv := "nil"
	if p != nil {
		pv = fmt.Sprint(*p)
	}
	return fmt.Sprintf("%q %v %s %s %s %v %q %v %c", s, m, pv, at.UTC().Format(time.RFC3339Nano), d, a, b, f, r)
}

// Sum adds xs to base.
//
//microfn:service
func Sum(base int, xs ...int) int {
	for _, x := range xs {
		base += x
	}
	return base
}

// Split returns two results and an error.
//
//microfn:service
func Split(s string) (head string, rest []string, err error) {
	if s == "" {
		return "", nil, errors.New("empty")
	}
	return s[:1], []string{s[1:]}, nil
}

// Deadline tells whether its context has a deadline.
//
//microfn:service
func Deadline(ctx context.Context, label string) string {
	_, ok := ctx.Deadline()
	return fmt.Sprintf("%s:%v", label, ok)
}

// Point is a type of the package.
type Point struct{ X, Y int }

// Mirror swaps the coordinates.
//
//microfn:service
func Mirror(p Point) Point { return Point{p.Y, p.X} }

// CallsAll calls every service above.
//
//microfn:service
func CallsAll(ctx context.Context) (string, error) {
	n := 7
	at := time.Date(2026, 11, 28, 1, 2, 3, 4000, time.UTC)
	full := Echo([]string{"a", "b c"}, map[string]int{"k": 1}, &n, at, 1500*time.Millisecond, [3]int{1, 2, 3}, []byte("hi"), 2.5, 'é')
	zero := Echo(nil, nil, nil, time.Time{}, 0, [3]int{}, nil, 0, 'x')
	head, rest, err := Split("xyz")
	if err != nil {
		return "", err
	}
	_, _, emptyErr := Split("")
	m := Mirror(Point{1, 2})
	return fmt.Sprintf("%s | %s | %d %d %d | %s %q %v | %v | %s %s", full, zero,
		Sum(1), Sum(1, 2, 3), Sum(1, []int{4, 5}...), head, rest, emptyErr != nil, m,
		Deadline(ctx, "ctx"), Deadline(nil, "nil")), nil
}
`

// TestTypedProxies: nested calls through typed proxies carry every host
// type there and back, variadic calls, several results and errors, and
// contexts, over HTTP and in process.
func TestTypedProxies(t *testing.T) {
	t.Parallel()
	const want = `"[\"a\" \"b c\"] map[k:1] 7 2026-11-28T01:02:03.000004Z 1.5s [1 2 3] \"hi\" 2.5 é | [] map[] nil 0001-01-01T00:00:00Z 0s [0 0 0] \"\" 0 x | 1 6 10 | x [\"yz\"] true | {2 1} | ctx:true nil:true"`
	for _, monolith := range []bool{false, true} {
		in := microfntest.Start(t, map[string]string{"typed.go": typedSrc}, server.WithQuiet(true), server.WithMonolith(monolith))
		r := in.Get("/CallsAll")
		if r.Status != 200 || r.Body != want+"\n" {
			t.Errorf("monolith=%v: CallsAll = %d\n%s\nwant\n%s", monolith, r.Status, r.Body, want)
		}
	}
}
