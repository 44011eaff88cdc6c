// Package api is the shop's front door. Its services call billing's
// services, which go over HTTP to /billing/Quote and /billing/Charge, use
// the util library in process, keep the stock and the orders in the
// database shop (migrations/shop/*.sql beside this file) and the carts in
// the key-value store carts.
package api

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/microfn/microfn"

	"example.com/shop/billing"
	"example.com/shop/util"
)

// db is the shop's database: served by microfn, an SQLite file in the
// state folder (or the PostgreSQL database serve --database shop=URL
// names); under go test, a temporary one with the migrations applied.
var db = microfn.Database("shop")

// carts holds each cart's items, a JSON list, by cart name.
var carts = microfn.KV("carts")

// ErrOutOfStock is the error, wrapped, of a checkout of an item the shop
// has none of.
var ErrOutOfStock = errors.New("out of stock")

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

// Checkout buys item for cents with the card with the given number: it
// takes the item from the stock, charges the card and records the order.
// An item out of stock is an error that wraps ErrOutOfStock (409); a
// declined card one that wraps billing.ErrDeclined, and the item goes
// back to the stock. A charge is not idempotent, so Checkout is never
// retried.
//
//microfn:service retry=1 errors=ErrOutOfStock:409
func Checkout(ctx context.Context, item, number string, cents int64) (Order, error) {
	r, err := db.ExecContext(ctx, "UPDATE stock SET count = count - 1 WHERE item = $1 AND count > 0", item)
	if err != nil {
		return Order{}, fmt.Errorf("checkout %s: %w", item, err)
	}
	if n, err := r.RowsAffected(); err != nil || n == 0 {
		return Order{}, fmt.Errorf("checkout %s: %w", item, ErrOutOfStock)
	}
	receipt, err := billing.Charge(number, cents)
	if err != nil {
		// The context may be the reason the charge failed: the item
		// goes back whatever it says.
		if _, undo := db.ExecContext(context.WithoutCancel(ctx), "UPDATE stock SET count = count + 1 WHERE item = $1", item); undo != nil {
			err = errors.Join(err, fmt.Errorf("put %s back in stock: %w", item, undo))
		}
		return Order{}, fmt.Errorf("checkout %s: %w", item, err)
	}
	o := Order{Item: item, Total: receipt.Amount, Receipt: receipt.ID}
	if _, err := db.ExecContext(context.WithoutCancel(ctx), "INSERT INTO orders (item, total, receipt, placed) VALUES ($1, $2, $3, $4)", o.Item, o.Total, o.Receipt, time.Now().UnixNano()); err != nil {
		return Order{}, fmt.Errorf("checkout %s: record the order: %w", item, err)
	}
	return o, nil
}

// Stock returns how many of item the shop has (0 for an item it does not
// sell).
//
//microfn:service
func Stock(ctx context.Context, item string) (int, error) {
	var n int
	err := db.QueryRowContext(ctx, "SELECT count FROM stock WHERE item = $1", item).Scan(&n)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("stock of %s: %w", item, err)
	}
	return n, nil
}

// Orders returns the orders of item, oldest first.
//
//microfn:service
func Orders(ctx context.Context, item string) ([]Order, error) {
	rows, err := db.QueryContext(ctx, "SELECT item, total, receipt FROM orders WHERE item = $1 ORDER BY placed", item)
	if err != nil {
		return nil, fmt.Errorf("orders of %s: %w", item, err)
	}
	defer rows.Close()
	out := []Order{}
	for rows.Next() {
		var o Order
		if err := rows.Scan(&o.Item, &o.Total, &o.Receipt); err != nil {
			return nil, fmt.Errorf("orders of %s: %w", item, err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("orders of %s: %w", item, err)
	}
	return out, nil
}

// AddToCart adds item to the cart and returns the cart's items. Two
// additions at once both land: each writes the version of the cart it
// read (CompareAndSwap), and the one that finds it changed reads it
// again.
//
//microfn:service
func AddToCart(ctx context.Context, cart, item string) ([]string, error) {
	for {
		items, version, err := readCart(ctx, cart)
		if err != nil {
			return nil, err
		}
		items = append(items, item)
		data, err := json.Marshal(items)
		if err != nil {
			return nil, err
		}
		_, err = carts.CompareAndSwap(ctx, cart, data, version)
		if errors.Is(err, microfn.ErrConflict) {
			continue // written since we read it
		}
		if err != nil {
			return nil, fmt.Errorf("add %s to cart %s: %w", item, cart, err)
		}
		return items, nil
	}
}

// Cart returns the items of the cart, oldest first (none for a cart
// never filled).
//
//microfn:service
func Cart(ctx context.Context, cart string) ([]string, error) {
	items, _, err := readCart(ctx, cart)
	return items, err
}

// readCart returns the cart's items and its version in the store (0 for
// a cart that is not there).
func readCart(ctx context.Context, cart string) ([]string, int64, error) {
	items := []string{}
	data, version, err := carts.Get(ctx, cart)
	switch {
	case errors.Is(err, microfn.ErrNoKey):
		return items, 0, nil
	case err != nil:
		return nil, 0, fmt.Errorf("cart %s: %w", cart, err)
	}
	if err := json.Unmarshal(data, &items); err != nil {
		return nil, 0, fmt.Errorf("cart %s: %w", cart, err)
	}
	return items, version, nil
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
