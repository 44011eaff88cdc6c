// Package human formats numbers, sizes and times for people with
// github.com/dustin/go-humanize.
package human

import (
	"time"

	"github.com/dustin/go-humanize"
)

// Size formats a size in bytes in SI and IEC units, and parses it back.
//
//microfn:service
func Size(n uint64) ([]string, error) {
	back, err := humanize.ParseBytes(humanize.IBytes(n))
	if err != nil {
		return nil, err
	}
	return []string{humanize.Bytes(n), humanize.IBytes(n), humanize.Comma(int64(n)), humanize.Ordinal(int(n % 1000)), humanize.SI(float64(n), "B"), humanize.Comma(int64(back))}, nil
}

// Ago says how long before the reference time t is.
//
//microfn:service
func Ago(t, ref time.Time) string {
	return humanize.RelTime(t, ref, "ago", "from now")
}
