package kubernetes

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
)

// DefaultCPUTarget is the average CPU use, in percent of the pods'
// requests, that the HorizontalPodAutoscalers keep.
const DefaultCPUTarget = 70

// EnvSecretDir is where the Secrets of [Options.Secrets] are mounted in
// every container, one directory per Secret.
const EnvSecretDir = "/run/secrets/microfn-env"

// IngressName names the Ingress of [Options.Ingress].
const IngressName = "microfn"

// An Ingress says how the Ingress that routes to the services is made.
type Ingress struct {
	// Host, if set, is the host the rules are for; empty for any.
	Host string
	// ClassName, if set, is the IngressClass; empty for the cluster's
	// default.
	ClassName string
	// TLSSecret, if set, names the Secret of the Host's certificate.
	TLSSecret string
}

// A SecretFile is an environment variable of service code whose value is
// a key of a Secret, mounted as a file (serve --secret NAME=FILE).
type SecretFile struct {
	// Name is the environment variable.
	Name string
	// Secret is the Secret's name, in the manifest's namespace.
	Secret string
	// Key is the key of the Secret; default Name.
	Key string
}

// ParseSecretFile reads a --secret flag of microfn deploy kubernetes:
// NAME=SECRET or NAME=SECRET:KEY.
func ParseSecretFile(s string) (SecretFile, error) {
	name, ref, ok := strings.Cut(s, "=")
	secret, key, _ := strings.Cut(ref, ":")
	f := SecretFile{Name: name, Secret: secret, Key: key}
	if !ok || secret == "" {
		return f, fmt.Errorf("--secret %q: want NAME=SECRET or NAME=SECRET:KEY", s)
	}
	return f, f.validate()
}

// envName is what an environment variable of service code may be called.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func (f SecretFile) validate() error {
	if !envName.MatchString(f.Name) {
		return fmt.Errorf("secret %q: the variable must be a name of letters, digits and _", f.Name)
	}
	if errs := validation.IsDNS1123Subdomain(f.Secret); len(errs) > 0 {
		return fmt.Errorf("secret %s: %q is not a valid Secret name: %s", f.Name, f.Secret, strings.Join(errs, "; "))
	}
	if errs := validation.IsConfigMapKey(f.key()); len(errs) > 0 {
		return fmt.Errorf("secret %s: key %q: %s", f.Name, f.key(), strings.Join(errs, "; "))
	}
	return nil
}

func (f SecretFile) key() string {
	if f.Key == "" {
		return f.Name
	}
	return f.Key
}

// validateEdge checks the options of the objects beside the Deployments.
func (o Options) validateEdge() error {
	if o.MaxReplicas != 0 && o.MaxReplicas < o.Replicas {
		return fmt.Errorf("max replicas: want at least --replicas (%d), got %d", o.Replicas, o.MaxReplicas)
	}
	if o.CPUTarget < 0 || o.CPUTarget > 100 {
		return fmt.Errorf("cpu target: want a percentage from 1 to 100, got %d", o.CPUTarget)
	}
	for name := range o.Env {
		if !envName.MatchString(name) {
			return fmt.Errorf("env %q: want a name of letters, digits and _", name)
		}
	}
	seen := map[string]bool{}
	for _, s := range o.Secrets {
		if err := s.validate(); err != nil {
			return err
		}
		if _, dup := o.Env[s.Name]; dup || seen[s.Name] {
			return fmt.Errorf("secret %s: the variable is given twice", s.Name)
		}
		seen[s.Name] = true
	}
	if in := o.Ingress; in != nil {
		if in.Host != "" {
			if errs := validation.IsDNS1123Subdomain(strings.TrimPrefix(in.Host, "*.")); len(errs) > 0 {
				return fmt.Errorf("ingress host %q: %s", in.Host, strings.Join(errs, "; "))
			}
		}
		if in.TLSSecret != "" && in.Host == "" {
			return fmt.Errorf("ingress TLS needs a host")
		}
	}
	return nil
}

// maxReplicas is the most pods a Deployment's autoscaler runs: the
// option, else three times --replicas (and at least 3).
func (o Options) maxReplicas() int32 {
	if o.MaxReplicas > 0 {
		return o.MaxReplicas
	}
	return max(3*o.Replicas, 3)
}

// autoscaler returns the HorizontalPodAutoscaler of c's Deployment: from
// --replicas to the maximum pods, keeping the average CPU use at the
// target (the pods request CPU, so utilization is defined).
func autoscaler(opts Options, c *Component) *autoscalingv2.HorizontalPodAutoscaler {
	target := opts.CPUTarget
	if target == 0 {
		target = DefaultCPUTarget
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: objectMeta(opts, c.Name, podLabels(c)),
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: c.Name},
			MinReplicas:    new(opts.Replicas),
			MaxReplicas:    opts.maxReplicas(),
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{
					Name:   corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: new(target)},
				},
			}},
		},
	}
}

// disruptionBudget returns the PodDisruptionBudget of c's Deployment: a
// voluntary disruption (a node drained) takes at most one of its pods at
// a time, and never blocks a drain of a single replica.
func disruptionBudget(opts Options, c *Component) *policyv1.PodDisruptionBudget {
	one := intstr.FromInt32(1)
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: objectMeta(opts, c.Name, podLabels(c)),
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: &one,
			Selector:       &metav1.LabelSelector{MatchLabels: podLabels(c)},
		},
	}
}

// ingress returns the Ingress that routes each package's prefix (/billing
// and below) to its component, and each service of the folder's own
// package, or of a component per function, at its route; nil when the
// options ask for none.
func ingress(opts Options, comps []*Component) *networkingv1.Ingress {
	in := opts.Ingress
	if in == nil {
		return nil
	}
	prefix, exact := networkingv1.PathTypePrefix, networkingv1.PathTypeExact
	var paths []networkingv1.HTTPIngressPath
	backend := func(c *Component) networkingv1.IngressBackend {
		return networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
			Name: c.Name, Port: networkingv1.ServiceBackendPort{Name: portName},
		}}
	}
	for _, c := range comps {
		pkg := c.Services[0].Package
		if opts.Grouping == PerPackage && pkg != "." && slices.Contains(c.RouteKeys, pkg) {
			paths = append(paths, networkingv1.HTTPIngressPath{Path: "/" + pkg, PathType: &prefix, Backend: backend(c)})
			continue
		}
		for _, s := range c.Services {
			paths = append(paths, networkingv1.HTTPIngressPath{Path: "/" + s.Route, PathType: &exact, Backend: backend(c)})
		}
	}
	sort.SliceStable(paths, func(i, j int) bool { return paths[i].Path < paths[j].Path })
	ing := &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: objectMeta(opts, IngressName, map[string]string{LabelName: appName}),
		Spec: networkingv1.IngressSpec{
			Rules: []networkingv1.IngressRule{{
				Host:             in.Host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: paths}},
			}},
		},
	}
	if in.ClassName != "" {
		ing.Spec.IngressClassName = new(in.ClassName)
	}
	if in.TLSSecret != "" {
		ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{in.Host}, SecretName: in.TLSSecret}}
	}
	return ing
}

// addConfig gives a Deployment's container the environment of service
// code: --env for each variable, and --secret for each Secret key, which
// is mounted as a file (a directory per Secret, read-only, readable by
// the pod's group only).
func addConfig(opts Options, d *appsv1.Deployment) {
	c := &d.Spec.Template.Spec.Containers[0]
	names := make([]string, 0, len(opts.Env))
	for name := range opts.Env {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c.Args = append(c.Args, "--env", name+"="+opts.Env[name])
	}
	if len(opts.Secrets) == 0 {
		return
	}
	spec := &d.Spec.Template.Spec
	spec.SecurityContext.FSGroup = new(int64(UID))
	volumes := map[string]int{} // Secret → index of its volume
	var order []string
	for _, s := range opts.Secrets {
		if _, ok := volumes[s.Secret]; !ok {
			volumes[s.Secret] = len(order)
			order = append(order, s.Secret)
		}
	}
	for i, secret := range order {
		vol := corev1.Volume{Name: "secret-" + strconv.Itoa(i), VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
			SecretName:  secret,
			DefaultMode: new(int32(0o440)),
		}}}
		keys := map[string]bool{}
		for _, s := range opts.Secrets {
			if s.Secret == secret && !keys[s.key()] {
				keys[s.key()] = true
				vol.Secret.Items = append(vol.Secret.Items, corev1.KeyToPath{Key: s.key(), Path: s.key()})
			}
		}
		spec.Volumes = append(spec.Volumes, vol)
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: vol.Name, MountPath: EnvSecretDir + "/" + secret, ReadOnly: true})
	}
	for _, s := range opts.Secrets {
		c.Args = append(c.Args, "--secret", s.Name+"="+EnvSecretDir+"/"+s.Secret+"/"+s.key())
	}
}
