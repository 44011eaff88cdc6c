// Package billing charges payment cards. Its services are served under
// /billing/; calls of them from other packages go over HTTP.
package billing

import (
	"errors"
	"fmt"
	"strings"

	"example.com/shop/util"
)

// ErrDeclined is the error, wrapped, that Charge returns for a declined
// card.
var ErrDeclined = errors.New("card declined")

// Receipt records a successful charge.
type Receipt struct {
	ID     string `json:"id"`
	Card   string `json:"card"`   // the card's last four digits
	Cents  int64  `json:"cents"`  // the amount charged, fee included
	Amount string `json:"amount"` // Cents formatted, such as "$10.30"
}

// Quote returns the total, fee included, of charging cents to a card.
//
//microfn:service retry=2
func Quote(cents int64) int64 {
	amount := util.Money(cents)
	return int64(amount + util.Fee(amount))
}

// Charge charges cents, plus the fee, to the card with the given number.
// A card whose number ends in 0000 is declined: the error wraps
// ErrDeclined, which errors= answers with 402 Payment Required (a caller
// gets that status too). A charge is not idempotent, so it is never
// retried.
//
//microfn:service retry=1 timeout=2s errors=ErrDeclined:402
func Charge(number string, cents int64) (Receipt, error) {
	card := util.Card{Number: number}
	if cents <= 0 {
		return Receipt{}, fmt.Errorf("charge %d cents: amount must be positive", cents)
	}
	total := util.Money(cents) + util.Fee(util.Money(cents))
	if strings.HasSuffix(card.Number, "0000") {
		return Receipt{}, fmt.Errorf("charge %s to card %s: %w", total, card.Last4(), ErrDeclined)
	}
	return Receipt{
		ID:     fmt.Sprintf("r-%s-%d", card.Last4(), int64(total)),
		Card:   card.Last4(),
		Cents:  int64(total),
		Amount: total.String(),
	}, nil
}
