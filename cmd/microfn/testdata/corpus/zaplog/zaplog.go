// Package zaplog writes structured logs with go.uber.org/zap.
package zaplog

import (
	"bytes"
	"errors"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// Log writes a JSON log of an order at the level given, with fields of
// several kinds, and returns what was written.
//
//microfn:service
func Log(level, order string, items int, total float64) (string, error) {
	lvl, err := zapcore.ParseLevel(level)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	cfg := zap.NewProductionEncoderConfig()
	cfg.TimeKey = "" // no time: the output stays the same
	core := zapcore.NewCore(zapcore.NewJSONEncoder(cfg), zapcore.AddSync(&buf), zapcore.InfoLevel)
	logger := zap.New(core).Named("orders").With(zap.String("service", "shop"))
	logger.Log(lvl, "order placed",
		zap.String("order", order),
		zap.Int("items", items),
		zap.Float64("total", total),
		zap.Duration("took", 1500*time.Millisecond),
		zap.Strings("tags", []string{"a", "b"}),
		zap.Error(errors.New("card declined")),
	)
	logger.Debug("not written: below info")
	if err := logger.Sync(); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// Console writes a line with the console encoder.
//
//microfn:service
func Console(msg string) string {
	var buf bytes.Buffer
	cfg := zap.NewDevelopmentEncoderConfig()
	cfg.TimeKey = ""
	logger := zap.New(zapcore.NewCore(zapcore.NewConsoleEncoder(cfg), zapcore.AddSync(&buf), zapcore.DebugLevel))
	logger.Sugar().Infow(msg, "user", "ann", "attempt", 3)
	return buf.String()
}
