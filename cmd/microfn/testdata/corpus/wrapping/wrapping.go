// Package wrapping wraps errors with github.com/pkg/errors.
package wrapping

import (
	"fmt"
	"io"

	"github.com/pkg/errors"
)

// ErrNotFound is what a lookup returns for a missing key.
var ErrNotFound = errors.New("not found")

func lookup(key string) error {
	switch key {
	case "":
		return errors.Wrap(io.ErrUnexpectedEOF, "read key")
	case "missing":
		return errors.Wrapf(ErrNotFound, "lookup %q", key)
	}
	return nil
}

// Lookup wraps the errors of a lookup twice and reports what the error
// says, what its cause is, and what errors.Is finds.
//
//microfn:service
func Lookup(key string) (string, error) {
	err := errors.WithMessage(lookup(key), "handler")
	if err == nil {
		return "found " + key, nil
	}
	cause := errors.Cause(err)
	return fmt.Sprintf("%v | cause=%v | notfound=%v eof=%v | %s", err, cause, errors.Is(err, ErrNotFound), errors.Is(err, io.ErrUnexpectedEOF), fmt.Sprintf("%q", err)), nil
}

// Fail returns a wrapped error.
//
//microfn:service
func Fail(key string) error { return errors.WithMessage(lookup(key), "fail") }
