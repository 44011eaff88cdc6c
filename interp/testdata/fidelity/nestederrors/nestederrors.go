// Package nestederrors returns errors through calls between services:
// package-level error variables and constants of every kind, standard
// library sentinels, wrapping at each level of a recursion, and joined
// errors. A caller sees the callee's error with its text and its identity
// (errors.Is, and errors.As for the package's sentinel values).
package nestederrors

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
)

// ErrNotFound is a sentinel made by errors.New.
var ErrNotFound = errors.New("not found")

// errQuiet is an unexported sentinel.
var errQuiet = errors.New("quiet")

// RangeError is an error of a struct type.
type RangeError struct{ Lo, Hi int }

func (e *RangeError) Error() string { return fmt.Sprintf("out of range [%d, %d)", e.Lo, e.Hi) }

// ErrRange is a sentinel of a pointer type of the package.
var ErrRange = &RangeError{0, 100}

// Code is an error of a string kind.
type Code string

func (c Code) Error() string { return "code " + string(c) }

// Missing is a constant sentinel.
const Missing Code = "missing"

// ErrCode is a variable of an interface type holding a Code.
var ErrCode error = Code("c7")

// Fail returns the error named by kind, or nil.
//
//microfn:service
func Fail(kind string) error {
	switch kind {
	case "notfound":
		return ErrNotFound
	case "quiet":
		return errQuiet
	case "range":
		return ErrRange
	case "missing":
		return Missing
	case "code":
		return ErrCode
	case "eof":
		return io.EOF
	case "notexist":
		return fmt.Errorf("open config: %w", fs.ErrNotExist)
	case "joined":
		return errors.Join(ErrNotFound, fmt.Errorf("second: %w", Missing))
	case "twice":
		return fmt.Errorf("%w and %w", errQuiet, ErrRange)
	case "plain":
		return errors.New("plain failure")
	}
	return nil
}

// Wrap calls Fail and wraps what it returns.
//
//microfn:service
func Wrap(kind string) (string, error) {
	if err := Fail(kind); err != nil {
		return "", fmt.Errorf("wrap %s: %w", kind, err)
	}
	return "ok", nil
}

// Report calls Wrap and describes the error it gets.
//
//microfn:service
func Report(kind string) string {
	_, err := Wrap(kind)
	if err == nil {
		return "nil"
	}
	var re *RangeError
	var c Code
	asRange := errors.As(err, &re)
	asCode := errors.As(err, &c)
	return fmt.Sprintf("%q notfound=%v quiet=%v range=%v missing=%v code=%v eof=%v notexist=%v asRange=%v(%v) asCode=%v(%q)",
		err.Error(), errors.Is(err, ErrNotFound), errors.Is(err, errQuiet), errors.Is(err, ErrRange),
		errors.Is(err, Missing), errors.Is(err, ErrCode), errors.Is(err, io.EOF), errors.Is(err, fs.ErrNotExist),
		asRange, asRange && re == ErrRange, asCode, c)
}

// Search looks for x in the sorted xs[lo:hi], recursively, and returns
// ErrNotFound, wrapped once with the value, when it is not there.
//
//microfn:service
func Search(xs []int, x, lo, hi int) (int, error) {
	if lo >= hi {
		return -1, fmt.Errorf("%d: %w", x, ErrNotFound)
	}
	mid := (lo + hi) / 2
	switch {
	case xs[mid] == x:
		return mid, nil
	case xs[mid] < x:
		return Search(xs, x, mid+1, hi)
	}
	return Search(xs, x, lo, mid)
}

// Find searches and reports the error it gets back.
//
//microfn:service
func Find(xs []int, x int) string {
	i, err := Search(xs, x, 0, len(xs))
	return fmt.Sprintf("%d %v %v", i, err, errors.Is(err, ErrNotFound))
}

// Depth fails at the bottom of n calls, each level wrapping the error of
// the one below.
//
//microfn:service
func Depth(n int) error {
	if n == 0 {
		return &RangeError{Lo: -1, Hi: -1}
	}
	if err := Depth(n - 1); err != nil {
		return fmt.Errorf("level %s: %w", strconv.Itoa(n), err)
	}
	return nil
}

// Deep reports the text of Depth's error.
//
//microfn:service
func Deep(n int) string {
	return fmt.Sprint(Depth(n))
}
