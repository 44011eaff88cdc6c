package server_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
)

// fidelityDir is interp's differential suite: packages whose services
// answer, interpreted, what they answer compiled with the Go toolchain
// (interp's TestFidelity checks that).
var fidelityDir = filepath.Join("..", "interp", "testdata", "fidelity")

// TestFidelityBothTiers: every call of the differential suite answers the
// same through the compiled tier as through the interpreter (which
// answers as Go does), over HTTP: the same status, and the same body (a
// result, or a problem with its error or panic text). The packages are
// served as one module, so the compiled tier builds them into one
// executable.
func TestFidelityBothTiers(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds the differential suite with the Go toolchain")
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(fidelityDir)); err != nil {
		t.Fatal(err)
	}
	microfntest.WriteFile(t, dir, "go.mod", "module example.com/fidelity\n\ngo 1.26\n")
	type call struct{ route, body string }
	var calls []call
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		src, err := funcs.Load(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		inputs := map[string][]json.RawMessage{}
		if data, err := os.ReadFile(filepath.Join(dir, e.Name(), "inputs.json")); err == nil {
			if err := json.Unmarshal(data, &inputs); err != nil {
				t.Fatalf("%s/inputs.json: %v", e.Name(), err)
			}
		}
		for _, d := range src.Services {
			ins := inputs[d.Name]
			if len(ins) == 0 {
				ins = []json.RawMessage{json.RawMessage("{}")}
			}
			for _, in := range ins {
				calls = append(calls, call{"/" + e.Name() + "/" + d.Route, string(in)})
			}
		}
	}
	// As interp's TestFidelity loads them: without the sandbox of names.
	opts := []server.Option{server.WithIsolation(server.IsolatePackage), server.WithQuiet(true), server.WithWatch(false), server.WithUnrestricted(true)}
	interpreted := microfntest.StartDir(t, dir, append(opts, server.WithTier(server.TierInterpreted))...)
	compiled := microfntest.StartDir(t, dir, append(opts, server.WithTier(server.TierCompiled))...)
	for _, in := range []*microfntest.Instance{interpreted, compiled} {
		for _, p := range health(t, in).Packages {
			if p.State != "ok" {
				t.Errorf("package %s: %s %q", p.Dir, p.State, p.Errors)
			}
		}
	}
	differ := 0
	for _, c := range calls {
		want := interpreted.Post(c.route, c.body)
		got := compiled.Post(c.route, c.body)
		if tier := got.Header.Get(protocol.HeaderTier); tier != "compiled" {
			t.Fatalf("POST %s answered by the %q tier, want compiled: %d %s", c.route, tier, got.Status, got.Body)
		}
		if got.Status != want.Status || !sameAnswer(got.Body, want.Body) {
			differ++
			t.Errorf("POST %s %s:\ncompiled    %d %s\ninterpreted %d %s", c.route, c.body, got.Status, strings.TrimSpace(got.Body), want.Status, strings.TrimSpace(want.Body))
		}
	}
	t.Logf("%d calls, %d differ", len(calls), differ)
}

// sameAnswer reports whether two answers' bodies are the same JSON
// (problem documents included), or the same text.
func sameAnswer(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return strings.TrimSpace(a) == strings.TrimSpace(b)
	}
	return reflect.DeepEqual(x, y) || fmt.Sprint(x) == fmt.Sprint(y)
}
