package kubernetes

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
)

// TestAppImage: with an app image, the manifest is the one of the
// sources but for what runs in the pods: the image, serve without a
// folder nor --no-watch, and no source ConfigMap, volume, mount or hash.
// Every other object, and everything else of each Deployment (the split,
// policies, routes, probes, resources, security, secrets), is the same.
func TestAppImage(t *testing.T) {
	t.Parallel()
	const image = "registry.example.com/shop-app:v1"
	for _, dir := range []string{seed, shop} {
		for _, g := range []Grouping{PerFunction, PerPackage} {
			t.Run(dir+" "+g.String(), func(t *testing.T) {
				t.Parallel()
				base := Options{Grouping: g, Namespace: "shop", Replicas: 2, TokenSecret: "tok", Ingress: &Ingress{Host: "shop.example"},
					Env: map[string]string{"MODE": "live"}, Secrets: []SecretFile{{Name: "KEY", Secret: "stripe"}}, Allow: []string{"net"}}
				opts := base
				opts.AppImage = image
				m, out, s := mustGenerate(t, dir, opts)
				checkManifest(t, dir, opts, s)
				if m.ConfigMap != nil || !bytes.Contains(out, []byte("image "+image+".\n")) {
					t.Errorf("ConfigMap %v; header:\n%s", m.ConfigMap, out[:bytes.Index(out, []byte("---"))])
				}
				src, _, _ := mustGenerate(t, dir, base)
				if len(src.Components) != len(m.Components) {
					t.Fatalf("%d components from the sources, %d with the app image", len(src.Components), len(m.Components))
				}
				if !equality.Semantic.DeepEqual(src.Namespace, m.Namespace) || !equality.Semantic.DeepEqual(src.Ingress, m.Ingress) {
					t.Errorf("the Namespace or the Ingress differ")
				}
				for i, c := range m.Components {
					sc := src.Components[i]
					if !equality.Semantic.DeepEqual(sc.Service, c.Service) || !equality.Semantic.DeepEqual(sc.Autoscaler, c.Autoscaler) ||
						!equality.Semantic.DeepEqual(sc.DisruptionBudget, c.DisruptionBudget) {
						t.Errorf("%s: the Service, autoscaler or budget differ", c.Name)
					}
					// The Deployment of the sources, without them, is the
					// app image's.
					want := sc.Deployment.DeepCopy()
					spec := &want.Spec.Template.Spec
					delete(want.Spec.Template.Annotations, AnnotationSource)
					spec.Volumes = slices.DeleteFunc(spec.Volumes, func(v corev1.Volume) bool { return v.ConfigMap != nil })
					ct := &spec.Containers[0]
					ct.VolumeMounts = slices.DeleteFunc(ct.VolumeMounts, func(vm corev1.VolumeMount) bool { return vm.MountPath == SourceDir })
					ct.Args = slices.DeleteFunc(ct.Args, func(a string) bool { return a == SourceDir || a == "--no-watch" })
					ct.Image = image
					if !equality.Semantic.DeepEqual(want, c.Deployment) {
						t.Errorf("%s: the Deployment differs from the sources' beyond them:\n%+v\nwant\n%+v", c.Name, c.Deployment.Spec.Template.Spec, want.Spec.Template.Spec)
					}
				}
			})
		}
	}
}

// TestAppImageNeedsNoVendor: the application compiled the packages of
// required modules in, so an app image needs no vendor/, which the
// sources do.
func TestAppImageNeedsNoVendor(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{
		"go.mod":     "module example.com/m\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n",
		"lib/lib.go": "package lib\n\nimport \"example.com/dep\"\n\n// Twice doubles.\nfunc Twice(x int) int { return dep.Two * x }\n",
		"api/api.go": "package api\n\nimport \"example.com/m/lib\"\n\n// Four quadruples.\n//\n//microfn:service\nfunc Four(x int) int { return lib.Twice(lib.Twice(x)) }\n",
	})
	if _, err := Generate(dir, Options{}); err == nil || !strings.Contains(err.Error(), "--app-image") {
		t.Errorf("the sources without vendor/: %v, want an error that names --app-image", err)
	}
	opts := Options{AppImage: "app:v1"}
	_, _, s := mustGenerate(t, dir, opts)
	checkManifest(t, dir, opts, s)
}

// TestWorkerLimitsAndSandbox: the sandbox and the limits of the options
// reach every pod's serve, and the limits size the container's memory and
// its /tmp.
func TestWorkerLimitsAndSandbox(t *testing.T) {
	t.Parallel()
	opts := Options{Allow: []string{"os", "net/http"}, Unrestricted: true,
		Limits: WorkerLimits{MaxMemory: 1 << 30, MaxTempSize: 100 << 20, MaxStack: 16 << 20, MaxWriteSize: 5<<20 + 1, MaxOpenFiles: 64}}
	_, _, s := mustGenerate(t, seed, opts)
	checkManifest(t, seed, opts, s)
	for _, d := range s.deployments {
		c := d.Spec.Template.Spec.Containers[0]
		a, err := parseServeArgs(c.Args)
		if err != nil {
			t.Fatal(err)
		}
		if a.memory != "1GiB" || a.temp != "100MiB" || a.stack != "16MiB" || a.write != "5242881" || a.openFiles != "64" {
			t.Errorf("%s: limits %+v", d.Name, a)
		}
		if got := c.Resources.Limits.Memory().String(); got != "1120Mi" {
			t.Errorf("%s: memory limit %s, want 1120Mi", d.Name, got)
		}
	}
	// Defaults: serve's own for the limits that do not size the pod.
	_, _, s = mustGenerate(t, seed, Options{Allow: []string{"os", "os"}})
	a, _ := parseServeArgs(s.deployments[0].Spec.Template.Spec.Containers[0].Args)
	if a.memory != "160MiB" || a.temp != "32MiB" || a.stack != "" || a.write != "" || a.openFiles != "" || a.allow != "os" || a.unrestricted {
		t.Errorf("default limits and sandbox: %+v", a)
	}
	if got := s.deployments[0].Spec.Template.Spec.Containers[0].Resources.Limits.Memory().String(); got != "256Mi" {
		t.Errorf("default memory limit %s, want 256Mi", got)
	}
	for _, bad := range []Options{
		{Image: "microfn:v1", AppImage: "app:v1"},
		{AppImage: "app v1"},
		{Allow: []string{""}},
		{Allow: []string{"os,net"}},
		{Limits: WorkerLimits{MaxMemory: -1}},
		{Limits: WorkerLimits{MaxWriteSize: -5}},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil", bad)
		}
	}
}

// TestMigrations: a package's migrations (migrations/NAME/*.sql) are in
// the ConfigMap, at their place below /src: the pods apply them before
// the package loads. Other files of the folder are not.
func TestMigrations(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{
		"todo/todo.go":                       "package todo\n\nimport \"github.com/microfn/microfn\"\n\nvar db = microfn.Database(\"todo\")\n\n//microfn:service\nfunc Count() (int, error) {\n\tvar n int\n\treturn n, db.QueryRow(\"SELECT count(*) FROM items\").Scan(&n)\n}\n",
		"todo/migrations/todo/001_items.sql": "CREATE TABLE items (id INTEGER PRIMARY KEY);\n",
		"todo/migrations/todo/002_text.sql":  "ALTER TABLE items ADD COLUMN text TEXT;\n",
		"todo/migrations/todo/README":        "not a migration\n",
		"todo/migrations/todo/.003_x.sql":    "hidden\n",
	})
	opts := Options{DatabaseSecret: "dbs", Databases: []string{"todo"}}
	m, _, s := mustGenerate(t, dir, opts)
	checkManifest(t, dir, opts, s)
	var keys []string
	for k := range m.ConfigMap.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"todo__migrations__todo__001_items.sql", "todo__migrations__todo__002_text.sql", "todo__todo.go"}
	if !slices.Equal(keys, want) {
		t.Errorf("ConfigMap keys %v, want %v", keys, want)
	}
	items := s.deployments[0].Spec.Template.Spec.Volumes[0].ConfigMap.Items
	if !slices.Contains(items, corev1.KeyToPath{Key: "todo__migrations__todo__002_text.sql", Path: "src/todo/migrations/todo/002_text.sql"}) {
		t.Errorf("items %v: a migration is not at its place", items)
	}
}

func TestSizeArg(t *testing.T) {
	t.Parallel()
	for n, want := range map[int64]string{1: "1", 1023: "1023", 1024: "1KiB", 3 << 20: "3MiB", 3<<20 + 1024: "3073KiB", 2 << 30: "2GiB", 1<<30 + 1: "1073741825"} {
		if got := SizeArg(n); got != want {
			t.Errorf("SizeArg(%d) = %q, want %q", n, got, want)
		}
	}
}
