package orders

import (
	"errors"
	"fmt"
	"testing"
)

// Run by go test, History is a plain Go iterator.
func TestHistory(t *testing.T) {
	var ids []string
	for o, err := range History("ann") {
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, o.ID)
	}
	if fmt.Sprint(ids) != "[o-1 o-2 o-3]" {
		t.Errorf("History(ann) = %v", ids)
	}
	for _, err := range History("nobody") {
		if !errors.Is(err, ErrNoCustomer) {
			t.Errorf("History(nobody): %v, want ErrNoCustomer", err)
		}
	}
	if n, err := CountShipped("ann"); n != 2 || err != nil {
		t.Errorf("CountShipped(ann) = %d, %v", n, err)
	}
}

// A customer's orders, oldest first.
func ExampleHistory() {
	for o, err := range History("ann") {
		fmt.Println(o.ID, o.Item, o.Status, err)
	}
	// Output:
	// o-1 book shipped <nil>
	// o-2 pen shipped <nil>
	// o-3 lamp paid <nil>
}

// Ann has two orders shipped.
func ExampleCountShipped() {
	fmt.Println(CountShipped("ann"))
	// Output: 2 <nil>
}
