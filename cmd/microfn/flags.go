package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/microfn/microfn/policy"
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

// newLogger returns the logger for format "text" or "json".
func newLogger(w io.Writer, format string) (*slog.Logger, error) {
	switch format {
	case "text", "":
		return slog.New(slog.NewTextHandler(w, nil)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, nil)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, got %q", format)
}
