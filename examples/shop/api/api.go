// Package api is the shop's front door. Its services call billing's
// services, which go over HTTP to /billing/Quote and /billing/Charge, and
// use the util library in process.
package api

import (
	"errors"
	"fmt"

	"example.com/shop/billing"
	"example.com/shop/util"
)

// Order is a paid order.
type Order struct {
	Item    string `json:"item"`
	Total   string `json:"total"`
	Receipt string `json:"receipt"`
}

// Price returns what buying an item for cents costs, fee included, such
// as "$10.30".
//
//microfn:service
func Price(cents int64) string {
	return util.Money(billing.Quote(cents)).String()
}

// Checkout buys item for cents with the card with the given number. A
// declined card is an error that wraps billing.ErrDeclined.
//
//microfn:service
func Checkout(item, number string, cents int64) (Order, error) {
	r, err := billing.Charge(number, cents)
	if err != nil {
		return Order{}, fmt.Errorf("checkout %s: %w", item, err)
	}
	return Order{Item: item, Total: r.Amount, Receipt: r.ID}, nil
}

// Attempt is the outcome of TryCharge.
type Attempt struct {
	OK       bool   `json:"ok"`
	Declined bool   `json:"declined"`
	Detail   string `json:"detail"`
}

// TryCharge charges cents to the card and reports the outcome instead of
// failing: Declined is errors.Is(err, billing.ErrDeclined), which holds
// across the HTTP call as it does in compiled Go.
//
//microfn:service
func TryCharge(number string, cents int64) Attempt {
	r, err := billing.Charge(number, cents)
	if err != nil {
		return Attempt{Declined: errors.Is(err, billing.ErrDeclined), Detail: err.Error()}
	}
	return Attempt{OK: true, Detail: "charged " + r.Amount + " as " + r.ID}
}
