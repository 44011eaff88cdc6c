package main

// The functions both servers run. The benchmark serves this very file with
// microfn (under another package name, with Fib added), so the annotations
// below are the ones microfn applies; the baseline calls the functions
// directly and ignores them.

import (
	"encoding/json"
	"strconv"
	"strings"
)

// IsEven reports whether x is even: the direct-call scenario.
//
//microfn:service retry=3 scale=64
func IsEven(x int) bool { return x%2 == 0 }

// Guarded is IsEven under every policy option that costs something on the
// success path: retries with backoff, a budget, a timeout, a limiter and
// a queue.
//
//microfn:service retry=3 backoff=exponential base=10ms cap=1s jitter=10% budget=10s timeout=5s scale=64 queue=100
func Guarded(x int) bool { return x%2 == 0 }

// Bare is IsEven under the lightest policy there is: one attempt and a
// limiter that never makes a call wait.
//
//microfn:service retry=1 scale=1000000 queue=0
func Bare(x int) bool { return x%2 == 0 }

// SumSquares returns the sum of i*i mod 7 for i < n: arithmetic in a loop.
//
//microfn:service retry=1 scale=64 timeout=5m
func SumSquares(n int) int {
	s := 0
	for i := 0; i < n; i++ {
		s += i * i % 7
	}
	return s
}

// BuildString writes 0,1,2,…,n-1, into a strings.Builder and returns its
// length: calls into the standard library in a loop.
//
//microfn:service retry=1 scale=64 timeout=5m
func BuildString(n int) int {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(strconv.Itoa(i))
		b.WriteByte(',')
	}
	return b.Len()
}

// Item is what EncodeJSON encodes.
type Item struct {
	ID    int      `json:"id"`
	Name  string   `json:"name"`
	Tags  []string `json:"tags"`
	Score float64  `json:"score"`
}

// EncodeJSON builds n items and returns the length of their JSON:
// allocation of structs and encoding/json over them.
//
//microfn:service retry=1 scale=64 timeout=5m
func EncodeJSON(n int) (int, error) {
	items := make([]Item, n)
	for i := range items {
		items[i] = Item{ID: i, Name: "item" + strconv.Itoa(i), Tags: []string{"a", "b"}, Score: float64(i) / 2}
	}
	data, err := json.Marshal(items)
	if err != nil {
		return 0, err
	}
	return len(data), nil
}
