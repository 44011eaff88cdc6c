package orders

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// Run by go test, History is a plain Go iterator over the rows of a
// temporary database with the migrations of migrations/orders applied,
// and Place's call of billing.Charge a local call.
func TestHistory(t *testing.T) {
	ctx := context.Background()
	var ids []string
	for o, err := range History(ctx, "ann") {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	if fmt.Sprint(ids) != "[o-1 o-2 o-3]" {
		t.Errorf("History(ann) = %v", ids)
	}
	for _, err := range History(ctx, "nobody") {
		if !errors.Is(err, ErrNoCustomer) {
			t.Errorf("History(nobody): %v, want ErrNoCustomer", err)
		}
	}
	if n, err := CountShipped(ctx, "ann"); n != 2 || err != nil {
		t.Errorf("CountShipped(ann) = %d, %v", n, err)
	}
}

// TestPlace: an order is numbered after the customer's others and joins
// the history; a declined card records nothing.
func TestPlace(t *testing.T) {
	ctx := context.Background()
	if _, err := Place(ctx, "cy", "mug", "4000000000000000", 800); err == nil || err.Error() != "order mug for cy: charge $8.24 to card 0000: card declined" {
		t.Errorf("a declined order: %v", err)
	}
	for i, item := range []string{"mug", "pen"} {
		o, err := Place(ctx, "cy", item, "4242424242424242", 800)
		want := Order{ID: fmt.Sprintf("o-%d", i+1), Item: item, Total: "$8.24", Status: Paid, Receipt: "r-4242-824"}
		if err != nil || o != want {
			t.Fatalf("Place(cy, %s) = %+v, %v; want %+v", item, o, err, want)
		}
	}
	var got []Order
	for o, err := range History(ctx, "cy") {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, o)
	}
	if len(got) != 2 || got[0].Item != "mug" || got[1].ID != "o-2" {
		t.Errorf("History(cy) = %+v, want the mug then the pen", got)
	}
}

// A customer's orders, oldest first.
func ExampleHistory() {
	for o, err := range History(context.Background(), "ann") {
		fmt.Println(o.ID, o.Item, o.Status, err)
	}
	// Output:
	// o-1 book shipped <nil>
	// o-2 pen shipped <nil>
	// o-3 lamp paid <nil>
}

// Ann has two orders shipped.
func ExampleCountShipped() {
	fmt.Println(CountShipped(context.Background(), "ann"))
	// Output: 2 <nil>
}
