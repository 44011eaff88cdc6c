// Package hashing hashes with github.com/cespare/xxhash/v2.
package hashing

import (
	"strconv"

	"github.com/cespare/xxhash/v2"
)

// Sum hashes each string, and all of them streamed through one digest,
// and picks a shard of 16 for each.
//
//microfn:service
func Sum(ss []string) []string {
	d := xxhash.New()
	out := []string{}
	for _, s := range ss {
		h := xxhash.Sum64String(s)
		out = append(out, strconv.FormatUint(h, 16)+" shard="+strconv.FormatUint(h%16, 10))
		d.WriteString(s)
	}
	return append(out, "all="+strconv.FormatUint(d.Sum64(), 16), "seeded="+strconv.FormatUint(xxhash.NewWithSeed(42).Sum64(), 16))
}
