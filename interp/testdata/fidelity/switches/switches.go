// Package prog switches without a tag on several expressions per case
// and on expressions of interface types, and with a tag on interface
// values.
package prog

import "fmt"

type S struct{ P *int }

type tracer struct{ calls []int }

func (t *tracer) is(n int, r bool) bool { t.calls = append(t.calls, n); return r }

func (t *tracer) any(n int, r any) any { t.calls = append(t.calls, n); return r }

// Cases takes the first case one of whose expressions holds, evaluating
// them in order and no further.
//
//microfn:service
func Cases(x int) []string {
	var out []string
	switch {
	case x < 1, x > 2:
		out = append(out, "outside")
	case x == 1, x == 2:
		out = append(out, "inside")
	}
	var t tracer
	switch {
	case t.is(1, x < 0), t.is(2, x > 5), t.is(3, true):
		out = append(out, fmt.Sprint("traced ", t.calls))
	}
	var s S
	if x > 0 {
		s.P = &x
	}
	switch {
	case s.P == nil, *s.P > 3:
		out = append(out, "nil or large")
	default:
		out = append(out, "small")
	}
	switch {
	case x == 1:
		out = append(out, "one")
		fallthrough
	case x > 100, x < -100:
		out = append(out, "fell")
	}
	return out
}

// Interfaces switches without a tag on expressions of interface types,
// which hold when they equal true.
//
//microfn:service
func Interfaces(x int, flag bool) []string {
	var out []string
	var i, none any = flag, nil
	var str any = "true"
	m := map[string]any{"flag": flag, "n": x}
	var t tracer
	switch {
	case none, str, m["n"]:
		out = append(out, "not bool")
	case i:
		out = append(out, "flag")
	case t.any(1, x > 2), m["flag"], !flag:
		out = append(out, fmt.Sprint("later ", t.calls))
	default:
		out = append(out, "default")
	}
	switch {
	case m["missing"]:
		out = append(out, "missing")
	case x > 0, i:
		out = append(out, "positive or flag")
	}
	return out
}

// Tagged switches with a tag on values compared with interfaces.
//
//microfn:service
func Tagged(x int, flag bool) []string {
	var out []string
	var y, z any = x, int64(x)
	switch x {
	case z:
		out = append(out, "int64")
	case y:
		out = append(out, "int")
	}
	var i any = flag
	switch true {
	case i:
		out = append(out, "true")
	default:
		out = append(out, "not true")
	}
	var e error
	switch e {
	case nil:
		out = append(out, "nil error")
	}
	switch any(x) {
	case 1.0:
		out = append(out, "float")
	case 1, 2:
		out = append(out, "small int")
	}
	return out
}
