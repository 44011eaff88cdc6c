// Package initorder initializes package-level variables across files, with
// dependencies through function bodies, and prints values of its types
// with methods straight from calls.
package initorder

import (
	"fmt"
	"strings"
)

// Table is computed from a table declared in another file.
var Table = build()

func build() []int {
	out := make([]int, len(hexDigits))
	for i, c := range hexDigits {
		out[i] = int(values[c])
	}
	order = append(order, "Table")
	return out
}

// Word is a type with a String method.
type Word [3]byte

func (w Word) String() string { return strings.ToUpper(string(w[:])) }

func word(s string) Word {
	var w Word
	copy(w[:], s)
	return w
}

// Problem is an error type.
type Problem struct{ Code int }

func (p Problem) Error() string { return fmt.Sprintf("problem %d", p.Code) }

func fail(code int) error { return Problem{code} }

// Init reports the package-level variables and the order they were
// initialized in.
//
//microfn:service
func Init() string {
	return fmt.Sprint(Table, Sum, Later, order)
}

// Print formats call results whose types have methods.
//
//microfn:service
func Print(s string, code int) string {
	return fmt.Sprintf("%s %v %q %s|%v", word(s), word(s), word(s), fail(code), []string{word(s).String()})
}
