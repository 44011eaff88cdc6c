package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/microfn/microfn/server"
)

func openapiCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("microfn openapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: microfn openapi DIR [flags]\n\nPrint the OpenAPI document of the services below DIR, as /openapi.json serves it,\nwithout starting a server.\n\nFlags:\n")
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
		fmt.Fprintln(stderr, "microfn openapi:", err)
		return 2
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	srv, err := server.New(pos[0], append(opts, server.WithWatch(false), server.WithLogger(logger))...)
	if err != nil {
		fmt.Fprintln(stderr, "microfn openapi:", err)
		return 1
	}
	if errs := srv.ReloadAll(ctx); len(errs) > 0 {
		for _, err := range errs {
			fmt.Fprintln(stderr, errorLines(err))
		}
		return 1
	}
	doc, err := srv.OpenAPI()
	if err != nil {
		fmt.Fprintln(stderr, "microfn openapi:", err)
		return 1
	}
	_, _ = stdout.Write(doc)
	return 0
}
