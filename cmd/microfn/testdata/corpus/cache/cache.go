// Package cache keeps recently used entries with
// github.com/hashicorp/golang-lru/v2.
package cache

import (
	"fmt"

	lru "github.com/hashicorp/golang-lru/v2"
)

// Replay applies operations ("add k v", "get k", "remove k") to an LRU
// cache of the size given and reports what each saw, evictions included.
//
//microfn:service
func Replay(size int, ops []string) ([]string, error) {
	var evicted []string
	c, err := lru.NewWithEvict[string, int](size, func(k string, v int) { evicted = append(evicted, fmt.Sprintf("%s=%d", k, v)) })
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, op := range ops {
		var verb, k string
		var v int
		fmt.Sscan(op, &verb, &k, &v)
		switch verb {
		case "add":
			out = append(out, fmt.Sprintf("add %s evicted=%v", k, c.Add(k, v)))
		case "get":
			v, ok := c.Get(k)
			out = append(out, fmt.Sprintf("get %s=%d %v", k, v, ok))
		case "remove":
			out = append(out, fmt.Sprintf("remove %s %v", k, c.Remove(k)))
		default:
			return nil, fmt.Errorf("unknown operation %q", op)
		}
	}
	return append(out, fmt.Sprintf("keys=%v len=%d evicted=%v", c.Keys(), c.Len(), evicted)), nil
}
