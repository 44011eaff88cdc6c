//go:build go1.26

package stdlib

import "fmt"

// Format prints the wrapped value with its String method for the verbs
// fmt uses String for (as a Stringer holding it would), and the value
// itself for the others: without it, %d of an interpreted integer type
// with a String method printed the wrapper's fields. (A change of
// microfn's fork: see FORK.md. It is kept out of the generated
// go1_*_fmt.go, which declares _fmt_Stringer.)
func (W _fmt_Stringer) Format(f fmt.State, verb rune) {
	value := W.IValue
	if p, ok := value.(interface{ PlainValue() interface{} }); ok {
		value = p.PlainValue()
	}
	switch verb {
	case 'v':
		if f.Flag('#') {
			fmt.Fprintf(f, fmt.FormatString(f, verb), value)
			return
		}
		fallthrough
	case 's', 'q', 'x', 'X':
		fmt.Fprintf(f, fmt.FormatString(f, verb), W.String())
	default:
		fmt.Fprintf(f, fmt.FormatString(f, verb), value)
	}
}
