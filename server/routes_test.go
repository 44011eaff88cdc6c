package server_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

func TestRouteSources(t *testing.T) {
	t.Parallel()
	env, err := server.RoutesFromEnv([]string{"PATH=/bin", "MICROFN_ROUTE_IsEven=http://env:1", "MICROFN_ROUTE_billing_Charge=http://env:2"})
	if err != nil || env["IsEven"] != "http://env:1" || env["billing/Charge"] != "http://env:2" || len(env) != 2 {
		t.Errorf("RoutesFromEnv = %v, %v", env, err)
	}
	dir := t.TempDir()
	for name, data := range map[string]string{
		"r.yaml":   "IsEven: http://file:1\nbilling: https://file:2\n",
		"r.json":   `{"IsEven": "http://file:1"}`,
		"bad.yaml": "IsEven: ftp://nope\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"r.yaml", "r.json"} {
		if tab, err := server.ReadRoutes(filepath.Join(dir, name)); err != nil || tab["IsEven"] != "http://file:1" {
			t.Errorf("ReadRoutes(%s) = %v, %v", name, tab, err)
		}
	}
	if _, err := server.ReadRoutes(filepath.Join(dir, "bad.yaml")); err == nil || !strings.Contains(err.Error(), "base URL") {
		t.Errorf("bad route file: %v", err)
	}
	if _, _, err := server.ParseRoute("IsEven"); err == nil {
		t.Error("ParseRoute without =URL succeeded")
	}

	// Precedence: later WithRoutes win (the CLI applies env, then file, then flags).
	in := microfntest.StartDir(t, "../examples/seed", server.WithOnly("IsOdd"),
		server.WithRoutes(server.RouteTable{"IsEven": "http://127.0.0.1:1"}),
		server.WithRoutes(server.RouteTable{"IsEven": "http://127.0.0.1:2"}))
	var where string
	for _, s := range in.Server.Services() {
		if s.Route == "IsEven" {
			where = s.Where
		}
	}
	if where != "http://127.0.0.1:2" {
		t.Errorf("IsEven routed to %q, want the later table's http://127.0.0.1:2", where)
	}
	r := in.Get("/IsOdd?x=1")
	if r.Status != 502 || !strings.Contains(r.Body, "127.0.0.1:2") {
		t.Errorf("call through the route = %d %s, want 502 naming the routed address", r.Status, r.Body)
	}
}
