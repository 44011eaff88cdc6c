package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/microfn/microfn/server"
)

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("microfn run", "Usage: microfn run DIR NAME [key=value ...]\n\nLoad the packages below DIR and call the service NAME once, in process (no server),\nwith its parameters given as key=value, and print the JSON result.\nNested calls stay in process. Example: microfn run examples/seed Fib n=5", stderr)
	unrestricted := fs.Bool("unrestricted", false, "let services import the unrestricted standard library")
	allow := allowFlag(fs)
	env := envFlag(fs)
	verbose := fs.Bool("v", false, "log loading and every nested call")
	databases := stateFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	dir, rest, ok := servedDir(pos)
	if !ok || len(rest) == 0 {
		fs.Usage()
		return 2
	}
	dbs, err := databases()
	if err != nil {
		fmt.Fprintln(stderr, "microfn run:", err)
		return 2
	}
	level := slog.LevelError
	if *verbose {
		level = slog.LevelInfo
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	opts := append(executableOptions(), server.WithMonolith(true), server.WithWatch(false),
		server.WithUnrestricted(*unrestricted), server.WithAllow(allow()...), server.WithEnv(env()...), server.WithLogger(logger), server.WithQuiet(!*verbose))
	srv, err := server.New(dir, append(opts, dbs.options()...)...)
	if err != nil {
		fmt.Fprintln(stderr, "microfn run:", err)
		return 1
	}
	defer srv.Close() // its worker processes and their sockets
	if errs := srv.ReloadAll(ctx); len(errs) > 0 {
		for _, err := range errs {
			fmt.Fprintln(stderr, errorLines(err))
		}
		return 1
	}
	out, err := srv.Call(ctx, rest[0], rest[1:])
	if err != nil {
		fmt.Fprintln(stderr, "microfn run:", err)
		return 1
	}
	fmt.Fprintln(stdout, string(out))
	return 0
}
