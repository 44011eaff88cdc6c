// Package parallel runs work concurrently with golang.org/x/sync/errgroup.
package parallel

import (
	"context"
	"fmt"

	"golang.org/x/sync/errgroup"
)

// SumSquares sums the squares of 1..n of each of ns, at most two at a
// time, and fails if any n is negative.
//
//microfn:service
func SumSquares(ctx context.Context, ns []int) ([]int, error) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(2)
	out := make([]int, len(ns))
	for i, n := range ns {
		g.Go(func() error {
			if n < 0 {
				return fmt.Errorf("item %d: negative n %d", i, n)
			}
			s := 0
			for k := 1; k <= n; k++ {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				s += k * k
			}
			out[i] = s
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}
