package main

import (
	"fmt"
	"io"
	"log/slog"

	"github.com/microfn/microfn/server"
)

// offlineServer parses the flags of a command that loads DIR as serve
// would, without listening (routes, openapi): DIR, --only, --route,
// --routes and --allow. It returns the loaded server, or the exit code to
// return.
func offlineServer(name, usage string, args []string, stderr io.Writer) (*server.Server, int) {
	fs := newFlagSet("microfn "+name, usage, stderr)
	split := splitFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return nil, 2
	}
	dir, rest, ok := servedDir(pos)
	if !ok || len(rest) != 0 {
		fs.Usage()
		return nil, 2
	}
	opts, err := split()
	if err != nil {
		fmt.Fprintf(stderr, "microfn %s: %v\n", name, err)
		return nil, 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := server.New(dir, append(append(opts, executableOptions()...), server.WithWatch(false), server.WithLogger(logger))...)
	if err != nil {
		fmt.Fprintf(stderr, "microfn %s: %v\n", name, err)
		return nil, 1
	}
	return srv, 0
}
