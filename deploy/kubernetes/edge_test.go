package kubernetes

import (
	"bytes"
	"path"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// checkScaling checks that each Deployment has one HorizontalPodAutoscaler
// (from --replicas to the maximum, on CPU) and one PodDisruptionBudget
// (one pod at a time) selecting its pods and no other's.
func checkScaling(t *testing.T, opts Options, s *stream) {
	t.Helper()
	o, err := opts.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.autoscalers) != len(s.deployments) || len(s.budgets) != len(s.deployments) {
		t.Fatalf("%d Deployments, %d HorizontalPodAutoscalers, %d PodDisruptionBudgets", len(s.deployments), len(s.autoscalers), len(s.budgets))
	}
	deps := map[string]*appsv1.Deployment{}
	for _, d := range s.deployments {
		deps[d.Name] = d
	}
	for _, h := range s.autoscalers {
		d := deps[h.Spec.ScaleTargetRef.Name]
		if d == nil || h.Spec.ScaleTargetRef.Kind != "Deployment" || h.Spec.ScaleTargetRef.APIVersion != "apps/v1" {
			t.Errorf("HorizontalPodAutoscaler %s scales %+v, no Deployment of the stream", h.Name, h.Spec.ScaleTargetRef)
			continue
		}
		if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas != o.Replicas || h.Spec.MaxReplicas != o.maxReplicas() || h.Spec.MaxReplicas < *h.Spec.MinReplicas {
			t.Errorf("HorizontalPodAutoscaler %s: %v to %d pods, want %d to %d", h.Name, h.Spec.MinReplicas, h.Spec.MaxReplicas, o.Replicas, o.maxReplicas())
		}
		m := h.Spec.Metrics
		if len(m) != 1 || m[0].Type != autoscalingv2.ResourceMetricSourceType || m[0].Resource.Name != corev1.ResourceCPU ||
			m[0].Resource.Target.Type != autoscalingv2.UtilizationMetricType || m[0].Resource.Target.AverageUtilization == nil {
			t.Errorf("HorizontalPodAutoscaler %s: metrics %+v, want the CPU utilization", h.Name, m)
		}
		if d.Spec.Template.Spec.Containers[0].Resources.Requests.Cpu().IsZero() {
			t.Errorf("%s: autoscaled on CPU without a CPU request", d.Name)
		}
	}
	for _, b := range s.budgets {
		if b.Spec.MaxUnavailable == nil || b.Spec.MaxUnavailable.IntValue() != 1 || b.Spec.MinAvailable != nil {
			t.Errorf("PodDisruptionBudget %s: %+v, want maxUnavailable 1", b.Name, b.Spec)
		}
		var selected []string
		for _, d := range s.deployments {
			if labels.SelectorFromSet(b.Spec.Selector.MatchLabels).Matches(labels.Set(d.Spec.Template.Labels)) {
				selected = append(selected, d.Name)
			}
		}
		if len(selected) != 1 || selected[0] != b.Name {
			t.Errorf("PodDisruptionBudget %s selects the pods of %v, want its Deployment's only", b.Name, selected)
		}
	}
}

// checkIngress checks the Ingress: there is one when asked for, and a
// request to any service's route reaches the Service whose pods serve it
// (by Kubernetes's path matching: Exact, or Prefix by path elements,
// the longest match winning).
func checkIngress(t *testing.T, opts Options, tr tree, s *stream) {
	t.Helper()
	if opts.Ingress == nil {
		if len(s.ingresses) != 0 {
			t.Errorf("an Ingress nobody asked for")
		}
		return
	}
	if len(s.ingresses) != 1 {
		t.Fatalf("%d Ingresses, want 1", len(s.ingresses))
	}
	ing := s.ingresses[0]
	if len(ing.Spec.Rules) != 1 || ing.Spec.Rules[0].Host != opts.Ingress.Host || ing.Spec.Rules[0].HTTP == nil {
		t.Fatalf("Ingress rules %+v, want one for host %q", ing.Spec.Rules, opts.Ingress.Host)
	}
	if opts.Ingress.ClassName != "" && (ing.Spec.IngressClassName == nil || *ing.Spec.IngressClassName != opts.Ingress.ClassName) {
		t.Errorf("Ingress class %v, want %s", ing.Spec.IngressClassName, opts.Ingress.ClassName)
	}
	svcs := map[string]*corev1.Service{}
	for _, svc := range s.services {
		svcs[svc.Name] = svc
	}
	route := func(p string) string {
		best, bestLen := "", -1
		for _, hp := range ing.Spec.Rules[0].HTTP.Paths {
			var match bool
			switch *hp.PathType {
			case networkingv1.PathTypeExact:
				match = p == hp.Path
			case networkingv1.PathTypePrefix:
				match = p == hp.Path || strings.HasPrefix(p, strings.TrimSuffix(hp.Path, "/")+"/")
			}
			if match && len(hp.Path) > bestLen {
				best, bestLen = hp.Backend.Service.Name, len(hp.Path)
			}
		}
		return best
	}
	for _, r := range tr.routes {
		name := route("/" + r)
		svc := svcs[name]
		var d *appsv1.Deployment
		for _, dep := range s.deployments {
			if svc != nil && labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(dep.Spec.Template.Labels)) {
				d = dep
			}
		}
		if d == nil {
			t.Errorf("the Ingress sends /%s to %q, which is no Service of a Deployment", r, name)
			continue
		}
		a, err := parseServeArgs(d.Spec.Template.Spec.Containers[0].Args)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(a.only, r) {
			t.Errorf("the Ingress sends /%s to %s, which serves %v", r, name, a.only)
		}
	}
	if route("/docs") != "" && opts.Grouping == PerFunction {
		t.Errorf("the Ingress routes /docs")
	}
}

// TestScalingIngressSecrets: with an Ingress, environment variables and
// Secrets, per package and per function, the stream decodes strictly;
// the Ingress routes each package's prefix, and each pod mounts the
// Secrets' keys read-only and passes them to serve as --secret files.
func TestScalingIngressSecrets(t *testing.T) {
	t.Parallel()
	for _, g := range []Grouping{PerPackage, PerFunction} {
		opts := Options{
			Grouping: g, Replicas: 2, MaxReplicas: 6, CPUTarget: 60,
			Ingress: &Ingress{Host: "shop.example", ClassName: "nginx", TLSSecret: "shop-tls"},
			Env:     map[string]string{"REGION": "eu", "MODE": "live"},
			Secrets: []SecretFile{{Name: "STRIPE_KEY", Secret: "stripe"}, {Name: "WEBHOOK", Secret: "stripe", Key: "hook"}, {Name: "DB_URL", Secret: "db", Key: "url"}},
		}
		_, out, s := mustGenerate(t, shop, opts)
		checkManifest(t, shop, opts, s)
		if len(s.ingresses[0].Spec.TLS) != 1 || s.ingresses[0].Spec.TLS[0].SecretName != "shop-tls" {
			t.Errorf("%v: Ingress TLS %+v", g, s.ingresses[0].Spec.TLS)
		}
		if g == PerPackage {
			var prefixes []string
			for _, p := range s.ingresses[0].Spec.Rules[0].HTTP.Paths {
				if *p.PathType == networkingv1.PathTypePrefix {
					prefixes = append(prefixes, p.Path)
				}
			}
			if len(prefixes) == 0 {
				t.Errorf("per package, no prefix routes: %+v", s.ingresses[0].Spec.Rules[0].HTTP.Paths)
			}
		}
		for _, d := range s.deployments {
			spec := d.Spec.Template.Spec
			c := spec.Containers[0]
			args := strings.Join(c.Args, " ")
			for _, want := range []string{"--env MODE=live --env REGION=eu", "--secret STRIPE_KEY=" + EnvSecretDir + "/stripe/STRIPE_KEY", "--secret WEBHOOK=" + EnvSecretDir + "/stripe/hook", "--secret DB_URL=" + EnvSecretDir + "/db/url"} {
				if !strings.Contains(args, want) {
					t.Errorf("%s: args %q lack %q", d.Name, args, want)
				}
			}
			mounted := map[string]string{} // file in the container → Secret/key
			for _, vm := range c.VolumeMounts {
				for _, v := range spec.Volumes {
					if v.Name != vm.Name || v.Secret == nil || !strings.HasPrefix(vm.MountPath, EnvSecretDir+"/") {
						continue // the pod's own secret (SecretDir) is the server's
					}
					if !vm.ReadOnly || v.Secret.DefaultMode == nil || *v.Secret.DefaultMode != 0o440 {
						t.Errorf("%s: Secret volume %s mounted %+v mode %v", d.Name, v.Name, vm, v.Secret.DefaultMode)
					}
					for _, it := range v.Secret.Items {
						mounted[path.Join(vm.MountPath, it.Path)] = v.Secret.SecretName + "/" + it.Key
					}
				}
			}
			for file, want := range map[string]string{EnvSecretDir + "/stripe/STRIPE_KEY": "stripe/STRIPE_KEY", EnvSecretDir + "/stripe/hook": "stripe/hook", EnvSecretDir + "/db/url": "db/url"} {
				if mounted[file] != want {
					t.Errorf("%s: %s holds %q, want %s (mounted %v)", d.Name, file, mounted[file], want, mounted)
				}
			}
			if spec.SecurityContext.FSGroup == nil || *spec.SecurityContext.FSGroup != UID {
				t.Errorf("%s: fsGroup %v: the Secret files are not readable by the pod", d.Name, spec.SecurityContext.FSGroup)
			}
		}
		if !bytes.Contains(out, []byte("kubectl create secret generic stripe")) {
			t.Errorf("%v: the manifest does not say to create the Secrets first", g)
		}
	}
	for _, bad := range []Options{
		{Replicas: 4, MaxReplicas: 2},
		{CPUTarget: 120},
		{Env: map[string]string{"1A": "x"}},
		{Secrets: []SecretFile{{Name: "A", Secret: "Not_Valid"}}},
		{Env: map[string]string{"A": "x"}, Secrets: []SecretFile{{Name: "A", Secret: "s"}}},
		{Ingress: &Ingress{TLSSecret: "x"}},
	} {
		if err := bad.Validate(); err == nil {
			t.Errorf("Validate(%+v) = nil", bad)
		}
	}
	for _, bad := range []string{"A", "A=", "1=s", "A=Bad_Name"} {
		if _, err := ParseSecretFile(bad); err == nil {
			t.Errorf("ParseSecretFile(%q) = nil error", bad)
		}
	}
}
