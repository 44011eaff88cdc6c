// Package shapes is a valid service package.
package shapes

import (
	"context"
	"time"
)

// Point is a point in the plane.
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Area returns the area of the rectangle between min and max. It is a
// service.
//
//microfn:service retry=3 timeout=2s
func Area(ctx context.Context, min, max Point) (float64, error) {
	return (max.X - min.X) * (max.Y - min.Y), nil
}

// Wait sleeps for d.
//
//microfn:service name=sleep
func Wait(d time.Duration) {}

// helper is not a service.
func helper() {}
