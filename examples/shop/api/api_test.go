package api

import (
	"context"
	"errors"
	"testing"

	"example.com/shop/billing"
)

// Run by go test, the services are plain Go: api's calls of billing's
// services are local function calls, no server involved, and the
// database shop is a temporary SQLite database with the migrations of
// migrations/shop applied.
func TestPrice(t *testing.T) {
	tests := []struct {
		cents int64
		want  string
	}{
		{5, "$0.05"},
		{1000, "$10.30"},
		{25000, "$257.50"},
	}
	for _, tc := range tests {
		if got := Price(tc.cents); got != tc.want {
			t.Errorf("Price(%d) = %q, want %q", tc.cents, got, tc.want)
		}
	}
}

func TestCheckout(t *testing.T) {
	tests := []struct {
		name     string
		number   string
		want     Order
		err      string
		declined bool
	}{
		{"ok", "4242424242424242", Order{Item: "book", Total: "$10.30", Receipt: "r-4242-1030"}, "", false},
		{"declined", "4000000000000000", Order{}, "checkout book: charge $10.30 to card 0000: card declined", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Checkout(context.Background(), "book", tc.number, 1000)
			if got != tc.want {
				t.Errorf("Checkout = %+v, want %+v", got, tc.want)
			}
			msg := ""
			if err != nil {
				msg = err.Error()
			}
			if msg != tc.err {
				t.Errorf("Checkout error = %q, want %q", msg, tc.err)
			}
			if is := errors.Is(err, billing.ErrDeclined); is != tc.declined {
				t.Errorf("errors.Is(err, billing.ErrDeclined) = %v, want %v", is, tc.declined)
			}
		})
	}
}

func TestTryCharge(t *testing.T) {
	tests := []struct {
		name   string
		number string
		want   Attempt
	}{
		{"ok", "4242424242424242", Attempt{OK: true, Detail: "charged $10.30 as r-4242-1030"}},
		{"declined", "4000000000000000", Attempt{Declined: true, Detail: "charge $10.30 to card 0000: card declined"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := TryCharge(tc.number, 1000); got != tc.want {
				t.Errorf("TryCharge(%q, 1000) = %+v, want %+v", tc.number, got, tc.want)
			}
		})
	}
}

// TestCheckoutStock: a checkout takes the item from the stock and
// records the order; one of an item out of stock fails with
// ErrOutOfStock, and a declined card puts the item back.
func TestCheckoutStock(t *testing.T) {
	ctx := context.Background()
	stock := func(want int) {
		t.Helper()
		if n, err := Stock(ctx, "lamp"); err != nil || n != want {
			t.Fatalf("Stock(lamp) = %d, %v; want %d", n, err, want)
		}
	}
	stock(2)
	if _, err := Checkout(ctx, "lamp", "4000000000000000", 4000); !errors.Is(err, billing.ErrDeclined) {
		t.Fatalf("declined checkout: %v", err)
	}
	stock(2)
	for range 2 {
		if _, err := Checkout(ctx, "lamp", "4242424242424242", 4000); err != nil {
			t.Fatal(err)
		}
	}
	stock(0)
	_, err := Checkout(ctx, "lamp", "4242424242424242", 4000)
	if want := "checkout lamp: out of stock"; !errors.Is(err, ErrOutOfStock) || err.Error() != want {
		t.Errorf("checkout out of stock: %v, want %q wrapping ErrOutOfStock", err, want)
	}
	stock(0)
	orders, err := Orders(ctx, "lamp")
	if err != nil || len(orders) != 2 || orders[0] != (Order{Item: "lamp", Total: "$41.20", Receipt: "r-4242-4120"}) {
		t.Errorf("Orders(lamp) = %+v, %v; want the 2 orders", orders, err)
	}
	if n, err := Stock(ctx, "nothing"); err != nil || n != 0 {
		t.Errorf("Stock(nothing) = %d, %v; want 0", n, err)
	}
}

// TestCart: additions to a cart accumulate, concurrent ones included,
// each kept by the key-value store carts.
func TestCart(t *testing.T) {
	ctx := context.Background()
	if items, err := Cart(ctx, "empty"); err != nil || len(items) != 0 {
		t.Errorf("Cart(empty) = %q, %v; want no item", items, err)
	}
	if items, err := AddToCart(ctx, "ann", "book"); err != nil || len(items) != 1 || items[0] != "book" {
		t.Fatalf("AddToCart(ann, book) = %q, %v", items, err)
	}
	const n = 8
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := AddToCart(ctx, "ann", "pen")
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	items, err := Cart(ctx, "ann")
	if err != nil || len(items) != n+1 || items[0] != "book" || items[n] != "pen" {
		t.Errorf("Cart(ann) = %q, %v; want book and %d pens", items, err, n)
	}
}
