package policy_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/microfn/microfn/policy"
)

func ExamplePolicy_Do() {
	// The options of "//microfn:service retry=5 backoff=constant base=1ms".
	p := policy.Default()
	for _, opt := range strings.Fields("retry=5 backoff=constant base=1ms") {
		key, value, _ := strings.Cut(opt, "=")
		if err := p.Set(key, value); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := p.Validate(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(p)

	attempts, err := p.Do(context.Background(), func(ctx context.Context, attempt int) error {
		if attempt < 3 {
			return errors.New("connection refused")
		}
		return nil
	})
	fmt.Println(attempts, err)
	// Output:
	// retry=5 backoff=constant base=1ms cap=1s jitter=10% timeout=30s scale=1 queue=100
	// 3 <nil>
}

func ExamplePolicy_Set() {
	p := policy.Default()
	fmt.Println(p.Set("retry", "x"))
	fmt.Println(p.Set("retries", "3"))
	// Output:
	// retry: want a whole number >= 1, got "x"
	// unknown option "retries" (known: retry, backoff, base, cap, jitter, budget, timeout, scale, queue)
}
