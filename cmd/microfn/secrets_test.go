package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// secretsSrc reads what service code can of the process's environment
// and of a file.
const secretsSrc = `package leak

import (
	"io/ioutil"
	"os"
)

//microfn:service retry=1
func Environ() []string { return os.Environ() }

//microfn:service retry=1
func Read(path string) (string, error) {
	b, err := ioutil.ReadFile(path)
	return string(b), err
}
`

// TestSecretsStayInTheServer: microfn's secrets, given in its environment
// or as files (--token-file), and every variable of its environment not
// listed with --env, reach no service code, interpreted or compiled: not
// through os, not through the worker's /proc/self/environ, not by reading
// the token's file. A compiled worker's own environment is what service
// code is given, and its TMPDIR (which os.TempDir reads).
func TestSecretsStayInTheServer(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"leak/leak.go": secretsSrc})
	secrets := t.TempDir()
	tokenFile := filepath.Join(secrets, "token")
	if err := os.WriteFile(tokenFile, []byte("token-from-the-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	never := []string{"token-from-the-file", "chain-key-in-the-env", "hunter2", "MICROFN_TOKEN", "MICROFN_CHAIN_KEY", "UNLISTED_SECRET"}
	for _, tier := range []string{"interpreted", "compiled"} {
		for _, allow := range []string{"io/ioutil", "io/ioutil,os"} {
			t.Run(tier+"/"+allow, func(t *testing.T) {
				t.Parallel()
				addr := freeAddr(t)
				p := startProc(t, addr, []string{"serve", dir, "--addr", addr, "--no-watch", "--tier", tier, "--token-file", tokenFile, "--env", "LISTED", "--allow", allow},
					"MICROFN_TOKEN=token-in-the-env", "MICROFN_CHAIN_KEY=chain-key-in-the-env", "UNLISTED_SECRET=hunter2", "LISTED=visible")
				call := func(path string) (int, string, string) {
					t.Helper()
					req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
					req.Header.Set("Authorization", "Bearer token-from-the-file")
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Fatalf("GET %s: %v", path, err)
					}
					defer resp.Body.Close()
					b, _ := io.ReadAll(resp.Body)
					return resp.StatusCode, string(b), resp.Header.Get("Microfn-Tier")
				}
				// A compiled version serves once built.
				deadline := time.Now().Add(2 * time.Minute)
				status, body, served := call("/leak/Environ")
				for status == http.StatusServiceUnavailable && time.Now().Before(deadline) {
					time.Sleep(100 * time.Millisecond)
					status, body, served = call("/leak/Environ")
				}
				var env []string
				if status != 200 || served != tier || json.Unmarshal([]byte(body), &env) != nil {
					t.Fatalf("os.Environ() = %d %s from %q, want an answer of the %s tier", status, body, served, tier)
				}
				if tier == "compiled" && len(env) == 2 && strings.HasPrefix(env[1], "TMPDIR=") {
					env = env[:1]
				}
				if len(env) != 1 || env[0] != "LISTED=visible" {
					t.Errorf("os.Environ() = %q, want only LISTED (and, compiled, TMPDIR)", env)
				}
				if status, _ := p.get("/leak/Environ"); status != http.StatusUnauthorized {
					t.Errorf("without the token of the file: %d, want 401", status)
				}
				for _, path := range []string{"/proc/self/environ", tokenFile} {
					status, body, _ := call("/leak/Read?path=" + path)
					if status == 200 {
						var text string
						_ = json.Unmarshal([]byte(body), &text)
						for _, s := range never {
							if strings.Contains(text, s) {
								t.Errorf("reading %s gives service code %s", path, s)
							}
						}
						if path == tokenFile {
							t.Errorf("service code read the token's file: %q", text)
						}
					} else if !strings.Contains(body, "permission denied") {
						t.Errorf("reading %s: %d %s, want its content without secrets or permission denied", path, status, body)
					}
				}
			})
		}
	}
}

// TestSecretFileFlags: a secret comes from its flag or its file, never
// both; a token file that is missing or empty stops serve, and so does
// an environment variable microfn keeps to itself.
func TestSecretFileFlags(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"a.go": "package a\n\n//microfn:service\nfunc F() {}\n"})
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		err  string
	}{
		{[]string{"--token", "x", "--token-file", empty}, "--token and --token-file: give one"},
		{[]string{"--token-file", empty}, "--token-file: " + empty + " is empty"},
		{[]string{"--token-file", filepath.Join(dir, "missing")}, "no such file"},
		{[]string{"--chain-key", "x", "--chain-key-file", empty}, "--chain-key and --chain-key-file: give one"},
		{[]string{"--env", "MICROFN_TOKEN"}, "microfn's own variables (MICROFN_*) are never given to service code"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			code, _, errOut := runCLI(t, t.Context(), append([]string{"serve", dir, "--addr", "127.0.0.1:0"}, tc.args...)...)
			if code == 0 || !strings.Contains(errOut, tc.err) {
				t.Errorf("exit %d, stderr %q; want an error containing %q", code, errOut, tc.err)
			}
		})
	}
}
