package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
)

func checkCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("microfn check", "Usage: microfn check DIR\n\nLoad every package below DIR as microfn serve would and print every error as\nfile:line:col: message. Exit status 1 if there is any: for CI and editors.", stderr)
	unrestricted := fs.Bool("unrestricted", false, "check as microfn serve --unrestricted would")
	allow := allowFlag(fs)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	root := pos[0]
	dirs, err := funcs.PackageDirs(root)
	if err != nil {
		fmt.Fprintln(stderr, "microfn check:", err)
		return 1
	}
	if len(dirs) == 0 {
		fmt.Fprintf(stderr, "microfn check: no Go files below %s\n", root)
		return 1
	}
	loader := interp.NewLoader(interp.Options{Unrestricted: *unrestricted, Allow: allow(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	failed, services := 0, 0
	for _, rel := range dirs {
		dir := filepath.Join(root, filepath.FromSlash(rel))
		src, err := funcs.Load(dir)
		if err == nil {
			var pkg *interp.Package
			pkg, err = loader.Load(ctx, src, func(*interp.Call) error {
				return errors.New("services cannot be called while checking")
			})
			if err == nil {
				services += len(pkg.Services)
				pkg.Close()
			}
		}
		if err != nil {
			failed++
			fmt.Fprintln(stderr, errorLines(err))
		}
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "microfn check: %d of %d packages have errors\n", failed, len(dirs))
		return 1
	}
	fmt.Fprintf(stdout, "ok: %d packages, %d services\n", len(dirs), services)
	return 0
}

// errorLines prints a load error one problem per line.
func errorLines(err error) string {
	var list funcs.ErrorList
	if errors.As(err, &list) {
		return strings.TrimSpace(list.Lines())
	}
	return err.Error()
}
