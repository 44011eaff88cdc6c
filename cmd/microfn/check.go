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
	"github.com/microfn/microfn/gomod"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/svcrt"
)

func checkCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("microfn check", "Usage: microfn check DIR\n\nLoad every package below DIR as microfn serve would and print every error as\nfile:line:col: message. Exit status 1 if there is any: for CI and editors.\nWarnings print as file:line:col: warning: message and leave the status alone.", stderr)
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
	mod, err := gomod.Find(root, funcs.Limits{})
	if err != nil {
		fmt.Fprintln(stderr, "microfn check:", err)
		return 1
	}
	var sources interp.SourceImporter = gomod.NoModule{}
	if mod != nil {
		sources = mod
	}
	loader := interp.NewLoader(interp.Options{Unrestricted: *unrestricted, Allow: allow(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Sources: sources, Compiled: compiledIn})
	// A second loader, for type errors hidden behind refused imports (see
	// checkDir). It only type-checks: it runs no code.
	var typesOnly *interp.Loader
	if !*unrestricted {
		typesOnly = interp.NewLoader(interp.Options{Unrestricted: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Sources: sources, Compiled: compiledIn})
	}
	var imp funcs.Importer
	if mod != nil {
		imp = mod.Importer()
	}
	failed, services := 0, 0
	for _, rel := range dirs {
		dir := filepath.Join(root, filepath.FromSlash(rel))
		importPath := ""
		if mod != nil {
			importPath = mod.ImportPath(dir)
		}
		n, errs, warnings := checkDir(ctx, loader, typesOnly, dir, importPath, imp)
		services += n
		if len(errs) > 0 {
			failed++
			fmt.Fprintln(stderr, joinLines(errs))
		}
		for _, w := range warnings {
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

// checkDir loads the package in dir as serve would and returns how many
// services it has and every error of every kind: files it could not read,
// services it cannot serve (their signatures, directives, routes), and
// what the interpreter's loader finds in the package with the other
// services (imports, types, the sandbox, calls made at init, running its
// init). Each step would stop a load, so serve reports the first kind
// only; check goes on with what it can. A package whose imports the
// sandbox refuses is also type-checked by typesOnly (a loader without the
// sandbox, which runs nothing), since its type errors would only appear
// once the imports are fixed. warnings are what the checks found that
// does not stop a load (see interp.Prepared.Warnings).
func checkDir(ctx context.Context, loader, typesOnly *interp.Loader, dir, importPath string, imp funcs.Importer) (services int, errs []error, warnings funcs.ErrorList) {
	var list funcs.ErrorList
	add := func(err error) {
		var l funcs.ErrorList
		var se *funcs.SourceError
		switch {
		case err == nil:
		case errors.As(err, &l):
			list = append(list, l...)
		case errors.As(err, &se):
			list = append(list, se)
		default:
			errs = append(errs, err)
		}
	}
	files, err := funcs.ReadDir(dir, funcs.Limits{})
	if funcs.IsProgram(files) {
		return 0, nil, nil // a program beside the services: never served
	}
	add(err)
	if len(files) == 0 && err != nil {
		return 0, append(uniqueErrors(list), errs...), nil // nothing more to check
	}
	src, err := funcs.ParseAllWith(dir, files, imp)
	add(err)
	if src != nil {
		src.ImportPath = importPath
		prep, err := loader.Prepare(src)
		if err == nil {
			warnings = prep.Warnings
			var pkg *svcrt.Package
			pkg, err = loader.Run(ctx, src, prep, func(*svcrt.Call) error {
				return errors.New("services cannot be called while checking")
			})
			if err == nil {
				services = len(pkg.Services)
				pkg.Close()
			}
		}
		add(err)
		if err != nil && typesOnly != nil {
			_, err := typesOnly.Prepare(src)
			add(err)
		}
	}
	return services, append(uniqueErrors(list), errs...), warnings
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
