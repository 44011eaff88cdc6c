package funcs

import (
	"fmt"
	"go/ast"
	"go/token"
	"regexp"
	"slices"
	"strings"

	"github.com/microfn/microfn/policy"
)

// Directive is the comment that makes a function a service.
const Directive = "//microfn:service"

// directivePrefix starts every microfn directive; anything after it other
// than "service" is a typo worth reporting.
const directivePrefix = "//microfn:"

// ReservedRoutes are routes of the server itself; no service may use them.
var ReservedRoutes = []string{"docs", "openapi.json", "metrics", "healthz", "readyz"}

// An Option is one key=value pair of a directive line.
type Option struct {
	Key, Value string
	Pos        token.Position
}

// routeName matches a route given with name=.
var routeName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// parseDirective parses the options after the directive on the comment c,
// reporting malformed, unknown and repeated options.
func parseDirective(sink *errorSink, c *ast.Comment) (opts []Option, ok bool) {
	rest := strings.TrimPrefix(c.Text, Directive)
	ok = true
	seen := map[string]bool{}
	offset := len(Directive)
	for len(rest) > 0 {
		trimmed := strings.TrimLeft(rest, " \t")
		offset += len(rest) - len(trimmed)
		rest = trimmed
		if rest == "" {
			break
		}
		field := rest
		if i := strings.IndexAny(rest, " \t"); i >= 0 {
			field = rest[:i]
		}
		pos := c.Slash + token.Pos(offset)
		rest = rest[len(field):]
		offset += len(field)
		key, value, hasValue := strings.Cut(field, "=")
		switch {
		case !hasValue || key == "":
			sink.errorf(pos, "%s: option %q must be written key=value", Directive, field)
			ok = false
			continue
		case seen[key]:
			sink.errorf(pos, "%s: option %q is given twice", Directive, key)
			ok = false
			continue
		}
		seen[key] = true
		if err := checkOption(key, value); err != nil {
			sink.errorf(pos, "%s: %v", Directive, err)
			ok = false
			continue
		}
		opts = append(opts, Option{Key: key, Value: value, Pos: sink.fset.Position(pos)})
	}
	return opts, ok
}

// checkOption validates one option: name=, or a policy option.
func checkOption(key, value string) error {
	switch key {
	case "name":
		if !routeName.MatchString(value) {
			return fmt.Errorf("name: want a route made of letters, digits, _ . and -, got %q", value)
		}
		return nil
	case "errors":
		_, err := parseErrorStatuses(value)
		return err
	case "auth":
		return checkAuth(value)
	case "content-type":
		return checkContentType(value)
	}
	p := policy.Default()
	if err := p.Set(key, value); err != nil {
		if !slices.Contains(policy.Keys(), key) {
			return fmt.Errorf("unknown option %q (known: name, errors, auth, content-type, %s)", key, strings.Join(policy.Keys(), ", "))
		}
		return err
	}
	return nil
}
