package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// secretEnvSrc reads its configuration and a secret from the environment, as
// plain Go does, without --allow os.
const secretEnvSrc = `package config

import (
	"fmt"
	"os"
	"sort"
	"strings"
)

// Config shows what the service reads of its environment.
//
//microfn:service
func Config() string {
	key, hasKey := os.LookupEnv("API_KEY")
	_, hasPath := os.LookupEnv("PATH")
	var names []string
	for _, kv := range os.Environ() {
		if name, _, _ := strings.Cut(kv, "="); name != "TMPDIR" {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return fmt.Sprintf("greeting=%s key=%s/%v path=%v %s %v", os.Getenv("GREETING"), key, hasKey, hasPath, os.ExpandEnv("${GREETING}!"), names)
}
`

// TestEnvAndSecrets: service code reads --env values and --secret files
// with os.Getenv, without --allow os, and sees nothing else of the
// server's environment, interpreted or compiled.
func TestEnvAndSecrets(t *testing.T) {
	t.Parallel()
	secret := filepath.Join(t.TempDir(), "api-key")
	if err := os.WriteFile(secret, []byte("s3cr3t\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("PATH") == "" {
		t.Skip("the test process has no PATH to hide")
	}
	for _, m := range []struct {
		name string
		opts []server.Option
	}{
		{"interpreted", nil},
		{"compiled", []server.Option{server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierCompiled)}},
	} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			opts := append([]server.Option{server.WithQuiet(true), server.WithEnv("GREETING=hello"), server.WithSecret("API_KEY", secret)}, m.opts...)
			in := microfntest.Start(t, map[string]string{"config/config.go": secretEnvSrc}, opts...)
			want := `"greeting=hello key=s3cr3t/true path=false hello! [API_KEY GREETING]"`
			if r := in.Get("/config/Config"); r.Status != 200 || strings.TrimSpace(r.Body) != want {
				t.Errorf("Config = %d %s, want %s", r.Status, r.Body, want)
			}
		})
	}
	if _, err := server.New(t.TempDir(), server.WithSecret("X", filepath.Join(t.TempDir(), "missing"))); err == nil {
		t.Errorf("New with a missing secret file = nil error")
	}
	if _, err := server.New(t.TempDir(), server.WithEnv("API_KEY=x"), server.WithSecret("API_KEY", secret)); err == nil {
		t.Errorf("New with API_KEY from --env and --secret = nil error")
	}
	for _, bad := range []string{"1X=a", "A-B", "=x", "X"} {
		if _, _, err := server.ParseSecret(bad); err == nil {
			t.Errorf("ParseSecret(%q) = nil error", bad)
		}
	}
}
