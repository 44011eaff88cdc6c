package server

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// envName is what an environment variable of service code may be called.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// WithSecret gives service code the content of file as the environment
// variable name, as [WithEnv] does: the server reads the file when it
// starts (a trailing newline is dropped), so the secret's value is never
// on a command line. The Kubernetes manifests mount such files from a
// Secret.
func WithSecret(name, file string) Option {
	return optionFunc(func(c *config) {
		if c.secrets == nil {
			c.secrets = map[string]string{}
		}
		c.secrets[name] = file
	})
}

// ParseSecret reads a --secret flag: NAME=FILE.
func ParseSecret(s string) (name, file string, err error) {
	name, file, ok := strings.Cut(s, "=")
	if !ok || !envName.MatchString(name) || file == "" {
		return "", "", fmt.Errorf("--secret %q: want NAME=FILE, such as STRIPE_KEY=/run/secrets/stripe", s)
	}
	return name, file, nil
}

// readSecrets reads the files of WithSecret into the environment of
// service code (c.env, NAME=VALUE entries resolved already).
func (c *config) readSecrets() error {
	given := map[string]bool{}
	for _, kv := range c.env {
		name, _, _ := strings.Cut(kv, "=")
		given[name] = true
	}
	for name, file := range c.secrets {
		switch {
		case !envName.MatchString(name):
			return fmt.Errorf("secret %q: want a name of letters, digits and _", name)
		case strings.HasPrefix(strings.ToUpper(name), "MICROFN_"), name == "TMPDIR":
			return fmt.Errorf("secret %s: microfn's own variables (MICROFN_*) and TMPDIR are never given to service code", name)
		case given[name]:
			return fmt.Errorf("secret %s: %s is given by --env too", name, name)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("secret %s: %w", name, err)
		}
		v := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
		if strings.ContainsRune(v, 0) {
			return fmt.Errorf("secret %s: %s holds a NUL byte, which an environment variable cannot", name, file)
		}
		c.env = append(c.env, name+"="+v)
	}
	return nil
}
