// Package ulids makes and parses ULIDs with github.com/oklog/ulid/v2.
package ulids

import (
	"bytes"
	"time"

	"github.com/oklog/ulid/v2"
)

// Make makes n ULIDs at the time t, in order, with monotonic entropy
// read from a fixed seed (so the answer is the same each time).
//
//microfn:service
func Make(t time.Time, n int) ([]string, error) {
	entropy := ulid.Monotonic(bytes.NewReader(bytes.Repeat([]byte{0x5a, 0x01, 0xc3}, 64)), 0)
	out := []string{}
	for i := 0; i < n; i++ {
		id, err := ulid.New(ulid.Timestamp(t), entropy)
		if err != nil {
			return nil, err
		}
		out = append(out, id.String())
	}
	return out, nil
}

// Parse parses a ULID and returns its time and entropy.
//
//microfn:service
func Parse(s string) (string, error) {
	id, err := ulid.ParseStrict(s)
	if err != nil {
		return "", err
	}
	return ulid.Time(id.Time()).UTC().Format(time.RFC3339Nano) + " " + string(bytes.ToUpper([]byte(id.Entropy()[:2]))), nil
}

// Echo takes and returns a ulid.ULID, which travels as its text.
//
//microfn:service
func Echo(id ulid.ULID) ulid.ULID { return id }
