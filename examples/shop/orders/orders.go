// Package orders keeps the customers' orders in the database orders and
// streams a customer's order history as it reads it, value by value:
// newline-delimited JSON, or server-sent events for a client that asks
// for them.
package orders

import (
	"context"
	"errors"
	"fmt"
	"iter"

	"github.com/microfn/microfn"

	"example.com/shop/billing"
)

// ErrNoCustomer is the error, wrapped, of a customer with no order.
var ErrNoCustomer = errors.New("no such customer")

// Status is where an order stands.
type Status string

// The statuses of an order.
const (
	Paid    Status = "paid"    // charged, not shipped yet
	Shipped Status = "shipped" // on its way
)

// An Order is one order of a customer.
type Order struct {
	ID      string `json:"id"`
	Item    string `json:"item"`
	Total   string `json:"total"`
	Status  Status `json:"status"`
	Receipt string `json:"receipt"`
}

// db keeps the orders of every customer (migrations/orders/*.sql beside
// this file): a save of this package, a restart of the server or a
// second server finds them there.
var db = microfn.Database("orders")

// Place charges the card for item (a call of billing.Charge, over HTTP
// when served) and adds the order to the customer's history. A declined
// card is billing's error, 402 as billing maps it.
//
//microfn:service retry=1
func Place(ctx context.Context, customer, item, number string, cents int64) (Order, error) {
	r, err := billing.Charge(number, cents)
	if err != nil {
		return Order{}, fmt.Errorf("order %s for %s: %w", item, customer, err)
	}
	// One statement numbers the order and records it. (On PostgreSQL two
	// orders of one customer at once may pick the same number: the
	// primary key refuses the second.)
	var seq int
	err = db.QueryRowContext(context.WithoutCancel(ctx), `INSERT INTO history (customer, seq, item, total, status, receipt)
		SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5 FROM history WHERE customer = $1
		RETURNING seq`, customer, item, r.Amount, string(Paid), r.ID).Scan(&seq)
	if err != nil {
		return Order{}, fmt.Errorf("order %s for %s: record it: %w", item, customer, err)
	}
	return Order{ID: fmt.Sprintf("o-%d", seq), Item: item, Total: r.Amount, Status: Paid, Receipt: r.ID}, nil
}

// History streams the orders of a customer, oldest first. A customer
// with no order is an error that wraps ErrNoCustomer: 404.
//
//microfn:service errors=ErrNoCustomer:404
func History(ctx context.Context, customer string) iter.Seq2[Order, error] {
	return func(yield func(Order, error) bool) {
		fail := func(err error) { yield(Order{}, fmt.Errorf("history of %s: %w", customer, err)) }
		rows, err := db.QueryContext(ctx, "SELECT seq, item, total, status, receipt FROM history WHERE customer = $1 ORDER BY seq", customer)
		if err != nil {
			fail(err)
			return
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var o Order
			var seq int
			if err := rows.Scan(&seq, &o.Item, &o.Total, &o.Status, &o.Receipt); err != nil {
				fail(err)
				return
			}
			o.ID = fmt.Sprintf("o-%d", seq)
			n++
			if !yield(o, nil) {
				return // the client stopped reading
			}
		}
		switch err := rows.Err(); {
		case err != nil:
			fail(err)
		case n == 0:
			fail(ErrNoCustomer)
		}
	}
}

// CountShipped counts the shipped orders of a customer, reading History's
// stream: a call of History, over HTTP when served, whose values arrive
// as the loop asks for them.
//
//microfn:service
func CountShipped(ctx context.Context, customer string) (int, error) {
	n := 0
	for o, err := range History(ctx, customer) {
		if err != nil {
			return 0, err
		}
		if o.Status == Shipped {
			n++
		}
	}
	return n, nil
}
