package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/lmittmann/tint"

	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/server"
)

// parseInterspersed parses flags that may come before or after the
// positional arguments (microfn serve DIR --monolith) and returns the
// positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// policyFlags registers --default-KEY for every policy option and returns
// a function that builds the default policy from them.
func policyFlags(fs *flag.FlagSet) func() (policy.Policy, error) {
	def := policy.Default()
	values := map[string]*string{}
	defaults := defaultValues(def)
	for _, key := range policy.Keys() {
		values[key] = fs.String("default-"+key, defaults[key], "default `"+key+"` policy option of services that do not set it")
	}
	return func() (policy.Policy, error) {
		p := policy.Default()
		for _, key := range policy.Keys() {
			if *values[key] == defaults[key] {
				continue
			}
			if err := p.Set(key, *values[key]); err != nil {
				return p, fmt.Errorf("--default-%s: %w", key, err)
			}
		}
		return p, p.Validate()
	}
}

// defaultValues splits Policy.String into its key=value options.
func defaultValues(p policy.Policy) map[string]string {
	out := map[string]string{"budget": "0"}
	for _, kv := range strings.Fields(p.String()) {
		k, v, _ := strings.Cut(kv, "=")
		out[k] = v
	}
	return out
}

// newLogger returns the logger for format "text" (a compact line a person
// reads at a glance: time, level, message, attributes) or "json".
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "text", "":
		return slog.New(tint.NewTextHandler(w, &tint.Options{TimeFormat: "15:04:05.000", NoColor: !isTerminal(w)})), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, got %q", format)
}

// allowFlag registers --allow, the standard library packages added to the
// interpreter's sandbox.
func allowFlag(fs *flag.FlagSet) func() []string {
	allow := fs.String("allow", "", "standard library `packages` to add to the sandbox, comma-separated (e.g. net/http,os)")
	return func() []string {
		var out []string
		for _, p := range strings.Split(*allow, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
		return out
	}
}

// envFlag registers --env, the environment variables given to service
// code (repeatable).
func envFlag(fs *flag.FlagSet) func() []string {
	var env listFlag
	fs.Var(&env, "env", "`NAME[=VALUE]`: an environment variable service code reads with os.Getenv (repeatable; NAME alone passes this process's value). Workers get no other variable of this process's environment; MICROFN_* cannot be given")
	return func() []string { return env }
}

// listFlag collects the values of a repeated flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// secretFlag returns the secret of flag name: read from file (its
// content, trailing white space trimmed) when file is given, else value
// (the flag's, or its default from the environment). A file and the flag
// itself (explicit) together are an error, as is an empty file.
func secretFlag(name, value string, explicit bool, file string) (string, error) {
	if file == "" {
		return value, nil
	}
	if explicit {
		return "", fmt.Errorf("--%s and --%s-file: give one", name, name)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("--%s-file: %w", name, err)
	}
	secret := strings.TrimRight(string(b), " \t\r\n")
	if secret == "" {
		return "", fmt.Errorf("--%s-file: %s is empty", name, file)
	}
	return secret, nil
}

// setFlags returns the names of the flags set on the command line.
func setFlags(fs *flag.FlagSet) map[string]bool {
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	return set
}

// routeFlags collects repeated --route NAME=URL flags.
type routeFlags []string

func (r *routeFlags) String() string     { return strings.Join(*r, ",") }
func (r *routeFlags) Set(v string) error { *r = append(*r, v); return nil }

// splitFlags registers --only, --route and --routes, and returns a function
// that turns them, and the MICROFN_ROUTE_* environment, into server
// options. Precedence: --route, then --routes, then the environment.
func splitFlags(fs *flag.FlagSet) func() ([]server.Option, error) {
	only := fs.String("only", "", "serve just these `services` (comma-separated routes, e.g. IsEven,billing/Charge); calls to the others follow the routes")
	var routes routeFlags
	fs.Var(&routes, "route", "`NAME=URL`: the server that serves a service or package not served here (repeatable; also MICROFN_ROUTE_<NAME>=URL)")
	routesFile := fs.String("routes", "", "YAML or JSON `file` mapping services or packages to base URLs")
	allow := allowFlag(fs)
	databases := stateFlags(fs)
	return func() ([]server.Option, error) {
		dbs, err := databases()
		if err != nil {
			return nil, err
		}
		env, err := server.RoutesFromEnv(os.Environ())
		if err != nil {
			return nil, fmt.Errorf("environment: %w", err)
		}
		opts := append([]server.Option{server.WithRoutes(env), server.WithAllow(allow()...)}, dbs.options()...)
		if *routesFile != "" {
			t, err := server.ReadRoutes(*routesFile)
			if err != nil {
				return nil, err
			}
			opts = append(opts, server.WithRoutes(t))
		}
		flagRoutes := server.RouteTable{}
		for _, r := range routes {
			name, base, err := server.ParseRoute(r)
			if err != nil {
				return nil, fmt.Errorf("--route: %w", err)
			}
			flagRoutes[name] = base
		}
		opts = append(opts, server.WithRoutes(flagRoutes))
		if *only != "" {
			var names []string
			for _, n := range strings.Split(*only, ",") {
				if n = strings.TrimSpace(n); n != "" {
					names = append(names, n)
				}
			}
			opts = append(opts, server.WithOnly(names...))
		}
		return opts, nil
	}
}

// isTerminal reports whether w is a character device, where colors help.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	info, err := f.Stat()
	return err == nil && info.Mode()&os.ModeCharDevice != 0
}

// newFlagSet returns the flag set of the command name, which reports
// errors to stderr and prints usage, then "Flags:" and the flags, as its
// help.
func newFlagSet(name, usage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage+"\n\nFlags:\n")
		fs.PrintDefaults()
	}
	return fs
}

// parseBytes reads a size such as 512MiB, 1GiB or 1GB (humanize's units:
// KiB, MiB, GiB are powers of 1024, KB, MB, GB of 1000), or 0 for none.
func parseBytes(s string) (int64, error) {
	if s == "0" {
		return 0, nil
	}
	n, err := humanize.ParseBytes(s)
	if err != nil {
		return 0, fmt.Errorf("want a size such as 512MiB or 2GiB, got %q", s)
	}
	if n > math.MaxInt64 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return int64(n), nil
}

// splitList splits a comma-separated flag value, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
