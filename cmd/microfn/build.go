package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/microfn/microfn/compile"
	"github.com/microfn/microfn/custom"
	"github.com/microfn/microfn/server"
)

const buildUsage = `Usage:
  microfn build DIR -o FILE [flags]
  microfn build --with MODULE[@VERSION]... -o FILE [flags]

The first form builds an application: one executable with every package below
DIR compiled natively, the server and its workers included. "FILE serve" serves
the same routes, policies, docs and metrics as "microfn serve DIR", with no
interpreter at work and no Go toolchain or source folder needed where it runs.

The second form builds a microfn with Go modules compiled in: service code that
it interprets calls the packages of those modules at compiled speed.

Both need the Go toolchain and microfn's source tree (found where this
executable was built, or given by --microfn DIR or $MICROFN_SOURCE).`

func buildCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("microfn build", buildUsage, stderr)
	var with routeFlags
	fs.Var(&with, "with", "a `module` to compile in, MODULE or MODULE@VERSION (repeat for several)")
	out := fs.String("o", "", "the executable to write")
	src := fs.String("microfn", "", "the `directory` of microfn's source tree (default: where this microfn was built from, or $MICROFN_SOURCE)")
	unrestricted := fs.Bool("unrestricted", false, "build code that imports the unrestricted standard library, as serve --unrestricted loads it")
	allow := allowFlag(fs)
	verbose := fs.Bool("v", false, "print the go commands and their output")
	cache := workerCacheFlags(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	build, err := cache()
	if err != nil {
		fmt.Fprintln(stderr, "microfn build:", err)
		return 2
	}
	if *out == "" || (len(with) == 0) == (len(pos) == 0) || len(pos) > 1 {
		fs.Usage()
		return 2
	}
	if *src == "" {
		if *src, err = compile.SourceDir(); err != nil {
			fmt.Fprintln(stderr, "microfn build:", err)
			return 1
		}
	}
	if len(pos) == 1 {
		build.Source = *src
		return buildApp(ctx, pos[0], *out, build, server.WithUnrestricted(*unrestricted), server.WithAllow(allow()...), stdout, stderr)
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

// buildApp builds the application of the packages below root into out,
// with the build options build (microfn's source tree, the cache).
// Errors in the code are printed as microfn check prints them, and no
// executable is written.
func buildApp(ctx context.Context, root, out string, build compile.Options, sandbox, allow server.Option, stdout, stderr io.Writer) int {
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	built, err := server.BuildApp(ctx, root, out, build, sandbox, allow, server.WithLogger(quiet), server.WithWatch(false))
	if err != nil {
		fmt.Fprintln(stderr, errorLines(err))
		fmt.Fprintln(stderr, "microfn build: no executable written")
		return 1
	}
	size := ""
	if st, err := os.Stat(out); err == nil {
		size = fmt.Sprintf(", %.1f MiB", float64(st.Size())/(1<<20))
	}
	fmt.Fprintf(stdout, "built %s: %d packages, %d services, compiled in %s%s\n", out, len(built.Prebuilt.Packages), built.Services, built.Took.Round(time.Millisecond), size)
	return 0
}
