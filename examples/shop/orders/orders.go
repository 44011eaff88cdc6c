// Package orders keeps the shop's orders and streams a customer's order
// history as it reads it, value by value: newline-delimited JSON, or
// server-sent events for a client that asks for them.
package orders

import (
	"errors"
	"fmt"
	"iter"
	"sync"

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

// book holds the orders by customer. It lives as long as the package's
// loaded version: a reload starts a new book (a real shop keeps its
// orders in a database).
var book = struct {
	sync.Mutex
	orders map[string][]Order
}{orders: map[string][]Order{
	"ann": {
		{ID: "o-1", Item: "book", Total: "$10.30", Status: Shipped, Receipt: "r-4242-1030"},
		{ID: "o-2", Item: "pen", Total: "$2.06", Status: Shipped, Receipt: "r-4242-206"},
		{ID: "o-3", Item: "lamp", Total: "$41.20", Status: Paid, Receipt: "r-4242-4120"},
	},
}}

// Place charges the card for item (a call of billing.Charge, over HTTP
// when served) and adds the order to the customer's history. A declined
// card is billing's error, 402 as billing maps it.
//
//microfn:service retry=1
func Place(customer, item, number string, cents int64) (Order, error) {
	r, err := billing.Charge(number, cents)
	if err != nil {
		return Order{}, fmt.Errorf("order %s for %s: %w", item, customer, err)
	}
	book.Lock()
	defer book.Unlock()
	o := Order{ID: fmt.Sprintf("o-%d", len(book.orders[customer])+1), Item: item, Total: r.Amount, Status: Paid, Receipt: r.ID}
	book.orders[customer] = append(book.orders[customer], o)
	return o, nil
}

// History streams the orders of a customer, oldest first. A customer
// with no order is an error that wraps ErrNoCustomer: 404.
//
//microfn:service errors=ErrNoCustomer:404
func History(customer string) iter.Seq2[Order, error] {
	return func(yield func(Order, error) bool) {
		book.Lock()
		orders := append([]Order(nil), book.orders[customer]...)
		book.Unlock()
		if len(orders) == 0 {
			yield(Order{}, fmt.Errorf("history of %s: %w", customer, ErrNoCustomer))
			return
		}
		for _, o := range orders {
			if !yield(o, nil) {
				return // the client stopped reading
			}
		}
	}
}

// CountShipped counts the shipped orders of a customer, reading History's
// stream: a call of History, over HTTP when served, whose values arrive
// as the loop asks for them.
//
//microfn:service
func CountShipped(customer string) (int, error) {
	n := 0
	for o, err := range History(customer) {
		if err != nil {
			return 0, err
		}
		if o.Status == Shipped {
			n++
		}
	}
	return n, nil
}
