// Package money computes with github.com/shopspring/decimal.
package money

import (
	"github.com/shopspring/decimal"
)

// A Line is an item of an invoice.
type Line struct {
	Price decimal.Decimal `json:"price"`
	Qty   int64           `json:"qty"`
}

// Invoice totals the lines, adds the tax rate (percent) and rounds to
// cents, banker's rounding.
//
//microfn:service
func Invoice(lines []Line, taxPercent decimal.Decimal) map[string]decimal.Decimal {
	net := decimal.Zero
	for _, l := range lines {
		net = net.Add(l.Price.Mul(decimal.NewFromInt(l.Qty)))
	}
	tax := net.Mul(taxPercent).Div(decimal.NewFromInt(100)).RoundBank(2)
	return map[string]decimal.Decimal{"net": net, "tax": tax, "gross": net.Add(tax)}
}

// Split shares an amount between n parts, the remainder cents going to the
// first ones.
//
//microfn:service
func Split(amount string, n int) ([]string, error) {
	a, err := decimal.NewFromString(amount)
	if err != nil {
		return nil, err
	}
	cents := a.Shift(2).IntPart()
	out := make([]string, n)
	for i := range out {
		c := cents / int64(n)
		if int64(i) < cents%int64(n) {
			c++
		}
		out[i] = decimal.New(c, -2).StringFixed(2)
	}
	return out, nil
}
