package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/gomod"
	"github.com/microfn/microfn/server"
)

func checkCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("microfn check", "Usage: microfn check DIR\n\nLoad every package below DIR as microfn serve would and print every error as\nfile:line:col: message. Exit status 1 if there is any: for CI and editors.\nThe code is checked and its init functions run in worker processes, as serve\nruns them, never in this one. Warnings print as file:line:col: warning: message\nand leave the status alone.", stderr)
	unrestricted := fs.Bool("unrestricted", false, "check as microfn serve --unrestricted would")
	allow := allowFlag(fs)
	env := envFlag(fs)
	loadTimeout := fs.Duration("load-timeout", 10*time.Second, "longest a package may take to load, init functions included")
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
	mod, err := gomod.Find(root, funcs.Limits{})
	if err != nil {
		fmt.Fprintln(stderr, "microfn check:", err)
		return 1
	}
	var imp funcs.Importer
	if mod != nil {
		imp = mod.Importer()
	}
	// Each package as parsed, with the errors of its files and services;
	// then what loading finds in what parsed.
	lists := map[string]funcs.ErrorList{}
	others := map[string][]error{}
	srcs := map[string]*funcs.Package{}
	for _, rel := range dirs {
		dir := filepath.Join(root, filepath.FromSlash(rel))
		src, list, errs := parseDir(dir, imp)
		if src != nil && mod != nil {
			src.ImportPath = mod.ImportPath(dir)
		}
		if src != nil {
			srcs[rel] = src
		}
		lists[rel], others[rel] = list, errs
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	opts := append(executableOptions(), server.WithLogger(quiet), server.WithWatch(false), server.WithLoadTimeout(*loadTimeout))
	loaded, warnings, err := server.Check(ctx, root, srcs, true, append(opts, server.WithUnrestricted(*unrestricted), server.WithAllow(allow()...), server.WithEnv(env()...))...)
	if err != nil {
		fmt.Fprintln(stderr, "microfn check:", err)
		return 1
	}
	if !*unrestricted && len(loaded) > 0 {
		// Type errors hidden behind refused imports: checked again
		// without the sandbox, running nothing.
		refused := map[string]*funcs.Package{}
		for rel := range loaded {
			refused[rel] = srcs[rel]
		}
		typed, _, err := server.Check(ctx, root, refused, false, append(opts, server.WithUnrestricted(true))...)
		if err != nil {
			fmt.Fprintln(stderr, "microfn check:", err)
			return 1
		}
		for rel, err := range typed {
			addError(lists, others, rel, err)
		}
	}
	for rel, err := range loaded {
		addError(lists, others, rel, err)
	}
	failed, services := 0, 0
	for _, rel := range dirs {
		errs := append(uniqueErrors(lists[rel]), others[rel]...)
		if len(errs) > 0 {
			failed++
			fmt.Fprintln(stderr, joinLines(errs))
		} else if src := srcs[rel]; src != nil {
			services += len(src.Services)
		}
		for _, w := range warnings[rel] {
			fmt.Fprintf(stderr, "%s: warning: %s\n", w.Pos, w.Msg)
		}
	}
	if failed > 0 {
		fmt.Fprintf(stderr, "microfn check: %d of %d packages have errors\n", failed, len(dirs))
		return 1
	}
	fmt.Fprintf(stdout, "ok: %d packages, %d services\n", len(dirs), services)
	return 0
}

// parseDir reads and parses the package in dir as serve would, going on
// past errors: it returns the package as far as it parsed (nil for a
// program, or a package none of whose files could be read), and every
// error of its files and services.
func parseDir(dir string, imp funcs.Importer) (*funcs.Package, funcs.ErrorList, []error) {
	lists := map[string]funcs.ErrorList{}
	others := map[string][]error{}
	files, err := funcs.ReadDir(dir, funcs.Limits{})
	if funcs.IsProgram(files) {
		return nil, nil, nil // a program beside the services: never served
	}
	addError(lists, others, "", err)
	if len(files) == 0 && err != nil {
		return nil, lists[""], others[""] // nothing more to check
	}
	src, err := funcs.ParseAllWith(dir, files, imp)
	addError(lists, others, "", err)
	return src, lists[""], others[""]
}

// addError adds err, an error of the package in rel, to its positioned
// errors in lists or to its others.
func addError(lists map[string]funcs.ErrorList, others map[string][]error, rel string, err error) {
	var l funcs.ErrorList
	var se *funcs.SourceError
	switch {
	case err == nil:
	case errors.As(err, &l):
		lists[rel] = append(lists[rel], l...)
	case errors.As(err, &se):
		lists[rel] = append(lists[rel], se)
	default:
		others[rel] = append(others[rel], err)
	}
}

// uniqueErrors sorts list by position and drops the errors reported twice
// (by two steps, at one position, with one message).
func uniqueErrors(list funcs.ErrorList) []error {
	list.Sort()
	var out []error
	seen := map[string]bool{}
	for _, e := range list {
		key := e.Error()
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, e)
	}
	return out
}

// joinLines prints errors one per line.
func joinLines(errs []error) string {
	lines := make([]string, len(errs))
	for i, err := range errs {
		lines[i] = err.Error()
	}
	return strings.Join(lines, "\n")
}

// errorLines prints a load error one problem per line.
func errorLines(err error) string {
	var list funcs.ErrorList
	if errors.As(err, &list) {
		return strings.TrimSpace(list.Lines())
	}
	return err.Error()
}
