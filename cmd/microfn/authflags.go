package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/microfn/microfn/server"
)

// authFlags registers --auth, --jwt-keys, --jwt-issuer, --jwt-audience
// and --token-file, and returns a function that turns them into server
// options, given the value of --token (which --token-file replaces), and
// returns the token.
func authFlags(fs *flag.FlagSet) func(token string) ([]server.Option, string, error) {
	var rules routeFlags
	fs.Var(&rules, "auth", "`PREFIX=MODE`: what calls from outside of the routes below PREFIX must show: none, token (--token) or jwt (--jwt-keys), or jwt:FILE[,iss=ISSUER][,aud=AUDIENCE] with keys of their own; the longest prefix wins, a service's auth= annotation wins over every rule (repeatable: --auth /=token --auth /billing=jwt:keys.json)")
	tokenFile := fs.String("token-file", "", "read the token of --token from this `file` (its first line), which keeps it out of the process list")
	jwtKeys := fs.String("jwt-keys", "", "`file` of the keys that verify JSON Web Tokens (a JWK Set, or PEM public keys), for auth=jwt services and --auth PREFIX=jwt; read again when it changes")
	jwtIssuer := fs.String("jwt-issuer", "", "with --jwt-keys, the `iss` a token must have")
	jwtAudience := fs.String("jwt-audience", "", "with --jwt-keys, the `aud` a token must have")
	return func(token string) ([]server.Option, string, error) {
		var opts []server.Option
		if *tokenFile != "" {
			data, err := os.ReadFile(*tokenFile)
			if err != nil {
				return nil, "", fmt.Errorf("--token-file: %w", err)
			}
			first, _, _ := strings.Cut(string(data), "\n")
			token = strings.TrimSpace(first)
			if token == "" {
				return nil, "", fmt.Errorf("--token-file %s: the file holds no token", *tokenFile)
			}
		}
		opts = append(opts, server.WithToken(token))
		if *jwtKeys != "" {
			opts = append(opts, server.WithJWTKeys(server.JWTKeys{File: *jwtKeys, Issuer: *jwtIssuer, Audience: *jwtAudience}))
		} else if *jwtIssuer != "" || *jwtAudience != "" {
			return nil, "", fmt.Errorf("--jwt-issuer and --jwt-audience need --jwt-keys")
		}
		for _, r := range rules {
			rule, err := server.ParseAuthRule(r)
			if err != nil {
				return nil, "", err
			}
			opts = append(opts, server.WithAuth(rule))
		}
		return opts, token, nil
	}
}

// envFlags registers --env and --secret, and returns a function that
// turns them into server options.
func envFlags(fs *flag.FlagSet) func() ([]server.Option, error) {
	var envs, secrets routeFlags
	fs.Var(&envs, "env", "`NAME[=VALUE]`: an environment variable service code reads with os.Getenv (no --allow os needed; it sees these and no other); NAME alone passes the server's own value (repeatable)")
	fs.Var(&secrets, "secret", "`NAME=FILE`: the content of FILE, read by the server, as the environment variable NAME of service code, like --env (repeatable; the Kubernetes manifests mount such files from a Secret)")
	return func() ([]server.Option, error) {
		vars := map[string]string{}
		for _, e := range envs {
			name, value, err := server.ParseEnv(e, os.LookupEnv)
			if err != nil {
				return nil, err
			}
			vars[name] = value
		}
		opts := []server.Option{server.WithEnv(vars)}
		for _, s := range secrets {
			name, file, err := server.ParseSecret(s)
			if err != nil {
				return nil, err
			}
			if _, dup := vars[name]; dup {
				return nil, fmt.Errorf("--secret %s: %s is given by --env too", name, name)
			}
			opts = append(opts, server.WithSecret(name, file))
		}
		return opts, nil
	}
}
