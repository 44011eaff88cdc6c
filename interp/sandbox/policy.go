package sandbox

import (
	"fmt"
	"slices"
	"strings"
)

// A Policy is what the options of a load let service code use: the
// default sandbox, widened by --allow, or everything with
// --unrestricted. The zero value is the default sandbox, for a package
// checked as no import path in particular.
type Policy struct {
	// Unrestricted gives service code the whole standard library.
	Unrestricted bool
	// Allow holds the values of --allow: import paths, of which "os"
	// and "net" also open gateOS and gateNet.
	Allow map[string]bool
	// Self is the import path the package is checked as; Sources are
	// the packages it imports from source. Both are interpreted: neither
	// is the host's.
	Self    string
	Sources map[string]bool
}

// NewPolicy returns the policy of --unrestricted (if unrestricted) and of
// --allow with allow.
func NewPolicy(unrestricted bool, allow []string) Policy {
	p := Policy{Unrestricted: unrestricted, Allow: map[string]bool{}}
	for _, a := range allow {
		p.Allow[a] = true
	}
	return p
}

// PolicyFor returns the policy that the import paths allowed make (those
// [Allowed] returns with the options of the load, and more): only
// --unrestricted allows unsafe, only --allow os (net) or --unrestricted
// allows os (net), and a package P the sandbox has a part of is whole
// unless isPartial(P) (--allow P or --unrestricted makes it whole).
func PolicyFor(allowed map[string]bool, isPartial func(path string) bool) Policy {
	pol := Policy{Unrestricted: allowed["unsafe"], Allow: map[string]bool{}}
	for _, p := range []string{"os", "net"} {
		pol.Allow[p] = allowed[p]
	}
	for p := range partialPackages {
		pol.Allow[p] = !isPartial(p)
	}
	return pol
}

// imports reports whether service code may import path.
func (p Policy) imports(path string) bool {
	if p.Unrestricted || p.Allow[path] || partialPackages[path] {
		return true
	}
	return slices.Contains(Packages, path)
}

// permits reports whether a name of package path left out for r is
// available.
func (p Policy) permits(path string, r reason) bool {
	switch {
	case p.Unrestricted:
		return true
	case r.gate == gateUnrestricted:
		return false
	case p.Allow[path]:
		return true
	case r.gate == gateOS:
		return p.Allow["os"]
	case r.gate == gateNet:
		return p.Allow["net"]
	}
	return false
}

// excluded returns the reason name (a package-level name or Type.Method)
// of package path is outside the sandbox of p, if it is.
func (p Policy) excluded(path, name string) (reason, bool) {
	r, ok := excludedNames[path][name]
	if only, part := onlyNames[path]; part && !only[name] && !strings.Contains(name, ".") {
		// A package-level name; the methods of the package's types,
		// which other packages hand out (ioutil.TempFile's *os.File),
		// are what they were without the package.
		r, ok = reachesOS, true
	}
	if !ok || p.permits(path, r) {
		return reason{}, false
	}
	return r, true
}

// guarded returns the guard of function name of package path, if p keeps
// it guarded.
func (p Policy) guarded(path, name string) (guard, bool) {
	g, ok := guardedFuncs[path][name]
	if !ok || p.permits(path, g.why) {
		return guard{}, false
	}
	return g, true
}

// reachesOS is why the names of os outside onlyNames are left out.
var reachesOS = reason{"it reaches the file system or the process", gateOS}

// hint says what gives back a name of package path left out for r.
func (r reason) hint(path string) string {
	switch r.gate {
	case gateUnrestricted:
		return "it needs --unrestricted"
	case gateOS:
		return "allow it with --allow os"
	case gateNet:
		return "allow it with --allow net"
	}
	return "allow it with --allow " + path
}

// outsideMsg is the message of a use of an excluded name.
func outsideMsg(path, name string, r reason) string {
	return fmt.Sprintf("%s.%s is outside microfn's sandbox (%s): %s", path, name, r.does, r.hint(path))
}

// guardMsg is the message of a call a guard refuses.
func guardMsg(path string, g guard) string {
	hint := g.why.hint(path)
	if g.why.gate != gateUnrestricted {
		hint = "pass the source, or " + hint
	}
	return fmt.Sprintf("%s is outside microfn's sandbox (%s): %s", g.what, g.why.does, hint)
}
