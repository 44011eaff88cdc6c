package seed

import (
	"net/http"
	"testing"

	"github.com/microfn/microfn"
)

// The services are plain Go: go test calls them as local functions, no
// server involved.
func TestServicesAsLocalCalls(t *testing.T) {
	tests := []struct {
		name      string
		got, want any
	}{
		{"IsEven(4)", IsEven(4), true},
		{"IsOdd(7)", IsOdd(7), true},
		{"Fib(10)", Fib(10), 89},
		{"Factorial(5)", Factorial(5), 120},
		{"Distance", Distance(Point{0, 0}, Point{3, 4}), 5.0},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s = %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if a, err := Area(Rect{Max: Point{2, 3}}); err != nil || a != 6 {
		t.Errorf("Area = %v, %v", a, err)
	}
	if _, err := Area(Rect{Min: Point{3, 0}, Max: Point{2, 3}}); microfn.StatusOf(err) != http.StatusBadRequest {
		t.Errorf("Area of a swapped rectangle: %v (status %d), want a 400", err, microfn.StatusOf(err))
	}
	if s := SlowFunction(0); s != "slept 0s" {
		t.Errorf("SlowFunction(0) = %q", s)
	}
}
