package main

import (
	"flag"
	"fmt"

	"github.com/microfn/microfn/server"
)

// authFlags registers --auth, --jwt-keys, --jwt-issuer and
// --jwt-audience, and returns a function that turns them into server
// options, given the value of --token.
func authFlags(fs *flag.FlagSet) func(token string) ([]server.Option, error) {
	var rules routeFlags
	fs.Var(&rules, "auth", "`PREFIX=MODE`: what calls from outside of the routes below PREFIX must show: none, token (--token) or jwt (--jwt-keys), or jwt:FILE[,iss=ISSUER][,aud=AUDIENCE] with keys of their own; the longest prefix wins, a service's auth= annotation wins over every rule (repeatable: --auth /=token --auth /billing=jwt:keys.json)")
	jwtKeys := fs.String("jwt-keys", "", "`file` of the keys that verify JSON Web Tokens (a JWK Set, or PEM public keys), for auth=jwt services and --auth PREFIX=jwt; read again when it changes")
	jwtIssuer := fs.String("jwt-issuer", "", "with --jwt-keys, the `iss` a token must have")
	jwtAudience := fs.String("jwt-audience", "", "with --jwt-keys, the `aud` a token must have")
	return func(token string) ([]server.Option, error) {
		opts := []server.Option{server.WithToken(token)}
		if *jwtKeys != "" {
			opts = append(opts, server.WithJWTKeys(server.JWTKeys{File: *jwtKeys, Issuer: *jwtIssuer, Audience: *jwtAudience}))
		} else if *jwtIssuer != "" || *jwtAudience != "" {
			return nil, fmt.Errorf("--jwt-issuer and --jwt-audience need --jwt-keys")
		}
		for _, r := range rules {
			rule, err := server.ParseAuthRule(r)
			if err != nil {
				return nil, err
			}
			opts = append(opts, server.WithAuth(rule))
		}
		return opts, nil
	}
}

// secretFlags registers --secret, and returns a function that turns it
// into server options.
func secretFlags(fs *flag.FlagSet) func() ([]server.Option, error) {
	var secrets routeFlags
	fs.Var(&secrets, "secret", "`NAME=FILE`: the content of FILE, read by the server, as the environment variable NAME of service code, like --env (repeatable; the Kubernetes manifests mount such files from a Secret)")
	return func() ([]server.Option, error) {
		var opts []server.Option
		for _, s := range secrets {
			name, file, err := server.ParseSecret(s)
			if err != nil {
				return nil, err
			}
			opts = append(opts, server.WithSecret(name, file))
		}
		return opts, nil
	}
}
