package server_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// thirdPartySrc uses two small pure-Go modules. The wanted answers are
// what the same calls print compiled (go run).
const thirdPartySrc = `package ids

import (
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// ID derives a version 5 UUID from name.
//
//microfn:service
func ID(name string) string { return uuid.NewSHA1(uuid.NameSpaceURL, []byte(name)).String() }

// Third divides exactly.
//
//microfn:service
func Third(a, b string) (string, error) {
	x, err := decimal.NewFromString(a)
	if err != nil {
		return "", err
	}
	y, err := decimal.NewFromString(b)
	if err != nil {
		return "", err
	}
	return x.Add(y).String() + " " + decimal.NewFromFloat(1).Div(decimal.NewFromFloat(3)).StringFixed(10), nil
}
`

// thirdPartyModule writes a module that requires uuid and decimal into a
// new directory, has the go command resolve them (go mod tidy: through
// the module proxy into the module cache, as a user's go get does), and
// returns the directory. It needs the Go toolchain.
func thirdPartyModule(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the Go toolchain is not on PATH: third-party modules come from the module cache it fills")
	}
	dir := t.TempDir()
	microfntest.WriteFile(t, dir, "go.mod", "module example.com/tp\n\ngo 1.22\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgithub.com/shopspring/decimal v1.6.0\n)\n")
	microfntest.WriteFile(t, dir, "ids/ids.go", thirdPartySrc)
	goCmd(t, goTool, dir, "mod", "tidy")
	return dir
}

func goCmd(t *testing.T, goTool, dir string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goTool, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// allowUUID is what uuid needs beyond the sandbox: it reads the host's
// network interfaces and implements database/sql's interfaces.
var allowUUID = server.WithAllow("os", "net", "database/sql/driver")

// TestThirdPartyModules: a module go.mod requires is interpreted from the
// module cache at the version go.mod selects, answers as compiled Go does,
// and the sandbox applies to it with an error naming the import chain.
func TestThirdPartyModules(t *testing.T) {
	t.Parallel()
	dir := thirdPartyModule(t)

	in := microfntest.StartDir(t, dir, allowUUID)
	for _, c := range []struct{ path, want string }{
		{"/ids/ID?name=microfn", `"64660e6f-bcd2-515b-8a6a-652e0b5cbe97"`},
		{"/ids/Third?a=0.1&b=0.2", `"0.3 0.3333333333"`},
	} {
		if r := in.Get(c.path); r.Status != 200 || strings.TrimSpace(r.Body) != c.want {
			t.Errorf("%s = %d %s, want %s", c.path, r.Status, r.Body, c.want)
		}
	}
	if r := in.Get("/ids/Third?a=x&b=1"); r.Status != 500 || !strings.Contains(r.Body, "can't convert x to decimal") {
		t.Errorf("Third(x) = %d %s, want decimal's own error", r.Status, r.Body)
	}

	// Without --allow, the module's imports are refused, naming the chain.
	bare := microfntest.StartDir(t, dir)
	errs := strings.Join(packageErrors(t, bare, "ids"), "\n")
	for _, want := range []string{
		`uuid@v1.6.0/node_net.go:9:8: example.com/tp/ids imports github.com/google/uuid: import "net" is outside microfn's sandbox`,
		"allow it with microfn serve --allow net",
		`example.com/tp/ids imports github.com/shopspring/decimal: import "database/sql/driver"`,
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("without --allow: errors\n%s\nlack %s", errs, want)
		}
	}
}

// TestVendoredModules: with vendor/, the packages of required modules come
// from there, not from the module cache.
func TestVendoredModules(t *testing.T) {
	t.Parallel()
	dir := thirdPartyModule(t)
	goTool, _ := exec.LookPath("go")
	goCmd(t, goTool, dir, "mod", "vendor")
	// A file only the vendored copy has.
	microfntest.WriteFile(t, dir, "vendor/github.com/google/uuid/zz_marker.go", "package uuid\n\n// Origin says where the package was read from.\nconst Origin = \"vendor\"\n")
	microfntest.WriteFile(t, dir, "ids/origin.go", "package ids\n\nimport \"github.com/google/uuid\"\n\n// Origin reports where uuid was read from.\n//\n//microfn:service\nfunc Origin() string { return uuid.Origin }\n")
	in := microfntest.StartDir(t, dir, allowUUID)
	if r := in.Get("/ids/Origin"); strings.TrimSpace(r.Body) != `"vendor"` {
		t.Errorf("Origin = %d %s, want \"vendor\"", r.Status, r.Body)
	}
	if r := in.Get("/ids/ID?name=microfn"); strings.TrimSpace(r.Body) != `"64660e6f-bcd2-515b-8a6a-652e0b5cbe97"` {
		t.Errorf("ID = %d %s", r.Status, r.Body)
	}
}

// TestGoModChangeReloads: a package whose import no module provides fails
// to load with the command that fixes it; once go.mod requires the module,
// the package loads without a restart.
func TestGoModChangeReloads(t *testing.T) {
	t.Parallel()
	dir := thirdPartyModule(t)
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	// Only uuid is required now: decimal is missing.
	without := strings.Replace(string(gomod), "github.com/shopspring/decimal v1.6.0", "", 1)
	microfntest.WriteFile(t, dir, "go.mod", without)
	in := microfntest.StartDir(t, dir, allowUUID)
	errs := strings.Join(packageErrors(t, in, "ids"), "\n")
	if !strings.Contains(errs, "ids/ids.go:5:2: ") || !strings.Contains(errs, "go get github.com/shopspring/decimal") {
		t.Fatalf("errors %q, want the import at ids/ids.go:5:2 and go get github.com/shopspring/decimal", errs)
	}
	in.Write("go.mod", string(gomod))
	in.WaitBody("/ids/Third?a=1&b=2", `"3 0.3333333333"`, 30*time.Second)
}

// packageErrors returns the load errors /healthz lists for the package in
// rel.
func packageErrors(t *testing.T, in *microfntest.Instance, rel string) []string {
	t.Helper()
	for _, p := range health(t, in).Packages {
		if p.Dir == rel {
			return p.Errors
		}
	}
	t.Fatalf("no package %s in /healthz", rel)
	return nil
}
