// Package prog compares values of the package's named types with methods
// through interfaces: the error idiom (sentinel errors of every kind,
// errors.Is, errors.As, wrapping, type switches) and any.
package prog

import (
	"errors"
	"fmt"
	"io"
)

// Code is an error of an integer kind.
type Code int

func (c Code) Error() string { return fmt.Sprintf("code %d", int(c)) }

// NotFound and Gone are sentinel errors.
const (
	NotFound Code = 404
	Gone     Code = 410
)

// Name is an error of a string kind.
type Name string

func (n Name) Error() string { return "name " + string(n) }

// Wrap is an error of a struct kind that wraps another.
type Wrap struct {
	Op  string
	Err error
}

func (w Wrap) Error() string { return w.Op + ": " + w.Err.Error() }
func (w Wrap) Unwrap() error { return w.Err }

// PErr is an error with a pointer receiver.
type PErr struct{ Msg string }

func (p *PErr) Error() string { return p.Msg }

// ErrP is a sentinel pointer error.
var ErrP = &PErr{"p failed"}

// Multi wraps several errors.
type Multi []error

func (m Multi) Error() string   { return fmt.Sprintf("%d errors", len(m)) }
func (m Multi) Unwrap() []error { return m }

// Temp reports itself as every Code.
type Temp struct{}

func (Temp) Error() string { return "temporary" }
func (Temp) Is(target error) bool {
	_, ok := target.(Code)
	return ok
}

// U16 is a named kind with a method that is not an error.
type U16 uint16

func (u U16) Double() U16 { return 2 * u }

// Point is a struct with a method.
type Point struct{ X, Y int }

func (p Point) String() string { return fmt.Sprintf("(%d,%d)", p.X, p.Y) }

func find(key string) error {
	switch key {
	case "missing":
		return NotFound
	case "gone":
		return Gone
	case "name":
		return Name(key)
	case "p":
		return ErrP
	case "wrapped":
		return Wrap{"find", NotFound}
	case "fmt":
		return fmt.Errorf("lookup %q: %w", key, NotFound)
	case "eof":
		return io.EOF
	case "multi":
		return Multi{Name("a"), Wrap{"inner", Gone}}
	case "temp":
		return Temp{}
	}
	return nil
}

// Keys are the keys Compare and the others try.
var Keys = []string{"missing", "gone", "name", "p", "wrapped", "fmt", "eof", "multi", "temp", "ok"}

// Compare compares each error with the sentinels by ==.
//
//microfn:service
func Compare() []string {
	var out []string
	for _, k := range Keys {
		err := find(k)
		out = append(out, fmt.Sprint(k, " ", err == NotFound, err != NotFound, err == Gone, err == ErrP, err == Name("name"), err == nil, err == io.EOF))
	}
	return out
}

// CompareErrors compares interface values holding errors with each other.
//
//microfn:service
func CompareErrors() []bool {
	var e1, e2 error = NotFound, NotFound
	var e3 error = Code(404)
	var e4 error = Name("x")
	var e5 error = Name("x")
	var e6 error = &PErr{"p failed"}
	var w1, w2 error = Wrap{"op", NotFound}, Wrap{"op", NotFound}
	return []bool{e1 == e2, e1 == e3, e1 != e4, e4 == e5, e6 == ErrP, e6 != ErrP, w1 == w2, w1 == Wrap{"op", Gone}}
}

// Is uses errors.Is with every key and sentinel.
//
//microfn:service
func Is() []string {
	var out []string
	for _, k := range Keys {
		err := find(k)
		out = append(out, fmt.Sprint(k, " ", errors.Is(err, NotFound), errors.Is(err, Gone), errors.Is(err, Name("a")), errors.Is(err, ErrP), errors.Is(err, io.EOF)))
	}
	return out
}

// As uses errors.As with targets of every kind.
//
//microfn:service
func As() []string {
	var out []string
	for _, k := range Keys {
		err := find(k)
		var c Code
		var n Name
		var w Wrap
		var p *PErr
		var u interface{ Unwrap() error }
		out = append(out, fmt.Sprint(k, " ", errors.As(err, &c), int(c), errors.As(err, &n), string(n), errors.As(err, &w), w.Op, errors.As(err, &p), p == ErrP, errors.As(err, &u)))
	}
	return out
}

// Switch uses a type switch and an expression switch on each error.
//
//microfn:service
func Switch() []string {
	var out []string
	for _, k := range Keys {
		err := find(k)
		var kind string
		switch e := err.(type) {
		case nil:
			kind = "nil"
		case Code:
			kind = fmt.Sprint("code ", int(e))
		case Name:
			kind = "name " + string(e)
		case *PErr:
			kind = "perr " + e.Msg
		case interface{ Unwrap() error }:
			kind = "unwrapper " + e.Unwrap().Error()
		default:
			kind = "other " + e.Error()
		}
		switch err {
		case NotFound, Gone:
			kind += " sentinel"
		case ErrP:
			kind += " p"
		case nil:
			kind += " none"
		}
		out = append(out, k+": "+kind)
	}
	return out
}

// Assert asserts each error to each kind.
//
//microfn:service
func Assert() []string {
	var out []string
	for _, k := range Keys {
		err := find(k)
		_, isCode := err.(Code)
		_, isName := err.(Name)
		_, isWrap := err.(Wrap)
		_, isP := err.(*PErr)
		_, isUnwrapper := err.(interface{ Unwrap() error })
		_, isStringer := err.(fmt.Stringer)
		out = append(out, fmt.Sprint(k, " ", isCode, isName, isWrap, isP, isUnwrapper, isStringer))
	}
	return out
}

// Print prints each error as fmt does.
//
//microfn:service
func Print() []string {
	var out []string
	for _, k := range Keys {
		err := find(k)
		out = append(out, fmt.Sprintf("%v|%s|%q", err, err, err))
	}
	// (Sprint puts no space next to an operand of a string kind; microfn
	// passes Name("n") to fmt wrapped, so Sprint(NotFound, Name("n")) would
	// differ: the operands are separated here.)
	out = append(out, fmt.Sprint(NotFound, " ", Name("n"), " ", ErrP, Wrap{"w", Gone}), fmt.Sprintf("%d %v %x", NotFound, NotFound, Name("n")))
	return out
}

// Unwrap unwraps each error once.
//
//microfn:service
func Unwrap() []string {
	var out []string
	for _, k := range Keys {
		err := errors.Unwrap(find(k))
		out = append(out, fmt.Sprint(k, " ", err, err == NotFound, err == nil))
	}
	return out
}

// Join joins errors and looks into the result.
//
//microfn:service
func Join() []bool {
	err := errors.Join(Name("a"), Wrap{"w", NotFound}, nil, ErrP)
	return []bool{errors.Is(err, NotFound), errors.Is(err, ErrP), errors.Is(err, Gone), errors.Is(err, Name("a"))}
}

// Any compares values of named kinds with methods held in an any.
//
//microfn:service
func Any() []bool {
	u := U16(3)
	var x any = u
	var y any = U16(3)
	p := Point{1, 2}
	var s fmt.Stringer = p
	var q any = p
	var pp any = &p
	return []bool{u == any(u), x == u, x == y, x == any(U16(4)), x != y, s == p, q == s, q == Point{1, 2}, q == Point{2, 1}, pp == &p, pp == any(&Point{1, 2}), any(Name("a")) == any(Name("a")), any(Name("a")) == any(Code(1))}
}

// Fail returns the error of key as the service's error.
//
//microfn:service
func Fail(key string) error {
	return find(key)
}

// FailWrapped returns the error of key wrapped.
//
//microfn:service
func FailWrapped(key string) (int, error) {
	if err := find(key); err != nil {
		return 0, fmt.Errorf("service: %w", err)
	}
	return 1, nil
}
