package seed

import (
	"math"
	"net/http"

	"github.com/microfn/microfn"
)

// Point is a point in the plane.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Rect is an axis-aligned rectangle given by two corners.
type Rect struct {
	Min  Point  `json:"min"`
	Max  Point  `json:"max"`
	Name string `json:"name,omitempty"`
}

// Area returns the area of r. A rectangle whose corners are swapped is bad
// input: the error carries status 400, so it is never retried.
//
//microfn:service
func Area(r Rect) (float64, error) {
	if r.Max.X < r.Min.X || r.Max.Y < r.Min.Y {
		return 0, microfn.Error(http.StatusBadRequest, "max corner (%g, %g) is below or left of min corner (%g, %g)", r.Max.X, r.Max.Y, r.Min.X, r.Min.Y)
	}
	return (r.Max.X - r.Min.X) * (r.Max.Y - r.Min.Y), nil
}

// Distance returns the distance between two points.
//
//microfn:service
func Distance(a, b Point) float64 {
	return math.Hypot(b.X-a.X, b.Y-a.Y)
}
