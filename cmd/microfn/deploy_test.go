package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"

	"github.com/microfn/microfn/deploy/kubernetes"
)

func runDeploy(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = deployCmd(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// manifest is a decoded stream of microfn deploy kubernetes.
type manifest struct {
	kinds       []string
	namespaces  []corev1.Namespace
	configMap   *corev1.ConfigMap
	services    []corev1.Service
	deployments []appsv1.Deployment
	autoscalers []autoscalingv2.HorizontalPodAutoscaler
	budgets     []policyv1.PodDisruptionBudget
	ingresses   []networkingv1.Ingress
}

// decodeManifest decodes every document strictly into its official type.
func decodeManifest(t *testing.T, data string) *manifest {
	t.Helper()
	m := &manifest{}
	r := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(data)))
	for {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return m
		}
		if err != nil {
			t.Fatal(err)
		}
		j, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			t.Fatalf("%v in\n%s", err, doc)
		}
		if s := strings.TrimSpace(string(j)); s == "null" {
			continue
		}
		var tm metav1.TypeMeta
		if err := json.Unmarshal(j, &tm); err != nil {
			t.Fatal(err)
		}
		strict := func(v any) {
			dec := json.NewDecoder(bytes.NewReader(j))
			dec.DisallowUnknownFields()
			if err := dec.Decode(v); err != nil {
				t.Fatalf("%s: %v", tm.Kind, err)
			}
		}
		m.kinds = append(m.kinds, tm.Kind)
		switch tm.APIVersion + " " + tm.Kind {
		case "v1 Namespace":
			var o corev1.Namespace
			strict(&o)
			m.namespaces = append(m.namespaces, o)
		case "v1 ConfigMap":
			m.configMap = &corev1.ConfigMap{}
			strict(m.configMap)
		case "v1 Service":
			var o corev1.Service
			strict(&o)
			m.services = append(m.services, o)
		case "apps/v1 Deployment":
			var o appsv1.Deployment
			strict(&o)
			m.deployments = append(m.deployments, o)
		case "autoscaling/v2 HorizontalPodAutoscaler":
			var o autoscalingv2.HorizontalPodAutoscaler
			strict(&o)
			m.autoscalers = append(m.autoscalers, o)
		case "policy/v1 PodDisruptionBudget":
			var o policyv1.PodDisruptionBudget
			strict(&o)
			m.budgets = append(m.budgets, o)
		case "networking.k8s.io/v1 Ingress":
			var o networkingv1.Ingress
			strict(&o)
			m.ingresses = append(m.ingresses, o)
		default:
			t.Fatalf("unexpected %s %s", tm.APIVersion, tm.Kind)
		}
	}
}

func (m *manifest) deployment(t *testing.T, name string) *appsv1.Deployment {
	t.Helper()
	for i := range m.deployments {
		if m.deployments[i].Name == name {
			return &m.deployments[i]
		}
	}
	t.Fatalf("no Deployment %s", name)
	return nil
}

// argValues returns the values of every flag in args.
func argValues(args []string, flag string) []string {
	var vals []string
	for i := 0; i+1 < len(args); i++ {
		if args[i] == flag {
			vals = append(vals, args[i+1])
		}
	}
	return vals
}

func TestDeployKubernetes(t *testing.T) {
	t.Parallel()
	code, out, errOut := runDeploy(t, "kubernetes", "../../examples/seed")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	m := decodeManifest(t, out)
	want := []string{"ConfigMap"}
	for range 8 {
		want = append(want, "Service", "Deployment", "HorizontalPodAutoscaler", "PodDisruptionBudget")
	}
	if !slices.Equal(m.kinds, want) {
		t.Errorf("kinds %v, want %v", m.kinds, want)
	}
	var only []string
	for _, d := range m.deployments {
		c := d.Spec.Template.Spec.Containers[0]
		if *d.Spec.Replicas != 1 || c.Image != "microfn:latest" || d.Namespace != "" {
			t.Errorf("%s: replicas %d, image %s, namespace %q", d.Name, *d.Spec.Replicas, c.Image, d.Namespace)
		}
		only = append(only, argValues(c.Args, "--only")...)
		if n := len(argValues(c.Args, "--route")); n != 7 {
			t.Errorf("%s: %d routes, want one per other service", d.Name, n)
		}
	}
	if want := []string{"IsEven", "IsOdd", "BuggyFunction", "SlowFunction", "Factorial", "Fib", "Area", "Distance"}; !slices.Equal(only, want) {
		t.Errorf("--only over the Deployments: %v, want %v", only, want)
	}
	if !strings.Contains(out, "a Deployment with R replicas runs up to N×R call chains") {
		t.Errorf("the stream does not explain scale and replicas")
	}
	_, again, _ := runDeploy(t, "kubernetes", "../../examples/seed")
	if again != out {
		t.Errorf("two runs differ")
	}
}

// Flags may come after DIR; per-package groups the services of a package.
func TestDeployKubernetesFlags(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, deployTree)
	code, out, errOut := runDeploy(t, "kubernetes", dir, "--per-package", "--replicas", "3", "--namespace", "shop", "--image", "registry.example.com/microfn:v1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	m := decodeManifest(t, out)
	if len(m.namespaces) != 1 || m.namespaces[0].Name != "shop" || m.kinds[0] != "Namespace" {
		t.Fatalf("want the Namespace shop first, got kinds %v", m.kinds)
	}
	if m.configMap.Namespace != "shop" || m.configMap.Data["billing__charge.go"] != deployTree["billing/charge.go"] {
		t.Errorf("ConfigMap %s/%s lacks billing/charge.go: %v", m.configMap.Namespace, m.configMap.Name, m.configMap.Data)
	}
	billing := m.deployment(t, "microfn-billing")
	c := billing.Spec.Template.Spec.Containers[0]
	if got := argValues(c.Args, "--only"); !slices.Equal(got, []string{"billing/Charge,billing/Refund"}) {
		t.Errorf("billing --only %v", got)
	}
	if got := argValues(c.Args, "--route"); !slices.Equal(got, []string{"IsEven=http://microfn-shop:8000", "IsOdd=http://microfn-shop:8000"}) {
		t.Errorf("billing routes %v", got)
	}
	root := m.deployment(t, "microfn-shop") // the root package is package shop
	if got := argValues(root.Spec.Template.Spec.Containers[0].Args, "--route"); !slices.Equal(got, []string{"billing=http://microfn-billing:8000"}) {
		t.Errorf("root routes %v", got)
	}
	for _, d := range m.deployments {
		if *d.Spec.Replicas != 3 || d.Namespace != "shop" || d.Spec.Template.Spec.Containers[0].Image != "registry.example.com/microfn:v1" {
			t.Errorf("%s: replicas %d, namespace %s, image %s", d.Name, *d.Spec.Replicas, d.Namespace, d.Spec.Template.Spec.Containers[0].Image)
		}
	}
}

var deployTree = map[string]string{
	"math.go": `package shop

// IsEven reports whether x is even.
//
//microfn:service retry=5 scale=5
func IsEven(x int) bool { return x%2 == 0 }

// IsOdd calls IsEven, in another pod when deployed per function.
//
//microfn:service
func IsOdd(x int) bool { return !IsEven(x) }
`,
	"billing/charge.go": `package billing

// Charge charges cents.
//
//microfn:service retry=1 scale=3
func Charge(cents int64) string { return "charged" }

// Refund refunds cents.
//
//microfn:service
func Refund(cents int64) string { return "refunded" }
`,
}

func TestDeployErrors(t *testing.T) {
	t.Parallel()
	empty := writeFiles(t, map[string]string{"a.go": "package a\n\nfunc F() {}\n"})
	seed := "../../examples/seed"
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{nil, 2, "Usage: microfn deploy TARGET DIR"},
		{[]string{"nomad", seed}, 2, `unknown target "nomad"`},
		{[]string{"kubernetes"}, 2, "Usage: microfn deploy kubernetes DIR"},
		{[]string{"kubernetes", seed, seed}, 2, "Usage: microfn deploy kubernetes DIR"},
		{[]string{"kubernetes", seed, "--replica", "2"}, 2, "flag provided but not defined: -replica"},
		{[]string{"kubernetes", seed, "--namespace", "Shop_NS"}, 2, `namespace "Shop_NS" is not a valid name`},
		{[]string{"kubernetes", seed, "--namespace", ""}, 2, "cannot be empty"},
		{[]string{"kubernetes", seed, "--replicas", "0"}, 2, "--replicas: want a whole number >= 1, got 0"},
		{[]string{"kubernetes", seed, "--per-package", "--per-function"}, 2, "exclude each other"},
		{[]string{"kubernetes", seed, "--image", "a", "--app-image", "b"}, 2, "--image and --app-image exclude each other"},
		{[]string{"kubernetes", seed, "--max-memory", "0"}, 2, "--max-memory: want a size of at least 1 byte"},
		{[]string{"kubernetes", seed, "--max-stack", "lots"}, 2, "--max-stack: "},
		{[]string{"kubernetes", seed, "--max-open-files", "0"}, 2, "--max-open-files: want at least 1"},
		{[]string{"kubernetes", seed, "--cpu-target", "101"}, 2, "--cpu-target a percentage from 1 to 100"},
		{[]string{"kubernetes", seed, "--env", "NOVALUE"}, 2, `--env "NOVALUE": want NAME=VALUE`},
		{[]string{"kubernetes", seed, "--secret", "=x"}, 2, "secret"},
		{[]string{"kubernetes", empty}, 1, "no services under"},
		{[]string{"kubernetes", filepath.Join(empty, "missing")}, 1, "missing"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runDeploy(t, tc.args...)
			if code != tc.code || out != "" || !strings.Contains(errOut, tc.err) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, no output, stderr containing %q", code, out, errOut, tc.code, tc.err)
			}
		})
	}
	if code, out, _ := runDeploy(t, "help"); code != 0 || !strings.Contains(out, "kubernetes") {
		t.Errorf("deploy help: exit %d, %q", code, out)
	}
}

// pods are Deployments of a manifest run as local processes, each with
// its container's exact arguments, except three things only a cluster
// provides: the sources are the ConfigMap written out along the volume's
// items, each pod listens on a free loopback port instead of
// 0.0.0.0:8000, and a Service's DNS name is replaced by the address of
// the pod behind it. Calls then cross pods as the routes say. The pods'
// secret volume is a folder holding the chain key they share.
type pods struct {
	m       *manifest
	addrs   map[string]string // Deployment → address of its pod
	src     string            // the source volume as mounted; "" for an application
	secrets string
	procs   map[string]*proc
}

func newPods(t *testing.T, m *manifest) *pods {
	t.Helper()
	ps := &pods{m: m, addrs: map[string]string{}, secrets: t.TempDir(), procs: map[string]*proc{}}
	for _, d := range m.deployments {
		ps.addrs[d.Name] = freeAddr(t)
	}
	if err := os.WriteFile(filepath.Join(ps.secrets, "chain-key"), []byte("deployed-pods-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if m.configMap == nil {
		return ps
	}
	// The ConfigMap as the volume's items lay it out; the container mounts
	// the subPath at /src.
	vol := t.TempDir()
	spec := m.deployments[0].Spec.Template.Spec
	for _, it := range spec.Volumes[0].ConfigMap.Items {
		p := filepath.Join(vol, filepath.FromSlash(it.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(m.configMap.Data[it.Key]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ps.src = filepath.Join(vol, spec.Containers[0].VolumeMounts[0].SubPath)
	return ps
}

// args are the arguments of Deployment name's container as its pod runs
// here.
func (ps *pods) args(t *testing.T, name string) []string {
	t.Helper()
	args := slices.Clone(ps.m.deployment(t, name).Spec.Template.Spec.Containers[0].Args)
	for i, a := range args {
		switch {
		case a == kubernetes.SourceDir:
			if ps.src == "" {
				t.Fatalf("%s: serve %s without a source volume", name, a)
			}
			args[i] = ps.src
		case strings.HasPrefix(a, kubernetes.SecretDir+"/"):
			args[i] = filepath.Join(ps.secrets, strings.TrimPrefix(a, kubernetes.SecretDir+"/"))
		case a == "0.0.0.0:8000":
			args[i] = ps.addrs[name]
		case strings.Contains(a, "=http://"):
			for svc, addr := range ps.addrs {
				a = strings.Replace(a, "=http://"+svc+":8000", "=http://"+addr, 1)
			}
			args[i] = a
		}
	}
	return args
}

// start runs the pod of each Deployment of names with microfn, serving
// the source volume.
func (ps *pods) start(t *testing.T, names ...string) {
	t.Helper()
	for _, name := range names {
		ps.procs[name] = startProc(t, ps.addrs[name], ps.args(t, name))
	}
}

// startApp runs the pod of each Deployment of names with the application
// exe as its image's entrypoint, where there is no Go toolchain and no
// source.
func (ps *pods) startApp(t *testing.T, exe string, names ...string) {
	t.Helper()
	for _, name := range names {
		ps.procs[name] = startApp(t, exe, ps.addrs[name], ps.args(t, name)...)
	}
}

// TestDeployedPodsServe runs pods of the manifest as processes (see pods):
// a call crosses pods as the routes say.
func TestDeployedPodsServe(t *testing.T) {
	t.Parallel()
	microfnBinary(t) // skips with -short
	dir := writeFiles(t, deployTree)
	code, out, errOut := runDeploy(t, "kubernetes", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	ps := newPods(t, decodeManifest(t, out))
	ps.start(t, "microfn-iseven", "microfn-isodd", "microfn-billing-charge")
	pods := ps.procs
	for name, p := range pods {
		if status, body := p.get("/readyz"); status != http.StatusOK {
			t.Errorf("%s /readyz = %d %s", name, status, body)
		}
	}
	if status, body := pods["microfn-isodd"].get("/IsOdd?x=3"); status != 200 || body != "true" {
		t.Fatalf("IsOdd?x=3 = %d %s", status, body)
	}
	if n := pods["microfn-iseven"].waitRequests("POST /IsEven", 1); n != 1 {
		t.Errorf("the IsEven pod received %d nested calls, want 1:\n%s", n, pods["microfn-iseven"].log.String())
	}
	if status, body := pods["microfn-billing-charge"].get("/billing/Charge?cents=5"); status != 200 || body != `"charged"` {
		t.Errorf("billing/Charge = %d %s", status, body)
	}
	if status, _ := pods["microfn-billing-charge"].get("/IsEven?x=2"); status != http.StatusNotFound {
		t.Errorf("the billing/Charge pod answers IsEven with %d, want 404", status)
	}
}

// TestDeployKubernetesEdge: --max-replicas and --cpu-target set the
// autoscalers, --ingress-host adds an Ingress, --env and --secret reach
// every pod's serve (a Secret's key mounted as a file); bad values are
// usage errors.
func TestDeployKubernetesEdge(t *testing.T) {
	t.Parallel()
	code, out, errOut := runDeploy(t, "kubernetes", "../../examples/shop", "--per-package", "--max-replicas", "5", "--cpu-target", "50",
		"--ingress-host", "shop.example", "--env", "REGION=eu", "--secret", "STRIPE_KEY=stripe:key")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	m := decodeManifest(t, out)
	if len(m.autoscalers) != len(m.deployments) || len(m.budgets) != len(m.deployments) || len(m.ingresses) != 1 {
		t.Fatalf("%d Deployments, %d autoscalers, %d budgets, %d Ingresses", len(m.deployments), len(m.autoscalers), len(m.budgets), len(m.ingresses))
	}
	for _, h := range m.autoscalers {
		if h.Spec.MaxReplicas != 5 || *h.Spec.Metrics[0].Resource.Target.AverageUtilization != 50 {
			t.Errorf("%s: max %d, target %d", h.Name, h.Spec.MaxReplicas, *h.Spec.Metrics[0].Resource.Target.AverageUtilization)
		}
	}
	if m.ingresses[0].Spec.Rules[0].Host != "shop.example" {
		t.Errorf("Ingress host %q", m.ingresses[0].Spec.Rules[0].Host)
	}
	for _, d := range m.deployments {
		args := d.Spec.Template.Spec.Containers[0].Args
		if e, s := argValues(args, "--env"), argValues(args, "--secret"); !slices.Equal(e, []string{"REGION=eu"}) || !slices.Equal(s, []string{"STRIPE_KEY=" + kubernetes.EnvSecretDir + "/stripe/key"}) {
			t.Errorf("%s: --env %v, --secret %v", d.Name, e, s)
		}
	}
	for _, bad := range [][]string{{"--max-replicas", "-1"}, {"--cpu-target", "0"}, {"--env", "NOVALUE"}, {"--secret", "X"}, {"--replicas", "4", "--max-replicas", "2"}} {
		if code, _, _ := runDeploy(t, append([]string{"kubernetes", "../../examples/seed"}, bad...)...); code != 2 {
			t.Errorf("deploy kubernetes %v: exit %d, want 2", bad, code)
		}
	}
}
