// Package zerologs writes structured logs with github.com/rs/zerolog.
package zerologs

import (
	"bytes"
	"errors"

	"github.com/rs/zerolog"
)

// Log writes a JSON log of an order at the level given, and returns what
// was written.
//
//microfn:service
func Log(level, order string, items int, total float64) (string, error) {
	lvl, err := zerolog.ParseLevel(level)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	logger := zerolog.New(&buf).Level(zerolog.InfoLevel).With().Str("service", "shop").Logger()
	logger.WithLevel(lvl).
		Str("order", order).
		Int("items", items).
		Float64("total", total).
		Strs("tags", []string{"a", "b"}).
		Err(errors.New("card declined")).
		Dict("customer", zerolog.Dict().Str("name", "ann").Bool("vip", true)).
		Msg("order placed")
	logger.Debug().Msg("not written: below info")
	return buf.String(), nil
}
