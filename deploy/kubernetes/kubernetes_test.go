package kubernetes

import (
	"bytes"
	"cmp"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/gomod"
	"github.com/microfn/microfn/state"
)

const seed = "../../examples/seed"

// shop is the example module of several packages.
const shop = "../../examples/shop"

// seedRoutes are the services of examples/seed, in the order of the
// sources.
var seedRoutes = []string{"IsEven", "IsOdd", "BuggyFunction", "SlowFunction", "Factorial", "Fib", "Area", "Distance"}

// splitSrc is a directory with a root package, a subpackage, a nested
// subpackage and a package without services.
var splitSrc = map[string]string{
	"math.go": `package app

// IsEven reports whether x is even.
//
//microfn:service retry=5 scale=5
func IsEven(x int) bool { return x%2 == 0 }

// IsOdd calls IsEven.
//
//microfn:service
func IsOdd(x int) bool { return !IsEven(x) }
`,
	"billing/charge.go": `package billing

import "github.com/microfn/microfn"

// Charge charges a card.
//
//microfn:service retry=1 timeout=5s scale=3
func Charge(cents int64) (string, error) {
	if cents <= 0 {
		return "", microfn.Error(400, "nothing to charge")
	}
	return "charged", nil
}
`,
	"billing/refund.go": `package billing

// Refund refunds a charge.
//
//microfn:service name=refund
func Refund(id string) string { return "refunded " + id }
`,
	"billing/tax/tax.go": `package tax

// Rate is the tax rate of a country.
//
//microfn:service
func Rate(country string) float64 { return 0.2 }
`,
	"util/util.go": "package util\n\n// Double doubles x.\nfunc Double(x int) int { return 2 * x }\n",
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// tree is what the tests know of a directory, found without the generator.
type tree struct {
	routes  []string          // every service route, in source order
	pkgOf   map[string]string // route → package directory
	byPkg   map[string][]string
	sources map[string]string // slash path below the root → content
}

func readTree(t *testing.T, dir string) tree {
	t.Helper()
	tr := tree{pkgOf: map[string]string{}, byPkg: map[string][]string{}, sources: map[string]string{}}
	dirs, err := funcs.PackageDirs(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, rel := range dirs {
		pkg, err := funcs.Load(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range pkg.Services {
			route := path.Join(rel, d.Route)
			tr.routes = append(tr.routes, route)
			tr.pkgOf[route] = rel
			tr.byPkg[rel] = append(tr.byPkg[rel], route)
		}
		entries, err := os.ReadDir(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if funcs.IsSourceFile(e.Name()) {
				src, err := os.ReadFile(filepath.Join(dir, rel, e.Name()))
				if err != nil {
					t.Fatal(err)
				}
				tr.sources[path.Join(rel, e.Name())] = string(src)
			}
		}
		// Its migrations, which its server applies before it loads.
		ms, err := state.Declared(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		for db, list := range ms {
			for _, m := range list {
				tr.sources[path.Join(rel, "migrations", db, m.Name)] = m.SQL
			}
		}
	}
	// A folder in a module carries its go.mod and go.sum.
	mod, err := gomod.Find(dir, funcs.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if mod != nil {
		gm, err := mod.GoModFor(dir)
		if err != nil {
			t.Fatal(err)
		}
		tr.sources["go.mod"] = string(gm)
		if sum, err := os.ReadFile(filepath.Join(mod.Dir, "go.sum")); err == nil {
			tr.sources["go.sum"] = string(sum)
		}
	}
	return tr
}

// serveArgs are the parsed arguments of a container.
type serveArgs struct {
	dir     string
	addr    string
	only    []string
	noWatch bool
	memory  string
	temp    string
	// stack, write and openFiles are the other limits, "" when not
	// given.
	stack, write, openFiles string
	allow                   string
	unrestricted            bool
	routes                  map[string]string
	// tokenFile and chainKeyFile are the files of the pod's secret.
	tokenFile, chainKeyFile string
	env                     []string // --env NAME=VALUE
	secrets                 []string // --secret NAME=FILE
}

// parseServeArgs parses serve DIR FLAGS, or, for an application, which
// takes no DIR, serve FLAGS.
func parseServeArgs(args []string) (*serveArgs, error) {
	if len(args) < 2 || args[0] != "serve" {
		return nil, fmt.Errorf("args %q: want serve [DIR] …", args)
	}
	a := &serveArgs{routes: map[string]string{}}
	flags := args[1:]
	if !strings.HasPrefix(args[1], "-") {
		a.dir, flags = args[1], args[2:]
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(new(bytes.Buffer))
	fs.StringVar(&a.addr, "addr", "", "")
	only := fs.String("only", "", "")
	fs.BoolVar(&a.noWatch, "no-watch", false, "")
	fs.StringVar(&a.memory, "max-memory", "", "")
	fs.StringVar(&a.temp, "max-temp-size", "", "")
	fs.StringVar(&a.stack, "max-stack", "", "")
	fs.StringVar(&a.write, "max-write-size", "", "")
	fs.StringVar(&a.openFiles, "max-open-files", "", "")
	fs.StringVar(&a.allow, "allow", "", "")
	fs.BoolVar(&a.unrestricted, "unrestricted", false, "")
	fs.StringVar(&a.tokenFile, "token-file", "", "")
	fs.StringVar(&a.chainKeyFile, "chain-key-file", "", "")
	fs.Func("env", "", func(v string) error { a.env = append(a.env, v); return nil })
	fs.Func("secret", "", func(v string) error { a.secrets = append(a.secrets, v); return nil })
	fs.Func("route", "", func(v string) error {
		name, u, ok := strings.Cut(v, "=")
		if !ok {
			return fmt.Errorf("--route %q: want NAME=URL", v)
		}
		if _, dup := a.routes[name]; dup {
			return fmt.Errorf("--route %s given twice", name)
		}
		a.routes[name] = u
		return nil
	})
	if err := fs.Parse(flags); err != nil {
		return nil, err
	}
	if fs.NArg() != 0 {
		return nil, fmt.Errorf("stray arguments %q", fs.Args())
	}
	a.only = strings.Split(*only, ",")
	return a, nil
}

// checkManifest checks everything the manifest of dir must be, from its
// decoded stream alone.
func checkManifest(t *testing.T, dir string, opts Options, s *stream) {
	t.Helper()
	tr := readTree(t, dir)
	ns := opts.Namespace
	if ns == "" {
		ns = DefaultNamespace
	}
	replicas := max(opts.Replicas, 1)
	image := cmp.Or(opts.Image, DefaultImage)
	app := opts.AppImage != ""
	if app {
		image = opts.AppImage
	}
	limits, err := opts.Limits.withDefaults()
	if err != nil {
		t.Fatal(err)
	}

	// Objects, names and namespaces.
	wantNS := ""
	if ns != DefaultNamespace {
		wantNS = ns
		if len(s.namespaces) != 1 || s.objs[0] != s.namespaces[0] || s.namespaces[0].Name != ns {
			t.Fatalf("want one Namespace %s first, got %d Namespaces", ns, len(s.namespaces))
		}
		if s.namespaces[0].Labels["pod-security.kubernetes.io/enforce"] != "restricted" {
			t.Errorf("Namespace labels %v: want the restricted Pod Security Standard enforced", s.namespaces[0].Labels)
		}
	} else if len(s.namespaces) != 0 {
		t.Fatalf("a Namespace object in the default namespace")
	}
	for _, o := range s.objs {
		m := metaOf(o)
		if _, isNS := o.(*corev1.Namespace); !isNS && m.Namespace != wantNS {
			t.Errorf("%s has namespace %q, want %q", m.Name, m.Namespace, wantNS)
		}
		if errs := validation.IsDNS1123Label(m.Name); len(errs) > 0 {
			t.Errorf("name %q: %v", m.Name, errs)
		}
	}
	for _, svc := range s.services {
		if errs := validation.IsDNS1035Label(svc.Name); len(errs) > 0 {
			t.Errorf("Service name %q: %v", svc.Name, errs)
		}
	}
	if len(s.deployments) == 0 || len(s.deployments) != len(s.services) {
		t.Fatalf("%d Deployments and %d Services", len(s.deployments), len(s.services))
	}
	if app {
		// The application carries its code: no sources in the stream.
		if len(s.configMaps) != 0 {
			t.Fatalf("%d ConfigMaps with an app image, want none", len(s.configMaps))
		}
		tr.sources = nil
	} else if len(s.configMaps) != 1 || s.configMaps[0].Name != ConfigMapName {
		t.Fatalf("want one ConfigMap %s, got %d", ConfigMapName, len(s.configMaps))
	}
	cm := &corev1.ConfigMap{}
	if !app {
		cm = s.configMaps[0]
	}

	// The ConfigMap holds every source file.
	keyOf := map[string]string{}
	for rel, src := range tr.sources {
		found := false
		for k, v := range cm.Data {
			if v == src && strings.ReplaceAll(rel, "/", "__") == k {
				keyOf[rel], found = k, true
			}
		}
		if !found {
			t.Errorf("ConfigMap has no key holding %s", rel)
		}
	}
	if len(cm.Data) != len(tr.sources) || len(cm.BinaryData) != 0 {
		t.Errorf("ConfigMap has %d keys and %d binary keys, want %d", len(cm.Data), len(cm.BinaryData), len(tr.sources))
	}

	served := map[string]*appsv1.Deployment{} // route → Deployment
	depByName := map[string]*appsv1.Deployment{}
	argsOf := map[*appsv1.Deployment]*serveArgs{}
	for _, d := range s.deployments {
		depByName[d.Name] = d
		if d.Spec.Replicas == nil || *d.Spec.Replicas != replicas {
			t.Errorf("%s: replicas %v, want %d", d.Name, d.Spec.Replicas, replicas)
		}
		pod := labels.Set(d.Spec.Template.Labels)
		if sel, err := labels.ValidatedSelectorFromSet(d.Spec.Selector.MatchLabels); err != nil || !sel.Matches(pod) {
			t.Errorf("%s: selector %v does not select its pods %v (%v)", d.Name, d.Spec.Selector.MatchLabels, pod, err)
		}
		if pod[LabelName] != "microfn" || pod[LabelComponent] != strings.TrimPrefix(d.Name, NamePrefix) {
			t.Errorf("%s: pod labels %v", d.Name, pod)
		}
		// Exactly one Service selects these pods, and it selects no
		// other Deployment's.
		var selecting []string
		for _, svc := range s.services {
			if len(svc.Spec.Selector) > 0 && labels.SelectorFromSet(svc.Spec.Selector).Matches(pod) {
				selecting = append(selecting, svc.Name)
			}
		}
		if len(selecting) != 1 || selecting[0] != d.Name {
			t.Errorf("%s: selected by Services %v, want exactly %s", d.Name, selecting, d.Name)
		}

		tmpl := d.Spec.Template
		for k, v := range map[string]string{"prometheus.io/scrape": "true", "prometheus.io/port": "8000", "prometheus.io/path": "/metrics"} {
			if tmpl.Annotations[k] != v {
				t.Errorf("%s: pod annotation %s = %q, want %q", d.Name, k, tmpl.Annotations[k], v)
			}
		}
		if len(tmpl.Annotations[AnnotationSource]) != map[bool]int{false: 64, true: 0}[app] {
			t.Errorf("%s: source hash annotation %q (app image %v)", d.Name, tmpl.Annotations[AnnotationSource], app)
		}
		spec := tmpl.Spec
		if len(spec.Containers) != 1 {
			t.Fatalf("%s: %d containers", d.Name, len(spec.Containers))
		}
		c := spec.Containers[0]
		if c.Image != image {
			t.Errorf("%s: image %q, want %q", d.Name, c.Image, image)
		}
		if len(c.Ports) != 1 || c.Ports[0].ContainerPort != Port || c.Ports[0].Name != portName {
			t.Errorf("%s: ports %+v, want http 8000", d.Name, c.Ports)
		}
		portOf := func(p intstr.IntOrString) int32 {
			if p.Type == intstr.Int {
				return p.IntVal
			}
			for _, cp := range c.Ports {
				if cp.Name == p.StrVal {
					return cp.ContainerPort
				}
			}
			return -1
		}
		for _, pr := range []struct {
			what  string
			probe *corev1.Probe
			path  string
		}{{"liveness", c.LivenessProbe, "/healthz"}, {"readiness", c.ReadinessProbe, "/readyz"}, {"startup", c.StartupProbe, "/healthz"}} {
			if pr.probe == nil || pr.probe.HTTPGet == nil || pr.probe.HTTPGet.Path != pr.path || portOf(pr.probe.HTTPGet.Port) != Port {
				t.Errorf("%s: %s probe %+v, want GET %s on port 8000", d.Name, pr.what, pr.probe, pr.path)
			}
		}
		for _, res := range []corev1.ResourceList{c.Resources.Requests, c.Resources.Limits} {
			if res.Cpu().IsZero() || res.Memory().IsZero() {
				t.Errorf("%s: resources %+v want cpu and memory requests and limits", d.Name, c.Resources)
			}
		}
		// Room for the server and its one worker.
		if got := c.Resources.Limits.Memory().Value(); got != ServerMemory+limits.MaxMemory {
			t.Errorf("%s: memory limit %d, want %d for the server and a worker of --max-memory %d", d.Name, got, ServerMemory+limits.MaxMemory, limits.MaxMemory)
		}
		sc, psc := c.SecurityContext, spec.SecurityContext
		if sc == nil || psc == nil || !deref(sc.RunAsNonRoot) || !deref(psc.RunAsNonRoot) || !deref(sc.ReadOnlyRootFilesystem) ||
			sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || psc.RunAsUser == nil || *psc.RunAsUser == 0 ||
			sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) ||
			psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			t.Errorf("%s: security contexts %+v %+v are not restricted", d.Name, psc, sc)
		}
		if spec.EnableServiceLinks == nil || *spec.EnableServiceLinks {
			t.Errorf("%s: service links on: Kubernetes would set MICROFN_* variables", d.Name)
		}

		if app {
			// Nothing of the sources in the pod: no ConfigMap volume, no
			// mount at /src; the image's entrypoint is the application.
			for _, v := range spec.Volumes {
				if v.ConfigMap != nil {
					t.Errorf("%s: a ConfigMap volume %s with an app image", d.Name, v.Name)
				}
			}
			for _, vm := range c.VolumeMounts {
				if vm.MountPath == SourceDir {
					t.Errorf("%s: a mount at %s with an app image", d.Name, SourceDir)
				}
			}
		} else {
			checkSourceMount(t, d, tr, keyOf)
		}

		a, err := parseServeArgs(c.Args)
		if err != nil {
			t.Fatalf("%s: %v", d.Name, err)
		}
		argsOf[d] = a
		wantDir := SourceDir
		if app {
			wantDir = ""
		}
		if a.dir != wantDir || a.addr != "0.0.0.0:8000" || a.noWatch != !app || a.memory != SizeArg(limits.MaxMemory) || a.temp != SizeArg(limits.MaxTempSize) {
			t.Errorf("%s: serve %q --addr %s, no-watch %v, max-memory %q, max-temp-size %q; want serve %q --addr 0.0.0.0:8000, --no-watch unless an application, --max-memory %s --max-temp-size %s",
				d.Name, a.dir, a.addr, a.noWatch, a.memory, a.temp, wantDir, SizeArg(limits.MaxMemory), SizeArg(limits.MaxTempSize))
		}
		if tmp := resource.NewQuantity(TempHeadroom+limits.MaxTempSize, resource.BinarySI); !slices.ContainsFunc(spec.Volumes, func(v corev1.Volume) bool {
			return v.EmptyDir != nil && v.EmptyDir.SizeLimit != nil && v.EmptyDir.SizeLimit.Cmp(*tmp) == 0
		}) || !slices.ContainsFunc(c.VolumeMounts, func(vm corev1.VolumeMount) bool { return vm.MountPath == "/tmp" && !vm.ReadOnly }) {
			t.Errorf("%s: no writable /tmp volume of %s, which --max-temp-size %s stays below", d.Name, tmp.String(), SizeArg(limits.MaxTempSize))
		}
		if got, want := a.allow, strings.Join(opts.Allow, ","); got != want || a.unrestricted != opts.Unrestricted {
			t.Errorf("%s: --allow %q --unrestricted %v, want --allow %q --unrestricted %v", d.Name, got, a.unrestricted, want, opts.Unrestricted)
		}
		if secret := a.tokenFile + a.chainKeyFile; (a.tokenFile == "") == (a.chainKeyFile == "") || path.Dir(secret) != SecretDir ||
			(a.tokenFile != "") != (opts.TokenSecret != "") {
			t.Errorf("%s: --token-file %q, --chain-key-file %q: want one file of %s, the token's if there is a token Secret", d.Name, a.tokenFile, a.chainKeyFile, SecretDir)
		}
		for _, r := range a.only {
			if prev, dup := served[r]; dup {
				t.Errorf("%s is served by %s and %s", r, prev.Name, d.Name)
			}
			served[r] = d
		}
		if got := strings.Split(d.Annotations[AnnotationServices], ","); !slices.Equal(got, a.only) {
			t.Errorf("%s: annotation %s = %v, --only %v", d.Name, AnnotationServices, got, a.only)
		}
		if d.Annotations[AnnotationPolicy] == "" {
			t.Errorf("%s: no policy annotation", d.Name)
		}
		// Grouping.
		if opts.Grouping == PerPackage {
			p := tr.pkgOf[a.only[0]]
			if !slices.Equal(a.only, tr.byPkg[p]) {
				t.Errorf("%s serves %v, want the services of package %s: %v", d.Name, a.only, p, tr.byPkg[p])
			}
		} else if len(a.only) != 1 {
			t.Errorf("%s serves %v, want one service", d.Name, a.only)
		}
	}
	checkScaling(t, opts, s)
	checkIngress(t, opts, tr, s)
	// Every service is served exactly once.
	for _, r := range tr.routes {
		if served[r] == nil {
			t.Errorf("%s is served by no Deployment", r)
		}
	}
	if len(served) != len(tr.routes) {
		t.Errorf("--only lists name %d services, the directory has %d: %v", len(served), len(tr.routes), served)
	}

	// Routes point at Services of the stream, whose pods serve what they
	// are routed for; every service not served here has one.
	svcByName := map[string]*corev1.Service{}
	for _, svc := range s.services {
		svcByName[svc.Name] = svc
		if svc.Spec.Type != corev1.ServiceTypeClusterIP || len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != Port {
			t.Errorf("Service %s: %+v, want ClusterIP on port 8000", svc.Name, svc.Spec)
		}
	}
	for d, a := range argsOf {
		local := map[string]bool{}
		for _, r := range a.only {
			local[r] = true
		}
		target := func(key string) *appsv1.Deployment {
			raw, ok := a.routes[key]
			if !ok {
				return nil
			}
			u, err := url.Parse(raw)
			if err != nil || u.Scheme != "http" || u.Port() != "8000" || u.Path != "" {
				t.Errorf("%s: --route %s=%s: want http://SERVICE:8000", d.Name, key, raw)
				return nil
			}
			host := u.Hostname()
			if net.ParseIP(host) != nil || svcByName[host] == nil {
				t.Errorf("%s: --route %s=%s: no Service %s in the stream", d.Name, key, raw, host)
				return nil
			}
			to := depByName[host]
			if to == nil || !labels.SelectorFromSet(svcByName[host].Spec.Selector).Matches(labels.Set(to.Spec.Template.Labels)) {
				t.Errorf("%s: --route %s: Service %s selects no Deployment of that name", d.Name, key, host)
			}
			return to
		}
		for key := range a.routes {
			to := target(key)
			if to == d {
				t.Errorf("%s routes %s to itself", d.Name, key)
			}
			if to == nil {
				continue
			}
			// A key is a route or a package directory; what it names must
			// be served by the target.
			names := []string{key}
			if _, isRoute := tr.pkgOf[key]; !isRoute {
				names = tr.byPkg[key]
				if len(names) == 0 || key == "." {
					t.Errorf("%s: --route %s names neither a service nor a package with services", d.Name, key)
				}
			}
			for _, n := range names {
				if served[n] != to {
					t.Errorf("%s: --route %s reaches %s, which does not serve %s", d.Name, key, to.Name, n)
				}
			}
		}
		for _, r := range tr.routes {
			if local[r] {
				continue
			}
			// As serve looks it up: the route, else its package's directory.
			to := target(r)
			if _, byRoute := a.routes[r]; !byRoute && tr.pkgOf[r] != "." {
				to = target(tr.pkgOf[r])
			}
			if to == nil {
				t.Errorf("%s: %s is not served here and has no route", d.Name, r)
			} else if to != served[r] {
				t.Errorf("%s: %s routed to %s, served by %s", d.Name, r, to.Name, served[r].Name)
			}
		}
	}
}

// checkSourceMount checks that d's container sees every source file of
// tr at /src: the ConfigMap's items put every file below src/, and the
// container mounts src/ read-only at /src.
func checkSourceMount(t *testing.T, d *appsv1.Deployment, tr tree, keyOf map[string]string) {
	t.Helper()
	spec := d.Spec.Template.Spec
	c := spec.Containers[0]
	var mount *corev1.VolumeMount
	for i, vm := range c.VolumeMounts {
		if vm.MountPath == SourceDir {
			mount = &c.VolumeMounts[i]
		}
	}
	if mount == nil || !mount.ReadOnly {
		t.Fatalf("%s: no read-only mount at %s: %+v", d.Name, SourceDir, c.VolumeMounts)
	}
	var vol *corev1.Volume
	for i, v := range spec.Volumes {
		if v.Name == mount.Name {
			vol = &spec.Volumes[i]
		}
	}
	if vol == nil || vol.ConfigMap == nil || vol.ConfigMap.Name != ConfigMapName {
		t.Fatalf("%s: the volume at %s is not the ConfigMap %s", d.Name, SourceDir, ConfigMapName)
	}
	inContainer := map[string]string{} // container path → key
	for _, it := range vol.ConfigMap.Items {
		rel, ok := strings.CutPrefix(it.Path, mount.SubPath+"/")
		if !ok {
			t.Errorf("%s: item %s is outside the mounted subPath %q", d.Name, it.Path, mount.SubPath)
			continue
		}
		inContainer[path.Join(SourceDir, rel)] = it.Key
	}
	for rel := range tr.sources {
		p := path.Join(SourceDir, rel)
		if key, ok := inContainer[p]; !ok || key != keyOf[rel] {
			t.Errorf("%s: %s is not mounted at %s (items %v)", d.Name, rel, p, vol.ConfigMap.Items)
		}
	}
	if len(inContainer) != len(tr.sources) {
		t.Errorf("%s: %d items for %d sources", d.Name, len(inContainer), len(tr.sources))
	}
}

func metaOf(o any) *struct{ Name, Namespace string } {
	if m, ok := o.(metav1.Object); ok {
		return &struct{ Name, Namespace string }{m.GetName(), m.GetNamespace()}
	}
	panic(fmt.Sprintf("unexpected %T", o))
}

func deref(b *bool) bool { return b != nil && *b }

func TestSeedPerFunction(t *testing.T) {
	t.Parallel()
	opts := Options{}
	m, out, s := mustGenerate(t, seed, opts)
	checkManifest(t, seed, opts, s)

	// The decoded stream is the manifest that was generated.
	if objs := m.Objects(); len(objs) != len(s.objs) || !equality.Semantic.DeepEqual(objs, s.objs) {
		t.Errorf("the YAML stream does not decode to the generated objects")
	}
	var names []string
	for _, d := range s.deployments {
		names = append(names, d.Name)
	}
	want := []string{"microfn-iseven", "microfn-isodd", "microfn-buggyfunction", "microfn-slowfunction", "microfn-factorial", "microfn-fib", "microfn-area", "microfn-distance"}
	if !slices.Equal(names, want) {
		t.Errorf("Deployments %v, want %v", names, want)
	}
	policies := map[string]string{
		"microfn-iseven":        "retry=5 backoff=exponential base=10ms cap=1s jitter=10% timeout=30s scale=5 queue=100",
		"microfn-isodd":         "retry=3 backoff=exponential base=10ms cap=1s jitter=10% timeout=30s scale=1 queue=100",
		"microfn-buggyfunction": "retry=5 backoff=exponential base=20ms cap=1s jitter=20% timeout=30s scale=1 queue=100",
		"microfn-slowfunction":  "retry=1 backoff=exponential base=10ms cap=1s jitter=10% timeout=2s scale=5 queue=100",
	}
	for _, d := range s.deployments {
		if p, ok := policies[d.Name]; ok && d.Annotations[AnnotationPolicy] != p {
			t.Errorf("%s: policy %q, want %q", d.Name, d.Annotations[AnnotationPolicy], p)
		}
	}
	for _, line := range []string{
		"# IsEven: scale=5 per pod × 1 replica = at most 5 concurrent call chains (15 with the autoscaler's 3 pods)\napiVersion: apps/v1\nkind: Deployment\n",
		"- IsOdd=http://microfn-isodd:8000\n",
	} {
		if !bytes.Contains(out, []byte(line)) {
			t.Errorf("the stream lacks %q", line)
		}
	}
	// Sources read as Go, not as escaped strings.
	if !bytes.Contains(out, []byte("  math.go: |\n    // Package seed")) {
		t.Errorf("math.go is not a literal block:\n%s", out[:min(len(out), 600)])
	}
}

func TestSeedPerPackageReplicasNamespace(t *testing.T) {
	t.Parallel()
	opts := Options{Grouping: PerPackage, Replicas: 3, Namespace: "shop", Image: "registry.example.com/microfn:v1"}
	_, out, s := mustGenerate(t, seed, opts)
	checkManifest(t, seed, opts, s)
	if len(s.deployments) != 1 || s.deployments[0].Name != "microfn-seed" {
		t.Fatalf("want one Deployment microfn-seed (named after package seed), got %d", len(s.deployments))
	}
	a, _ := parseServeArgs(s.deployments[0].Spec.Template.Spec.Containers[0].Args)
	if !slices.Equal(a.only, seedRoutes) || len(a.routes) != 0 {
		t.Errorf("--only %v, routes %v; want every service and no route", a.only, a.routes)
	}
	if !strings.Contains(s.deployments[0].Annotations[AnnotationPolicy], "IsEven: retry=5 backoff=exponential base=10ms cap=1s jitter=10% timeout=30s scale=5 queue=100\nIsOdd: retry=3") {
		t.Errorf("policy annotation %q: want a line per service", s.deployments[0].Annotations[AnnotationPolicy])
	}
	if !bytes.Contains(out, []byte("# IsEven: scale=5 per pod × 3 replicas = at most 15 concurrent call chains (45 with the autoscaler's 9 pods)\n")) {
		t.Errorf("the stream does not say what scale=5 means with 3 replicas")
	}
}

// TestTokenSecret: with a token Secret, every pod reads the token from a
// file of it (--token-file), never from its environment, and the stream
// says how to create it; without, the pods read a chain key from an
// optional Secret the same way.
func TestTokenSecret(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     Options
		flag     string // the flag that points at the file
		file     string // the file's name in SecretDir
		secret   string // the Secret
		key      string // its key
		optional bool
		says     string // in the stream
	}{
		{"token", Options{TokenSecret: "microfn-token"}, "--token-file", "token", "microfn-token", TokenSecretKey, false,
			"# Create it first: kubectl create secret generic microfn-token --from-literal=token="},
		{"chain key", Options{}, "--chain-key-file", "chain-key", ChainKeySecret, "key", true,
			"kubectl create secret generic " + ChainKeySecret + " --from-literal=key="},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, out, s := mustGenerate(t, seed, tc.opts)
			checkManifest(t, seed, tc.opts, s)
			for _, d := range s.deployments {
				spec := d.Spec.Template.Spec
				c := spec.Containers[0]
				if len(c.Env) != 0 || len(c.EnvFrom) != 0 {
					t.Errorf("%s: env %+v %+v, want none: a secret in the environment would reach every process", d.Name, c.Env, c.EnvFrom)
				}
				i := slices.Index(c.Args, tc.flag)
				if i < 0 || i+1 == len(c.Args) || c.Args[i+1] != path.Join(SecretDir, tc.file) {
					t.Errorf("%s: args %q, want %s %s", d.Name, c.Args, tc.flag, path.Join(SecretDir, tc.file))
				}
				var mount *corev1.VolumeMount
				for j, vm := range c.VolumeMounts {
					if vm.MountPath == SecretDir {
						mount = &c.VolumeMounts[j]
					}
				}
				if mount == nil || !mount.ReadOnly {
					t.Fatalf("%s: no read-only mount at %s: %+v", d.Name, SecretDir, c.VolumeMounts)
				}
				var vol *corev1.Volume
				for j, v := range spec.Volumes {
					if v.Name == mount.Name {
						vol = &spec.Volumes[j]
					}
				}
				if vol == nil || vol.Secret == nil || vol.Secret.SecretName != tc.secret || len(vol.Secret.Items) != 1 ||
					vol.Secret.Items[0].Key != tc.key || vol.Secret.Items[0].Path != tc.file || deref(vol.Secret.Optional) != tc.optional {
					t.Errorf("%s: the volume at %s is %+v, want key %s of Secret %s as %s (optional %v)", d.Name, SecretDir, vol, tc.key, tc.secret, tc.file, tc.optional)
				}
			}
			if !bytes.Contains(out, []byte(tc.says)) {
				t.Errorf("the stream does not say how to create the Secret: %q", tc.says)
			}
		})
	}
}

func TestSubpackages(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, splitSrc)
	t.Run("per-function", func(t *testing.T) {
		t.Parallel()
		opts := Options{}
		_, _, s := mustGenerate(t, dir, opts)
		checkManifest(t, dir, opts, s)
		var names []string
		for _, d := range s.deployments {
			names = append(names, d.Name)
		}
		want := []string{"microfn-iseven", "microfn-isodd", "microfn-billing-charge", "microfn-billing-refund", "microfn-billing-tax-rate"}
		if !slices.Equal(names, want) {
			t.Errorf("Deployments %v, want %v", names, want)
		}
		items := s.deployments[0].Spec.Template.Spec.Volumes[0].ConfigMap.Items
		if !slices.Contains(items, corev1.KeyToPath{Key: "billing__charge.go", Path: "src/billing/charge.go"}) ||
			!slices.Contains(items, corev1.KeyToPath{Key: "util__util.go", Path: "src/util/util.go"}) {
			t.Errorf("items %v: want billing__charge.go at src/billing/charge.go and the package without services", items)
		}
	})
	t.Run("per-package", func(t *testing.T) {
		t.Parallel()
		opts := Options{Grouping: PerPackage, Replicas: 2}
		_, _, s := mustGenerate(t, dir, opts)
		checkManifest(t, dir, opts, s)
		got := map[string][]string{}
		for _, d := range s.deployments {
			a, _ := parseServeArgs(d.Spec.Template.Spec.Containers[0].Args)
			got[d.Name] = append(a.only, fmt.Sprint(a.routes))
		}
		want := map[string][]string{
			"microfn-app":         {"IsEven", "IsOdd", "map[billing:http://microfn-billing:8000 billing/tax:http://microfn-billing-tax:8000]"},
			"microfn-billing":     {"billing/Charge", "billing/refund", "map[IsEven:http://microfn-app:8000 IsOdd:http://microfn-app:8000 billing/tax:http://microfn-billing-tax:8000]"},
			"microfn-billing-tax": {"billing/tax/Rate", "map[IsEven:http://microfn-app:8000 IsOdd:http://microfn-app:8000 billing:http://microfn-billing:8000]"},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("components\n%v\nwant\n%v", got, want)
		}
	})
}

// A package directory that is also a route of the root package cannot be
// routed by directory: its services are routed one by one.
func TestPerPackageAmbiguousDirectory(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, map[string]string{
		"a.go":         "package app\n\n//microfn:service name=billing\nfunc Billing() int { return 1 }\n",
		"billing/b.go": "package billing\n\n//microfn:service\nfunc Charge() int { return 2 }\n",
	})
	opts := Options{Grouping: PerPackage}
	_, _, s := mustGenerate(t, dir, opts)
	checkManifest(t, dir, opts, s)
	a, _ := parseServeArgs(s.deployments[0].Spec.Template.Spec.Containers[0].Args)
	if _, ok := a.routes["billing/Charge"]; !ok || len(a.routes) != 1 {
		t.Errorf("routes %v: want billing/Charge routed by its route", a.routes)
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, splitSrc)
	for _, g := range []Grouping{PerFunction, PerPackage} {
		_, first, _ := mustGenerate(t, dir, Options{Grouping: g, Namespace: "x"})
		for range 3 {
			if _, again, _ := mustGenerate(t, dir, Options{Grouping: g, Namespace: "x"}); !bytes.Equal(first, again) {
				t.Fatalf("%v: two runs differ", g)
			}
		}
	}
}

// The pods see the ConfigMap as the kubelet writes it: the files in a
// hidden timestamped directory, reached through symbolic links that
// microfn does not follow. The subPath mount resolves them.
func TestSourceVolumeAsTheKubeletWritesIt(t *testing.T) {
	t.Parallel()
	dir := writeTree(t, splitSrc)
	m, err := Generate(dir, Options{Grouping: PerPackage})
	if err != nil {
		t.Fatal(err)
	}
	c := m.Components[0].Deployment.Spec.Template.Spec
	vol := c.Volumes[0].ConfigMap
	mount := c.Containers[0].VolumeMounts[0]

	volDir := t.TempDir()
	ts := "..2026_01_02_03_04_05.123456789"
	for _, it := range vol.Items {
		p := filepath.Join(volDir, ts, filepath.FromSlash(it.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(m.ConfigMap.Data[it.Key]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(ts, filepath.Join(volDir, "..data")); err != nil {
		t.Fatal(err)
	}
	top := map[string]bool{}
	for _, it := range vol.Items {
		first, _, _ := strings.Cut(it.Path, "/")
		if !top[first] {
			top[first] = true
			if err := os.Symlink(filepath.Join("..data", first), filepath.Join(volDir, first)); err != nil {
				t.Fatal(err)
			}
		}
	}

	// Mounted whole, the volume shows microfn no package at all.
	if dirs, err := funcs.PackageDirs(volDir); err != nil || len(dirs) != 0 {
		t.Errorf("PackageDirs of the bare volume = %v, %v; the test no longer shows why subPath is needed", dirs, err)
	}
	// The kubelet resolves a subPath's links and bind-mounts the result.
	src, err := filepath.EvalSymlinks(filepath.Join(volDir, mount.SubPath))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := readTree(t, src), readTree(t, dir); !slices.Equal(got.routes, want.routes) || fmt.Sprint(got.sources) != fmt.Sprint(want.sources) {
		t.Errorf("mounted sources give services %v, want %v", got.routes, want.routes)
	}
}

func TestObjectName(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("VeryLongPackageName/", 5) + "Charge"
	tests := []struct{ in, want string }{
		{"IsEven", "microfn-iseven"},
		{"billing/Charge", "microfn-billing-charge"},
		{"billing/tax/Rate", "microfn-billing-tax-rate"},
		{"a_b.c--d", "microfn-a-b-c-d"},
		{"_x_", "microfn-x"},
		{"9lives", "microfn-9lives"},
		{long, "microfn-verylongpackagename-verylongpackagename-verylo-c1b6060a"},
	}
	for _, tc := range tests {
		got, err := objectName(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("objectName(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
		if errs := validation.IsDNS1035Label(got); len(errs) > 0 {
			t.Errorf("objectName(%q) = %q: %v", tc.in, got, errs)
		}
	}
	other, _ := objectName(long + "2")
	if got, _ := objectName(long); len(got) != 63 || other == got {
		t.Errorf("long names %q and %q: want 63 characters, distinct", got, other)
	}
	if _, err := objectName("_._"); err == nil {
		t.Errorf("objectName(\"_._\") succeeded")
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		opts  Options
		want  []string
	}{
		{"no services", map[string]string{"a.go": "package a\n\nfunc F() {}\n"}, Options{}, []string{"no services under", "//microfn:service"}},
		{"no Go files", map[string]string{"README": "hi\n"}, Options{}, []string{"no services under"}},
		{"load error", map[string]string{"a.go": "package a\n\n//microfn:service retries=3\nfunc F() {}\n"}, Options{}, []string{"a.go:3:", `unknown option "retries"`}},
		{"services collide", map[string]string{"a.go": "package a\n\n//microfn:service\nfunc IsEven() {}\n\n//microfn:service\nfunc Iseven() {}\n"}, Options{},
			[]string{"service IsEven and service Iseven both make the Kubernetes name microfn-iseven", "rename one"}},
		{"packages collide", map[string]string{"a_b/a.go": "package a\n\n//microfn:service\nfunc F() {}\n", "a-b/a.go": "package a\n\n//microfn:service\nfunc G() {}\n"}, Options{Grouping: PerPackage},
			[]string{"package a-b and package a_b both make the Kubernetes name microfn-a-b"}},
		{"root package collides", map[string]string{"a.go": "package billing\n\n//microfn:service\nfunc F() {}\n", "billing/a.go": "package billing\n\n//microfn:service\nfunc G() {}\n"}, Options{Grouping: PerPackage},
			[]string{"root package billing and package billing both make the Kubernetes name microfn-billing"}},
		{"keys collide", map[string]string{"a__b.go": "package a\n\n//microfn:service\nfunc F() {}\n", "a/b.go": "package b\n"}, Options{},
			[]string{"a__b.go and a/b.go would share the ConfigMap key \"a__b.go\""}},
		{"bad key", map[string]string{"a b/c.go": "package c\n\n//microfn:service\nfunc F() {}\n"}, Options{}, []string{"a b/c.go cannot be stored in a ConfigMap"}},
		{"bad namespace", map[string]string{"a.go": "package a\n\n//microfn:service\nfunc F() {}\n"}, Options{Namespace: "My_NS"}, []string{`namespace "My_NS" is not a valid name`, "RFC 1123"}},
		{"bad replicas", map[string]string{"a.go": "package a\n\n//microfn:service\nfunc F() {}\n"}, Options{Replicas: -1}, []string{"replicas: want a whole number >= 1, got -1"}},
		{"bad image", map[string]string{"a.go": "package a\n\n//microfn:service\nfunc F() {}\n"}, Options{Image: "a b"}, []string{`image "a b"`}},
		{"bad token secret", map[string]string{"a.go": "package a\n\n//microfn:service\nfunc F() {}\n"}, Options{TokenSecret: "Bad_Name"}, []string{`token secret "Bad_Name" is not a valid Secret name`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := writeTree(t, tc.files)
			_, err := Generate(dir, tc.opts)
			if err == nil {
				t.Fatalf("Generate succeeded")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	if _, err := Generate(filepath.Join(t.TempDir(), "missing"), Options{}); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing directory: %v", err)
	}
}

// TestModule: a module's ConfigMap carries go.mod and go.sum, every
// package (libraries included) and, for imports of required modules, the
// vendored packages; a program beside the services is left out. Without
// vendor/, such imports are an error that says what to do.
func TestModule(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"go.mod":                        "module example.com/m\n\ngo 1.22\n\nrequire example.com/dep v1.0.0\n",
		"go.sum":                        "example.com/dep v1.0.0 h1:x=\n",
		"lib/lib.go":                    "package lib\n\nimport \"example.com/dep\"\n\n// Twice doubles.\nfunc Twice(x int) int { return dep.Two * x }\n",
		"api/api.go":                    "package api\n\nimport \"example.com/m/lib\"\n\n// Four quadruples.\n//\n//microfn:service\nfunc Four(x int) int { return lib.Twice(lib.Twice(x)) }\n",
		"cmd/tool/main.go":              "package main\n\nfunc main() {}\n",
		"vendor/modules.txt":            "# example.com/dep v1.0.0\n## explicit\nexample.com/dep\n",
		"vendor/example.com/dep/dep.go": "package dep\n\n// Two is two.\nconst Two = 2\n",
		// Vendored, imported by no service: left out.
		"vendor/example.com/dep/other/other.go": "package other\n",
	}
	dir := writeTree(t, files)
	m, err := Generate(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m.ConfigMap.Data {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"api__api.go", "go.mod", "go.sum", "lib__lib.go", "vendor__example.com__dep__dep.go", "vendor__modules.txt"}
	if !slices.Equal(keys, want) {
		t.Errorf("ConfigMap keys %v, want %v", keys, want)
	}
	if m.ConfigMap.Data["go.mod"] != files["go.mod"] {
		t.Errorf("go.mod %q", m.ConfigMap.Data["go.mod"])
	}

	// Without vendor/.
	delete(files, "vendor/modules.txt")
	delete(files, "vendor/example.com/dep/dep.go")
	_, err = Generate(writeTree(t, files), Options{})
	if err == nil || !strings.Contains(err.Error(), "example.com/dep") || !strings.Contains(err.Error(), "go mod vendor") {
		t.Errorf("Generate without vendor/: %v, want an error naming example.com/dep and go mod vendor", err)
	}
}

// TestModuleSubfolder: a folder below a module's root is deployed with a
// go.mod of its own import path, without the module's replacements by a
// directory outside it.
func TestModuleSubfolder(t *testing.T) {
	t.Parallel()
	root := writeTree(t, map[string]string{
		"go.mod":     "module example.com/big\n\ngo 1.22\n\nrequire example.com/x v1.0.0\n\nreplace example.com/x => ./third_party/x\n",
		"svc/a/a.go": "package a\n\n// A is one.\n//\n//microfn:service\nfunc A() int { return 1 }\n",
		"svc/b/b.go": "package b\n\nimport \"example.com/big/svc/a\"\n\n// B calls A.\n//\n//microfn:service\nfunc B() int { return a.A() + 1 }\n",
	})
	m, err := Generate(filepath.Join(root, "svc"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	gm := m.ConfigMap.Data["go.mod"]
	if !strings.Contains(gm, "module example.com/big/svc") || strings.Contains(gm, "replace") || !strings.Contains(gm, "example.com/x v1.0.0") {
		t.Errorf("go.mod of the subfolder:\n%s", gm)
	}
}

// TestDatabaseSecret: every pod gets the URL of each database from the
// database Secret, so that split pods share the database.
func TestDatabaseSecret(t *testing.T) {
	t.Parallel()
	opts := Options{DatabaseSecret: "microfn-databases", Databases: []string{"orders", "carts"}}
	_, _, s := mustGenerate(t, seed, opts)
	for _, d := range s.deployments {
		got := map[string]string{}
		for _, e := range d.Spec.Template.Spec.Containers[0].Env {
			if e.ValueFrom != nil && e.ValueFrom.SecretKeyRef != nil && e.ValueFrom.SecretKeyRef.Name == "microfn-databases" {
				got[e.Name] = e.ValueFrom.SecretKeyRef.Key
			}
		}
		if got["MICROFN_DATABASE_ORDERS"] != "orders" || got["MICROFN_DATABASE_CARTS"] != "carts" || len(got) != 2 {
			t.Errorf("%s: database env %v", d.Name, got)
		}
	}
}
