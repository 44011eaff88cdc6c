// Package prog looks at the dynamic types of interface values: type
// switches over struct, pointer, function, map, slice, channel and array
// types, nil in every interface form, typed nil pointers in interfaces,
// and comparisons of values of named types through interfaces.
package prog

import (
	"errors"
	"fmt"
)

type Point struct{ X, Y int }

type I interface{ M() }

type T struct{ n int }

func (T) M() {}

type E struct{ msg string }

func (e *E) Error() string {
	if e == nil {
		return "nil E"
	}
	return e.msg
}

type Code int

func (c Code) Error() string { return fmt.Sprint("code ", int(c)) }

func kind(x any) string {
	switch x.(type) {
	case nil:
		return "nil"
	case int:
		return "int"
	case Point:
		return "Point"
	case *Point:
		return "*Point"
	case func(int) int:
		return "func(int) int"
	case func(int) any:
		return "func(int) any"
	case map[string]any:
		return "map[string]any"
	case []any:
		return "[]any"
	case chan any:
		return "chan any"
	case [2]any:
		return "[2]any"
	case error:
		return "error"
	case I:
		return "I"
	}
	return "other"
}

func kindOf(x any) string {
	switch v := x.(type) {
	case nil:
		return fmt.Sprint("nil ", v == nil)
	case Point, *Point, func(int) any:
		return "one of " + kind(v)
	case map[string]any:
		return fmt.Sprint("map ", len(v))
	case error:
		return "error " + v.Error()
	case I:
		return "I"
	}
	return "other"
}

func values() []any {
	var p *Point
	var i I
	var e error
	var s fmt.Stringer
	var pe *E
	return []any{
		nil, 1, Point{1, 2}, &Point{}, p,
		func(int) int { return 0 }, func(int) any { return 0 },
		map[string]any{"a": 1}, []any{}, make(chan any), [2]any{},
		i, e, s, pe, T{}, Code(3), errors.New("x"),
	}
}

// Kinds switches on the type of values of every kind.
//
//microfn:service
func Kinds() []string {
	var out []string
	for _, x := range values() {
		out = append(out, fmt.Sprint(kind(x), " | ", kindOf(x), " | ", x == nil))
	}
	return out
}

func find(fail bool) error {
	var e *E
	if fail {
		return e
	}
	return nil
}

// Find returns a nil *E as an error when fail is set: a non-nil error.
//
//microfn:service
func Find(fail bool) (string, error) {
	err := find(fail)
	var target *E
	return fmt.Sprint(err == nil, errors.As(err, &target), target == nil, kind(err)), err
}

// Compare compares values of named struct and array types through
// interfaces.
//
//microfn:service
func Compare() []bool {
	type Arr [2]int
	var a, b any = Point{1, 2}, Point{1, 2}
	var c any = &Point{}
	var e1, e2 error = Code(3), Code(3)
	return []bool{
		a == b, a == any(Point{2, 1}), c == c, c == any(&Point{}),
		any(Arr{1, 2}) == any(Arr{1, 2}), e1 == e2, e1 == Code(4),
		any(1) == any(1.0), any(int64(1)) == any(1),
	}
}
