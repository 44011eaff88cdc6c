package main

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/deploy/kubernetes"
)

// cardsModule is a module of two packages with services: shop's
// signatures use cards.Card, a struct of the other package, and its
// services call cards' (in another pod once deployed). With vendored set,
// cards formats amounts with a package of a required module, vendored
// with the package it imports and one no service needs.
func cardsModule(vendored bool) map[string]string {
	files := map[string]string{
		"go.mod": "module example.com/cards\n\ngo 1.22\n",
		"cards/cards.go": `// Package cards issues cards.
package cards

import "strconv"

// Card is a payment card.
type Card struct {
	Holder string ` + "`json:\"holder\"`" + `
	Limit  int    ` + "`json:\"limit\"`" + `
}

// Issue issues a card with a limit of 100 dollars.
//
//microfn:service
func Issue(holder string) Card { return Card{Holder: holder, Limit: 10000} }

// Describe describes a card.
//
//microfn:service
func Describe(c Card) string { return c.Holder + " " + format(c.Limit) }

func format(cents int) string { return "$" + strconv.Itoa(cents/100) }
`,
		"shop/shop.go": `// Package shop upgrades cards.
package shop

import "example.com/cards/cards"

// Upgrade issues a card and doubles its limit.
//
//microfn:service
func Upgrade(holder string) cards.Card {
	c := cards.Issue(holder)
	c.Limit *= 2
	return c
}

// Show describes a card through package cards.
//
//microfn:service
func Show(c cards.Card) string { return "card of " + cards.Describe(c) }
`,
	}
	if !vendored {
		return files
	}
	files["go.mod"] = "module example.com/cards\n\ngo 1.22\n\nrequire example.com/money v1.0.0\n"
	files["cards/cards.go"] = strings.Replace(strings.Replace(files["cards/cards.go"], `import "strconv"`, `import "example.com/money"`, 1),
		"func format(cents int) string { return \"$\" + strconv.Itoa(cents/100) }\n", "func format(cents int) string { return money.Format(cents) }\n", 1)
	files["vendor/modules.txt"] = "# example.com/money v1.0.0\n## explicit; go 1.22\nexample.com/money\nexample.com/money/internal/round\nexample.com/money/unused\n"
	files["vendor/example.com/money/money.go"] = `// Package money formats amounts.
package money

import (
	"strconv"

	"example.com/money/internal/round"
)

// Format writes cents as whole dollars.
func Format(cents int) string { return "$" + strconv.Itoa(round.Down(cents, 100)/100) }
`
	files["vendor/example.com/money/internal/round/round.go"] = "// Package round rounds.\npackage round\n\n// Down rounds x down to a multiple of unit.\nfunc Down(x, unit int) int { return x - x%unit }\n"
	files["vendor/example.com/money/unused/unused.go"] = "// Package unused is imported by no service.\npackage unused\n\n// Nothing does nothing.\nfunc Nothing() {}\n"
	return files
}

// deployIn runs the microfn command's deploy kubernetes with args as a
// process in the folder dir, as a person types it there.
func deployIn(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, microfnBinary(t), append([]string{"deploy", "kubernetes"}, args...)...)
	cmd.Dir = dir
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, out.String(), errOut.String()
}

// TestDeployModuleTypes: a service whose signature uses a struct of
// another package of the module deploys, as serve serves it (the types
// come through the module's importer), and its pods answer with it: a
// call to shop's pod crosses to cards' pod and back with a cards.Card
// in the result and in the parameters.
func TestDeployModuleTypes(t *testing.T) {
	t.Parallel()
	microfnBinary(t) // skips with -short
	dir := writeFiles(t, cardsModule(false))
	code, out, errOut := runDeploy(t, "kubernetes", dir, "--per-package")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	m := decodeManifest(t, out)
	ps := newPods(t, m)
	ps.start(t, "microfn-cards", "microfn-shop")
	shop, cards := ps.procs["microfn-shop"], ps.procs["microfn-cards"]
	if status, body := shop.get("/shop/Upgrade?holder=ann"); status != 200 || body != `{"holder":"ann","limit":20000}` {
		t.Fatalf("shop/Upgrade = %d %s", status, body)
	}
	if n := cards.waitRequests("POST /cards/Issue", 1); n != 1 {
		t.Errorf("the cards pod received %d nested calls of cards/Issue, want 1:\n%s", n, cards.log.String())
	}
	card := url.QueryEscape(`{"holder":"bob","limit":12345}`)
	if status, body := shop.get("/shop/Show?c=" + card); status != 200 || body != `"card of bob $123"` {
		t.Errorf("shop/Show = %d %s", status, body)
	}
	if n := cards.waitRequests("POST /cards/Describe", 1); n != 1 {
		t.Errorf("the cards pod received %d nested calls of cards/Describe, want 1", n)
	}
	if status, _ := shop.get("/cards/Issue?holder=x"); status != 404 {
		t.Errorf("the shop pod answers cards/Issue with %d, want 404", status)
	}
}

// TestDeployVendoredModuleFromDot: deploy kubernetes . in a module with
// vendor/ says nothing on stderr and ships the vendored packages the
// services import, with those they import, and no other; the pods
// deployed per function serve a call that crosses them and runs the
// vendored code.
func TestDeployVendoredModuleFromDot(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, cardsModule(true))
	code, out, errOut := deployIn(t, dir, ".")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	m := decodeManifest(t, out)
	var keys []string
	for k := range m.configMap.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"cards__cards.go", "go.mod", "shop__shop.go", "vendor__example.com__money__internal__round__round.go", "vendor__example.com__money__money.go", "vendor__modules.txt"}
	if !slices.Equal(keys, want) {
		t.Errorf("ConfigMap keys %v, want %v", keys, want)
	}
	ps := newPods(t, m)
	ps.start(t, "microfn-shop-show", "microfn-cards-describe")
	card := url.QueryEscape(`{"holder":"bob","limit":12345}`)
	if status, body := ps.procs["microfn-shop-show"].get("/shop/Show?c=" + card); status != 200 || body != `"card of bob $123"` {
		t.Fatalf("shop/Show = %d %s", status, body)
	}
	if n := ps.procs["microfn-cards-describe"].waitRequests("POST /cards/Describe", 1); n != 1 {
		t.Errorf("the cards/Describe pod received %d nested calls, want 1", n)
	}
}

// TestDeployDot: DIR "." (and ".." from a package's folder) gives the
// manifest of the folder's absolute path, byte for byte, in a module and
// in a folder outside any.
func TestDeployDot(t *testing.T) {
	t.Parallel()
	for name, files := range map[string]map[string]string{"module": cardsModule(true), "folder": deployTree} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := writeFiles(t, files)
			code, want, errOut := runDeploy(t, "kubernetes", dir)
			if code != 0 || errOut != "" {
				t.Fatalf("deploy kubernetes %s: exit %d, stderr:\n%s", dir, code, errOut)
			}
			for _, c := range []struct{ cwd, arg string }{{dir, "."}, {filepath.Join(dir, "billing"), ".."}, {filepath.Join(dir, "shop"), ".."}} {
				if _, err := os.Stat(c.cwd); err != nil {
					continue
				}
				code, out, errOut := deployIn(t, c.cwd, c.arg)
				if code != 0 || errOut != "" || out != want {
					t.Errorf("deploy kubernetes %s in %s: exit %d, stderr %q; the manifest differs from that of %s: %v", c.arg, c.cwd, code, errOut, dir, out != want)
				}
			}
		})
	}
}

// notesFolder holds a service that writes a file, which the sandbox
// allows with --allow os only.
var notesFolder = map[string]string{"notes.go": `// Package notes keeps notes.
package notes

import "os"

// Keep writes text to a temporary file and reads it back.
//
//microfn:service
func Keep(text string) (string, error) {
	p := os.TempDir() + "/note.txt"
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		return "", err
	}
	b, err := os.ReadFile(p)
	return string(b), err
}
`}

// TestDeploySandboxAndLimits: --allow, --unrestricted and the worker
// limits reach every pod's serve, and the limits size the pod; a pod
// deployed with --allow os serves the service that writes a file, which
// the pod of the same folder deployed without cannot load.
func TestDeploySandboxAndLimits(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, notesFolder)
	code, out, errOut := runDeploy(t, "kubernetes", dir, "--allow", "os", "--max-memory", "200MiB", "--max-temp-size", "16MiB",
		"--max-stack", "8MiB", "--max-write-size", "1MiB", "--max-open-files", "256")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	m := decodeManifest(t, out)
	d := m.deployment(t, "microfn-keep")
	c := d.Spec.Template.Spec.Containers[0]
	for flag, want := range map[string]string{"--allow": "os", "--max-memory": "200MiB", "--max-temp-size": "16MiB", "--max-stack": "8MiB", "--max-write-size": "1MiB", "--max-open-files": "256"} {
		if got := argValues(c.Args, flag); !slices.Equal(got, []string{want}) {
			t.Errorf("%s %v, want %s", flag, got, want)
		}
	}
	if got := c.Resources.Limits.Memory().String(); got != "296Mi" {
		t.Errorf("memory limit %s, want 296Mi: the worker's 200MiB and the server's 96MiB", got)
	}
	for _, v := range d.Spec.Template.Spec.Volumes {
		if v.EmptyDir != nil && v.EmptyDir.SizeLimit.String() != "48Mi" {
			t.Errorf("/tmp holds %s, want 48Mi: the worker's 16MiB and 32MiB more", v.EmptyDir.SizeLimit)
		}
	}
	ps := newPods(t, m)
	ps.start(t, "microfn-keep")
	if status, body := ps.procs["microfn-keep"].get("/Keep?text=hello"); status != 200 || body != `"hello"` {
		t.Errorf("Keep = %d %s", status, body)
	}

	// Without --allow os, the pod's serve refuses the package and ends.
	_, out, _ = runDeploy(t, "kubernetes", dir)
	m = decodeManifest(t, out)
	ps = newPods(t, m)
	args := ps.args(t, "microfn-keep")
	if slices.Contains(args, "--allow") || slices.Contains(args, "--unrestricted") {
		t.Fatalf("args %q: the sandbox is opened without --allow", args)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := exec.CommandContext(ctx, microfnBinary(t), args...).CombinedOutput()
	if err == nil || !strings.Contains(string(res), "os.WriteFile is outside microfn's sandbox") || !strings.Contains(string(res), "--only Keep: no such service") {
		t.Errorf("the pod without --allow os: %v\n%s", err, res)
	}

	code, out, _ = runDeploy(t, "kubernetes", dir, "--unrestricted")
	if code != 0 || !slices.Contains(decodeManifest(t, out).deployment(t, "microfn-keep").Spec.Template.Spec.Containers[0].Args, "--unrestricted") {
		t.Errorf("--unrestricted does not reach the pod")
	}
	for _, bad := range [][]string{{"--max-memory", "0"}, {"--max-temp-size", "lots"}, {"--max-open-files", "0"}, {"--allow", "os net"}, {"--image", "x", "--app-image", "y"}} {
		if code, _, errOut := runDeploy(t, append([]string{"kubernetes", dir}, bad...)...); code != 2 || errOut == "" {
			t.Errorf("deploy kubernetes %v: exit %d, stderr %q; want 2 and a message", bad, code, errOut)
		}
	}
}

// TestDeployAppImage: with --app-image, every Deployment runs the
// application microfn build made of the folder, as the Dockerfile's
// target app holds it: serve without a folder, the same split, routes,
// probes and secret, no source ConfigMap, no source volume. The pods'
// commands, run with a real application where there is no Go toolchain
// and no source, serve a call that crosses them.
func TestDeployAppImage(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, cardsModule(false))
	exe := buildAppExe(t, dir) // skips with -short
	const image = "registry.example.com/cards-app:v1"
	code, out, errOut := runDeploy(t, "kubernetes", dir, "--app-image", image, "--replicas", "2", "--ingress")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	m := decodeManifest(t, out)
	if m.configMap != nil || slices.Contains(m.kinds, "ConfigMap") {
		t.Errorf("kinds %v: a ConfigMap with an app image", m.kinds)
	}
	if len(m.deployments) != 4 || len(m.services) != 4 || len(m.autoscalers) != 4 || len(m.budgets) != 4 || len(m.ingresses) != 1 {
		t.Errorf("%d Deployments, %d Services, %d autoscalers, %d budgets, %d Ingresses; want 4 of each and an Ingress",
			len(m.deployments), len(m.services), len(m.autoscalers), len(m.budgets), len(m.ingresses))
	}
	for _, d := range m.deployments {
		spec := d.Spec.Template.Spec
		c := spec.Containers[0]
		if c.Image != image || *d.Spec.Replicas != 2 || len(c.Command) != 0 {
			t.Errorf("%s: image %s, replicas %d, command %q; want %s, 2, the image's entrypoint", d.Name, c.Image, *d.Spec.Replicas, c.Command, image)
		}
		if c.Args[0] != "serve" || !strings.HasPrefix(c.Args[1], "--") || slices.Contains(c.Args, kubernetes.SourceDir) {
			t.Errorf("%s: args %q: want serve and flags, no folder", d.Name, c.Args)
		}
		for _, v := range spec.Volumes {
			if v.ConfigMap != nil {
				t.Errorf("%s: a ConfigMap volume", d.Name)
			}
		}
		for _, vm := range c.VolumeMounts {
			if vm.MountPath != "/tmp" && !vm.ReadOnly {
				t.Errorf("%s: %s is writable: only /tmp is", d.Name, vm.MountPath)
			}
		}
		if _, ok := d.Spec.Template.Annotations[kubernetes.AnnotationSource]; ok {
			t.Errorf("%s: a source hash with an app image", d.Name)
		}
	}
	if !strings.Contains(out, "image "+image) || !strings.Contains(out, "build it from the same sources") {
		t.Errorf("the header does not say what the image must be:\n%s", out[:strings.Index(out, "---")])
	}

	ps := newPods(t, m)
	ps.startApp(t, exe, "microfn-shop-upgrade", "microfn-cards-issue")
	upgrade, issue := ps.procs["microfn-shop-upgrade"], ps.procs["microfn-cards-issue"]
	if status, body := upgrade.get("/shop/Upgrade?holder=ann"); status != 200 || body != `{"holder":"ann","limit":20000}` {
		t.Fatalf("shop/Upgrade = %d %s", status, body)
	}
	if n := issue.waitRequests("POST /cards/Issue", 1); n != 1 {
		t.Errorf("the cards/Issue pod received %d nested calls, want 1:\n%s", n, issue.log.String())
	}
	if status, _ := upgrade.get("/shop/Show?c={}"); status != 404 {
		t.Errorf("the shop/Upgrade pod answers shop/Show with %d, want 404", status)
	}
	if r := upgrade.fetch("/healthz"); !strings.Contains(r.Body, `"tier":"compiled"`) {
		t.Errorf("the pod does not serve compiled code: %s", r.Body)
	}

	// An image built from other sources: the pod stops at start.
	args := ps.args(t, "microfn-cards-issue")
	args[slices.Index(args, "--only")+1] = "cards/Revoke"
	args[slices.Index(args, "--addr")+1] = freeAddr(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, args...)
	cmd.Dir, cmd.Env = t.TempDir(), []string{"PATH=", "HOME=" + t.TempDir()}
	if res, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(res), "--only cards/Revoke: no such service") {
		t.Errorf("a pod whose application lacks its service: %v\n%s", err, res)
	}
}

// TestDeployDatabases: a folder whose services migrate a database deploys
// with one warning, which names the databases and --database-secret, the
// way for pods to share them; with it, nothing is said.
func TestDeployDatabases(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"todo/todo.go":                       "package todo\n\nimport \"github.com/microfn/microfn\"\n\nvar db = microfn.Database(\"todo\")\n\n//microfn:service\nfunc Count() (int, error) {\n\tvar n int\n\treturn n, db.QueryRow(\"SELECT count(*) FROM items\").Scan(&n)\n}\n",
		"todo/migrations/todo/001_items.sql": "CREATE TABLE items (id INTEGER PRIMARY KEY);\n",
	})
	code, out, errOut := runDeploy(t, "kubernetes", dir)
	if code != 0 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "warning: the services migrate databases (todo)") || !strings.Contains(errOut, "--database-secret") {
		t.Errorf("exit %d, stderr %q: want one warning naming todo and --database-secret", code, errOut)
	}
	decodeManifest(t, out)
	code, out, errOut = runDeploy(t, "kubernetes", dir, "--database-secret", "dbs")
	if code != 0 || errOut != "" {
		t.Errorf("with --database-secret: exit %d, stderr %q", code, errOut)
	}
	m := decodeManifest(t, out)
	if m.configMap.Data["todo__migrations__todo__001_items.sql"] == "" {
		t.Errorf("the migration is not in the ConfigMap")
	}
}

// TestDeploySkippedFile: a file serve skips (a symbolic link) is skipped
// the same way, with serve's warning, and the folder deploys without it.
func TestDeploySkippedFile(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, deployTree)
	outside := writeFiles(t, map[string]string{"extra.go": "package shop\n\n// Extra is outside the folder.\n//\n//microfn:service\nfunc Extra() int { return 1 }\n"})
	if err := os.Symlink(filepath.Join(outside, "extra.go"), filepath.Join(dir, "extra.go")); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runDeploy(t, "kubernetes", dir)
	if code != 0 || strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "warning: "+filepath.Join(dir, "extra.go")) || !strings.Contains(errOut, "symbolic link") {
		t.Fatalf("exit %d, stderr %q: want one warning about extra.go", code, errOut)
	}
	m := decodeManifest(t, out)
	if _, ok := m.configMap.Data["extra.go"]; ok || len(m.deployments) != 4 {
		t.Errorf("the link is deployed: keys %d, %d Deployments", len(m.configMap.Data), len(m.deployments))
	}
}
