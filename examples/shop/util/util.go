// Package util holds the shop's shared types and helpers. It declares no
// services, so it is a library: microfn serves no route for it, and the
// packages that import it call its functions in process.
package util

import "fmt"

// Money is an amount in cents.
type Money int64

// String formats m in dollars, such as "$12.50" or "-$0.05".
func (m Money) String() string {
	n, sign := int64(m), ""
	if n < 0 {
		n, sign = -n, "-"
	}
	return fmt.Sprintf("%s$%d.%02d", sign, n/100, n%100)
}

// Card is a payment card.
type Card struct {
	Number string `json:"number"`
	Holder string `json:"holder,omitempty"`
}

// Last4 returns the last four digits of the card's number, or the whole
// number when it is shorter.
func (c Card) Last4() string {
	if len(c.Number) <= 4 {
		return c.Number
	}
	return c.Number[len(c.Number)-4:]
}

// Fee returns the card processing fee for an amount: 3%, rounded down.
func Fee(amount Money) Money {
	return amount * 3 / 100
}
