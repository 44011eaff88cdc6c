package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"

	"github.com/microfn/microfn/server"
)

func routesCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("microfn routes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: microfn routes DIR [flags]\n\nPrint the service table of the packages below DIR: name, route, package, policy,\nand where each service is served, given the same --only and --route flags as serve.\n\nFlags:\n")
		fs.PrintDefaults()
	}
	split := splitFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	opts, err := split()
	if err != nil {
		fmt.Fprintln(stderr, "microfn routes:", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := server.New(pos[0], append(opts, server.WithWatch(false), server.WithLogger(logger))...)
	if err != nil {
		fmt.Fprintln(stderr, "microfn routes:", err)
		return 1
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROUTE\tPACKAGE\tSERVED AT\tPOLICY")
	for _, s := range srv.Services() {
		where := s.Where
		if where == "" {
			where = "(no route)"
		}
		fmt.Fprintf(tw, "%s\t/%s\t%s\t%s\t%s\n", s.Desc.Name, s.Route, s.Package, where, s.Policy)
	}
	if err := tw.Flush(); err != nil {
		fmt.Fprintln(stderr, "microfn routes:", err)
		return 1
	}
	return 0
}
