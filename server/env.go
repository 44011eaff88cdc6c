package server

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// envName is what an environment variable of service code may be called.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// WithEnv adds environment variables service code reads with os.Getenv
// (os.LookupEnv, os.Environ, os.ExpandEnv), which the sandbox gives it
// without --allow os: it sees these variables and no other of the
// server's environment. Later values win. Default: none.
func WithEnv(vars map[string]string) Option {
	return optionFunc(func(c *config) {
		if c.env == nil {
			c.env = map[string]string{}
		}
		for k, v := range vars {
			c.env[k] = v
		}
	})
}

// WithSecret gives service code the content of file as the environment
// variable name, as WithEnv does: the server reads the file when it
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

// ParseEnv reads an --env flag: NAME=VALUE, or NAME alone for the value
// of NAME in the server's own environment (lookup), which must be set.
func ParseEnv(s string, lookup func(string) (string, bool)) (name, value string, err error) {
	name, value, hasValue := strings.Cut(s, "=")
	if !envName.MatchString(name) {
		return "", "", fmt.Errorf("--env %q: want NAME=VALUE or NAME, a name of letters, digits and _", s)
	}
	if !hasValue {
		v, ok := lookup(name)
		if !ok {
			return "", "", fmt.Errorf("--env %s: the server's environment has no %s (give a value: --env %s=VALUE)", name, name, name)
		}
		value = v
	}
	return name, value, nil
}

// ParseSecret reads a --secret flag: NAME=FILE.
func ParseSecret(s string) (name, file string, err error) {
	name, file, ok := strings.Cut(s, "=")
	if !ok || !envName.MatchString(name) || file == "" {
		return "", "", fmt.Errorf("--secret %q: want NAME=FILE, such as STRIPE_KEY=/run/secrets/stripe", s)
	}
	return name, file, nil
}

// readSecrets reads the files of WithSecret into the environment.
func (c *config) readSecrets() error {
	for name, v := range c.env {
		if !envName.MatchString(name) {
			return fmt.Errorf("environment variable %q: want a name of letters, digits and _", name)
		}
		if strings.ContainsRune(v, 0) {
			return fmt.Errorf("environment variable %s: the value holds a NUL byte", name)
		}
	}
	for name, file := range c.secrets {
		if !envName.MatchString(name) {
			return fmt.Errorf("secret %q: want a name of letters, digits and _", name)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("secret %s: %w", name, err)
		}
		v := strings.TrimSuffix(strings.TrimSuffix(string(data), "\n"), "\r")
		if strings.ContainsRune(v, 0) {
			return fmt.Errorf("secret %s: %s holds a NUL byte, which an environment variable cannot", name, file)
		}
		if c.env == nil {
			c.env = map[string]string{}
		}
		c.env[name] = v
	}
	return nil
}
