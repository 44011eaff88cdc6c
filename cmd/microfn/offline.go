package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"

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
	// The packages that fail to load are reported by reportFailed, once:
	// the log stays quiet.
	logger := slog.New(slog.DiscardHandler)
	srv, err := server.New(dir, append(append(opts, executableOptions()...), server.WithWatch(false), server.WithLogger(logger))...)
	if err != nil {
		fmt.Fprintf(stderr, "microfn %s: %v\n", name, err)
		return nil, 1
	}
	return srv, 0
}

// reportFailed writes to stderr each package of srv that failed to load,
// with its errors, one file:line:col: message per line, and reports
// whether there was one: routes and openapi print what loaded, but exit 1
// when a package is missing from it.
func reportFailed(name string, srv *server.Server, stderr io.Writer) bool {
	failed := false
	for _, p := range srv.Status().Packages {
		if len(p.Errors) == 0 {
			continue
		}
		failed = true
		fmt.Fprintf(stderr, "microfn %s: package %s did not load, so its services are left out:\n", name, p.Dir)
		for _, e := range p.Errors {
			fmt.Fprintln(stderr, strings.TrimSpace(e))
		}
	}
	return failed
}
