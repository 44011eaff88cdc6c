package main

import (
	"context"
	"fmt"
	"io"

	"github.com/microfn/microfn/custom"
)

func buildCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("microfn build", "Usage: microfn build --with MODULE[@VERSION]... -o FILE [--microfn DIR]\n\nBuild a microfn executable with Go modules compiled in: service code that imports\ntheir packages calls them at compiled speed instead of interpreting their source.\nNeeds the Go toolchain and microfn's source tree (run it in a clone, or give\n--microfn DIR).", stderr)
	var with routeFlags
	fs.Var(&with, "with", "a `module` to compile in, MODULE or MODULE@VERSION (repeat for several)")
	out := fs.String("o", "", "the executable to write")
	src := fs.String("microfn", ".", "the `directory` of microfn's source tree")
	verbose := fs.Bool("v", false, "print the go commands and their output")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 0 || len(with) == 0 || *out == "" {
		fs.Usage()
		return 2
	}
	log := io.Discard
	if *verbose {
		log = stderr
	}
	if err := custom.Build(ctx, custom.Options{Modules: with, Output: *out, Source: *src, Log: log}); err != nil {
		fmt.Fprintln(stderr, "microfn build:", err)
		return 1
	}
	fmt.Fprintf(stdout, "built %s with %v compiled in\n", *out, []string(with))
	return 0
}
