package billing

import (
	"errors"
	"fmt"
	"testing"
)

// The services are plain Go: go test calls them as local functions.
func TestQuote(t *testing.T) {
	tests := []struct {
		cents, want int64
	}{
		{0, 0},
		{99, 101},
		{1000, 1030},
	}
	for _, tc := range tests {
		if got := Quote(tc.cents); got != tc.want {
			t.Errorf("Quote(%d) = %d, want %d", tc.cents, got, tc.want)
		}
	}
}

func TestCharge(t *testing.T) {
	tests := []struct {
		name     string
		number   string
		cents    int64
		want     Receipt
		err      string
		declined bool
	}{
		{"ok", "4242424242424242", 1000, Receipt{ID: "r-4242-1030", Card: "4242", Cents: 1030, Amount: "$10.30"}, "", false},
		{"declined", "4000000000000000", 1000, Receipt{}, "charge $10.30 to card 0000: card declined", true},
		{"not positive", "4242424242424242", 0, Receipt{}, "charge 0 cents: amount must be positive", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Charge(tc.number, tc.cents)
			if got != tc.want {
				t.Errorf("Charge(%q, %d) = %+v, want %+v", tc.number, tc.cents, got, tc.want)
			}
			if msg := errText(err); msg != tc.err {
				t.Errorf("Charge(%q, %d) error = %q, want %q", tc.number, tc.cents, msg, tc.err)
			}
			if is := errors.Is(err, ErrDeclined); is != tc.declined {
				t.Errorf("errors.Is(err, ErrDeclined) = %v, want %v", is, tc.declined)
			}
		})
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// The total of a $10.00 purchase, fee included, in cents.
func ExampleQuote() {
	fmt.Println(Quote(1000))
	// Output: 1030
}
