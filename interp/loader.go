package interp

import (
	"context"
	"log/slog"
	"slices"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/sandbox"
	"github.com/microfn/microfn/state"
	"github.com/microfn/microfn/svcrt"
)

// Options configure a [Loader]. The zero value is ready to use.
type Options struct {
	// Unrestricted gives service code the whole standard library,
	// including unsafe, syscall, os/exec and the other symbols yaegi keeps
	// out of its own sandbox.
	Unrestricted bool
	// Allow adds standard library packages to the default [Sandbox], such
	// as "net/http" or "os".
	Allow []string
	// Logger receives what service code prints to stdout and stderr, and
	// panics of goroutines it starts. Default: slog.Default().
	Logger *slog.Logger
	// Sources finds the packages service code imports from source: the
	// served module's other packages and those of the modules it
	// requires. Without it, service code imports only the standard
	// library and package microfn.
	Sources SourceImporter
	// Env is the environment service code reads with os.Getenv,
	// os.LookupEnv and os.Environ ("NAME=VALUE" entries): the
	// interpreter's own, never the host process's (but with
	// Unrestricted, which gives the real os package).
	Env []string
	// Compiled are the symbol tables of Go packages compiled into the
	// executable (see microfn build --with), keyed as yaegi's are
	// ("github.com/google/uuid/uuid"). Service code calls them at
	// compiled speed; they are outside the sandbox, as the standard
	// library is to itself. Their types come from their source, through
	// Sources, when it has it.
	Compiled []yaegi.Exports
	// Types, if set, opens the export data of the standard library's
	// packages for the type checker, from the files it was given (see
	// Types: a process that must not run the go command is given them),
	// and keeps what it read. Default: ask the go command where it is.
	Types *Types
	// Databases are the databases service code's microfn.Database and
	// microfn.KV open, each package through its view of them
	// (state.Set.ForPackage of its folder). Default: the process's
	// (state.Process).
	Databases *state.Set
}

// A Loader loads packages of service code. It keeps the type information
// of the standard library between loads. It is safe for concurrent use.
type Loader struct {
	opts                Options
	types               *typeChecker
	allowed             map[string]bool
	allowedUnrestricted map[string]bool
	compiled            map[string]bool // import paths of Options.Compiled
}

// partial reports whether only a part of the package at path is available.
func (l *Loader) partial(path string) bool {
	return sandbox.IsPartial(path) && !l.opts.Unrestricted && !slices.Contains(l.opts.Allow, path)
}

// typeChecker returns the type checker of a Loader with the options.
func (o *Options) typeChecker() *typeChecker {
	if o.Types != nil {
		return o.Types.tc
	}
	return newTypeChecker(nil)
}

// NewLoader returns a Loader with the given options.
func NewLoader(opts Options) *Loader {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	l := &Loader{
		opts:                opts,
		types:               opts.typeChecker(),
		allowed:             map[string]bool{},
		allowedUnrestricted: map[string]bool{},
	}
	for _, p := range Allowed(opts.Unrestricted, opts.Allow...) {
		l.allowed[p] = true
	}
	l.compiled = map[string]bool{}
	for _, set := range opts.Compiled {
		for key := range set {
			l.compiled[sandbox.PathOfKey(key)] = true
			l.allowed[sandbox.PathOfKey(key)] = true
		}
	}
	for _, p := range Allowed(true) {
		l.allowedUnrestricted[p] = true
	}
	return l
}

// Load checks, rewrites and interprets src. call carries out the calls
// between its services. Problems in the source are returned as a
// funcs.ErrorList with positions in src's files. It is [Loader.Prepare]
// followed by [Loader.Run].
func (l *Loader) Load(ctx context.Context, src *funcs.Package, call svcrt.CallFunc) (*svcrt.Package, error) {
	prep, err := l.Prepare(src)
	if err != nil {
		return nil, err
	}
	return l.Run(ctx, src, prep, call)
}

// Prepare checks src (imports against the sandbox, types, calls made at
// init) and rewrites it for the interpreter. It runs none of its code.
func (l *Loader) Prepare(src *funcs.Package) (*Prepared, error) {
	return l.PrepareWith(src, l.opts.Sources)
}

// PrepareWith is [Loader.Prepare] with the packages src imports from
// source found by sources rather than by Options.Sources: packages
// prepared together can then see one snapshot of their files.
func (l *Loader) PrepareWith(src *funcs.Package, imp SourceImporter) (*Prepared, error) {
	return l.NewBatch(imp).Prepare(src)
}
