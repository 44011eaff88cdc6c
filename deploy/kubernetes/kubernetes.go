package kubernetes

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v4"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/gomod"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/state"
)

// Defaults and fixed values of the generated objects.
const (
	// DefaultImage is the image when [Options.Image] is empty: what
	// `docker build -t microfn .` builds from the repository's Dockerfile.
	DefaultImage = "microfn:latest"
	// DefaultNamespace is the namespace that needs no Namespace object.
	DefaultNamespace = "default"
	// Port is the port every pod listens on and every Service exposes.
	Port = 8000
	// SourceDir is where the sources are mounted in every container.
	SourceDir = "/src"
	// ConfigMapName names the ConfigMap of the sources.
	ConfigMapName = "microfn-src"
	// UID is the user (and group) the containers run as: distroless's
	// nonroot.
	UID = 65532
)

// Labels and annotations.
const (
	LabelName          = "app.kubernetes.io/name"
	LabelComponent     = "app.kubernetes.io/component"
	LabelManagedBy     = "app.kubernetes.io/managed-by"
	AnnotationPolicy   = "microfn.dev/policy"
	AnnotationServices = "microfn.dev/services"
	AnnotationSource   = "microfn.dev/src-sha256"
	appName            = "microfn"
)

// Names inside the pod template.
const (
	containerName = "microfn"
	portName      = "http"
	srcVolume     = "src"
	tmpVolume     = "tmp"
	// secretVolumeName holds the token or the chain key (see SecretDir).
	secretVolumeName = "secret"
	// chainKeyFile is the chain key's file in SecretDir.
	chainKeyFile = "chain-key"
	// srcSubPath is the directory of the source volume that holds the
	// tree; see the package documentation.
	srcSubPath = "src"
)

// maxConfigMapBytes bounds the sources: Kubernetes refuses a ConfigMap
// over 1 MiB, metadata included.
const maxConfigMapBytes = 1<<20 - 16<<10

// Grouping chooses what one Deployment serves.
type Grouping int

const (
	// PerFunction makes one Deployment and Service per service.
	PerFunction Grouping = iota
	// PerPackage makes one Deployment and Service per package with
	// services.
	PerPackage
)

func (g Grouping) String() string {
	switch g {
	case PerFunction:
		return "per-function"
	case PerPackage:
		return "per-package"
	}
	return "Grouping(" + strconv.Itoa(int(g)) + ")"
}

// Options configure [Generate]. The zero value is usable.
type Options struct {
	// Image is the container image running microfn, which serves the
	// sources of the ConfigMap; default DefaultImage, unless AppImage is
	// set.
	Image string
	// Namespace of every object; default DefaultNamespace, which leaves
	// the objects without a namespace and adds no Namespace object.
	Namespace string
	// Grouping is PerFunction (default) or PerPackage.
	Grouping Grouping
	// Replicas of every Deployment; default 1.
	Replicas int32
	// TokenSecret, when set, names a Secret in the namespace whose key
	// "token" every pod reads from a file (see [SecretDir]): each server
	// then requires it on every call but the health checks, and sends it
	// on its own calls to the others. Empty means no token (the Services
	// are only reachable inside the cluster).
	TokenSecret string
	// DatabaseSecret, when set, names a Secret in the namespace with the
	// URL of each database of Databases under its name: every pod gets
	// it as MICROFN_DATABASE_<NAME> (serve --database), so that the
	// pods of a split deployment share one PostgreSQL database.
	DatabaseSecret string
	// Databases are the names of the databases the services use.
	Databases []string
	// MaxReplicas is the most pods the HorizontalPodAutoscaler of each
	// Deployment runs, from Replicas up; default three times Replicas
	// (at least 3).
	MaxReplicas int32
	// CPUTarget is the average CPU use, in percent of the pods'
	// requests, the autoscalers keep; default DefaultCPUTarget.
	CPUTarget int32
	// Ingress, if set, adds an Ingress routing each package's prefix
	// (each service's route, per function) to its Service.
	Ingress *Ingress
	// Env are environment variables of service code (serve --env).
	Env map[string]string
	// Secrets are environment variables of service code read from keys
	// of Secrets, which every pod mounts as files (serve --secret).
	Secrets []SecretFile

	// AppImage, when set, is the image of the application microfn build
	// made of the folder (the Dockerfile's target app): every pod runs
	// it, serving its compiled packages, instead of Image with the
	// sources. There is then no source ConfigMap, and the packages of
	// required modules need no vendor/ (the build compiled them in).
	// Image must be empty then.
	AppImage string
	// Allow are the standard library packages added to the sandbox of
	// every pod (serve --allow): os and net also open the file system
	// and sockets to the pods' worker processes.
	Allow []string
	// Unrestricted turns the sandbox of every pod off (serve
	// --unrestricted).
	Unrestricted bool
	// Limits are the limits of the worker processes of every pod.
	Limits WorkerLimits
}

// TokenSecretKey is the key of the token in the Secret named by
// [Options.TokenSecret].
const TokenSecretKey = "token"

// Validate reports an unusable option, such as a namespace that is not a
// DNS-1123 label.
func (o Options) Validate() error {
	_, err := o.withDefaults()
	return err
}

func (o Options) withDefaults() (Options, error) {
	o, err := o.validateRun()
	if err != nil {
		return o, err
	}
	if o.Namespace == "" {
		o.Namespace = DefaultNamespace
	}
	if errs := validation.IsDNS1123Label(o.Namespace); len(errs) > 0 {
		return o, fmt.Errorf("namespace %q is not a valid name: %s", o.Namespace, strings.Join(errs, "; "))
	}
	if o.Replicas == 0 {
		o.Replicas = 1
	}
	if o.Replicas < 1 {
		return o, fmt.Errorf("replicas: want a whole number >= 1, got %d", o.Replicas)
	}
	if o.TokenSecret != "" {
		if errs := validation.IsDNS1123Subdomain(o.TokenSecret); len(errs) > 0 {
			return o, fmt.Errorf("token secret %q is not a valid Secret name: %s", o.TokenSecret, strings.Join(errs, "; "))
		}
	}
	if o.Grouping != PerFunction && o.Grouping != PerPackage {
		return o, fmt.Errorf("unknown grouping %v", o.Grouping)
	}
	return o, o.validateEdge()
}

// Service describes one service as deployed.
type Service struct {
	// Route is the service's route, without the leading slash: "IsEven",
	// "billing/Charge".
	Route string
	// Package is the directory of its package relative to the root, "."
	// for the root.
	Package string
	// Policy is the service's policy: its directive's options applied to
	// policy.Default().
	Policy policy.Policy
}

// Component is one Deployment and its Service.
type Component struct {
	// Name of the Deployment and the Service, such as "microfn-iseven".
	Name string
	// URL is the base URL the other components call it at.
	URL string
	// Services are the services it serves, in the order they were found.
	Services []Service
	// RouteKeys are the names the other components route to it with
	// --route KEY=URL: its services' routes, or its package's directory.
	RouteKeys []string

	// namedAfter says what the name comes from: "service IsEven",
	// "package billing", "root package seed".
	namedAfter, nameSource string

	Service    *corev1.Service
	Deployment *appsv1.Deployment
	// Autoscaler scales the Deployment with its CPU use, from
	// Options.Replicas to Options.MaxReplicas pods.
	Autoscaler *autoscalingv2.HorizontalPodAutoscaler
	// DisruptionBudget lets a voluntary disruption take one of its pods
	// at a time.
	DisruptionBudget *policyv1.PodDisruptionBudget
}

// Manifest is the generated set of objects.
type Manifest struct {
	Options Options
	// Namespace is nil in the default namespace.
	Namespace *corev1.Namespace
	// ConfigMap holds the sources; nil with Options.AppImage.
	ConfigMap  *corev1.ConfigMap
	Components []*Component
	// Ingress routes to the components; nil unless Options.Ingress.
	Ingress *networkingv1.Ingress
	// Warnings are what serve would say of the sources as it loads
	// them, such as a file it skips: nothing that stops a pod.
	Warnings []string
}

// Objects returns every object in the order of the YAML stream:
// Namespace, ConfigMap, then each component's Service, Deployment,
// HorizontalPodAutoscaler and PodDisruptionBudget, then the Ingress.
func (m *Manifest) Objects() []runtime.Object {
	var objs []runtime.Object
	if m.Namespace != nil {
		objs = append(objs, m.Namespace)
	}
	if m.ConfigMap != nil {
		objs = append(objs, m.ConfigMap)
	}
	for _, c := range m.Components {
		objs = append(objs, c.Service, c.Deployment, c.Autoscaler, c.DisruptionBudget)
	}
	if m.Ingress != nil {
		objs = append(objs, m.Ingress)
	}
	return objs
}

// pkgInfo is one package below the root.
type pkgInfo struct {
	rel      string // "." for the root
	name     string // Go package name
	services []Service
}

// sourceFile is one file of the ConfigMap.
type sourceFile struct {
	rel string // slash-separated path below the root
	key string
	src string
}

// Generate loads the packages below dir and builds the manifest. Load
// errors of the packages, a directory without services, two services or
// packages whose names collide once lower-cased, and files that cannot be
// ConfigMap keys are errors.
func Generate(dir string, opts Options) (*Manifest, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	pkgs, files, warnings, err := load(dir, opts.AppImage == "")
	if err != nil {
		return nil, err
	}
	m := &Manifest{Options: opts, Warnings: warnings}
	comps, err := components(pkgs, opts.Grouping)
	if err != nil {
		return nil, err
	}
	m.Components = comps
	if opts.Namespace != DefaultNamespace {
		m.Namespace = &corev1.Namespace{
			TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
			ObjectMeta: metav1.ObjectMeta{
				Name: opts.Namespace,
				Labels: map[string]string{
					LabelName:      appName,
					LabelManagedBy: appName,
					// Every pod below complies with the restricted Pod
					// Security Standard.
					"pod-security.kubernetes.io/enforce": "restricted",
				},
			},
		}
	}
	var sum string
	if opts.AppImage == "" {
		m.ConfigMap = configMap(opts, files)
		sum = sourceHash(files)
	}
	for _, c := range comps {
		c.Service = k8sService(opts, c)
		c.Deployment = deployment(opts, c, comps, files, sum)
		addConfig(opts, c.Deployment)
		c.Autoscaler = autoscaler(opts, c)
		c.DisruptionBudget = disruptionBudget(opts, c)
	}
	m.Ingress = ingress(opts, comps)
	return m, nil
}

// load reads the packages below dir, as serve reads them (the types of
// other packages of a module through the module's importer): their
// services and, if withSources, the files a pod needs to serve them; and
// the warnings serve would log (a file it skips).
func load(dir string, withSources bool) (_ []*pkgInfo, _ []sourceFile, warnings []string, _ error) {
	dirs, err := funcs.PackageDirs(dir)
	if err != nil {
		return nil, nil, nil, err
	}
	var (
		pkgs  []*pkgInfo
		files []sourceFile
		errs  []error
		keys  = map[string]string{}
		size  int
		count int
	)
	mod, err := gomod.Find(dir, funcs.Limits{})
	if err != nil {
		return nil, nil, nil, err
	}
	var imp funcs.Importer
	if mod != nil {
		imp = mod.Importer()
	}
	add := func(fileRel string, src []byte) {
		if !utf8.Valid(src) {
			errs = append(errs, fmt.Errorf("source file %s is not UTF-8 text", fileRel))
			return
		}
		key, err := configMapKey(fileRel)
		if err != nil {
			errs = append(errs, err)
			return
		}
		if prev, dup := keys[key]; dup {
			errs = append(errs, fmt.Errorf("source files %s and %s would share the ConfigMap key %q; rename one", prev, fileRel, key))
			return
		}
		keys[key] = fileRel
		size += len(key) + len(src)
		files = append(files, sourceFile{rel: fileRel, key: key, src: string(src)})
	}
	var thirdParty []string // imports of required modules' packages
	for _, rel := range dirs {
		pkgDir := filepath.Join(dir, filepath.FromSlash(rel))
		sources, err := funcs.ReadDir(pkgDir, funcs.Limits{})
		if funcs.IsProgram(sources) {
			continue // a program beside the services: never served
		}
		if list := (funcs.ErrorList{}); errors.As(err, &list) {
			// Files serve skips, saying so, and serves the package
			// without.
			for _, e := range list {
				warnings = append(warnings, e.Error())
			}
		} else if err != nil {
			errs = append(errs, err)
			continue
		}
		pkg, err := funcs.ParseWith(pkgDir, sources, imp)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if mod != nil {
			for _, f := range pkg.Files {
				for _, is := range f.AST.Imports {
					p, _ := strconv.Unquote(is.Path.Value)
					if _, local := mod.Local(p); !local && p != interp.APIPath && !isStd(p) {
						thirdParty = append(thirdParty, p)
					}
				}
			}
		}
		p := &pkgInfo{rel: rel, name: pkg.Name}
		for _, d := range pkg.Services {
			s := Service{Route: d.Route, Package: rel, Policy: policy.Default()}
			if rel != "." {
				s.Route = rel + "/" + d.Route
			}
			for _, o := range d.Options {
				if o.Key == "name" {
					continue
				}
				if err := s.Policy.Set(o.Key, o.Value); err != nil {
					errs = append(errs, fmt.Errorf("%s: %w", o.Pos, err))
				}
			}
			if err := s.Policy.Validate(); err != nil {
				errs = append(errs, fmt.Errorf("%s: %s: %w", d.Pos, d.Name, err))
			}
			p.services = append(p.services, s)
			count++
		}
		pkgs = append(pkgs, p)
		if withSources {
			errs = append(errs, addPackage(pkgDir, rel, add)...)
		}
	}
	if mod != nil && withSources {
		errs = append(errs, addModule(dir, mod, thirdParty, add)...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, nil, nil, err
	}
	if count == 0 {
		return nil, nil, nil, fmt.Errorf("no services under %s: mark a function with //microfn:service", dir)
	}
	if size > maxConfigMapBytes {
		return nil, nil, nil, fmt.Errorf("the sources under %s take %d bytes, more than a ConfigMap holds (%d): deploy the application microfn build makes of the folder instead (--app-image)", dir, size, maxConfigMapBytes)
	}
	return pkgs, files, warnings, nil
}

// isStd reports whether the import path p is of the standard library (or
// cgo's "C"): its first element has no dot.
func isStd(p string) bool {
	return !strings.Contains(strings.Split(p, "/")[0], ".")
}

// addPackage adds the files of the package in pkgDir (rel below the
// served folder) that its server reads: every source file, whatever its
// build constraints (the server in the pod applies them for its own
// platform), and its migrations (migrations/NAME/*.sql), which the
// server applies before the package loads.
func addPackage(pkgDir, rel string, add func(rel string, src []byte)) []error {
	var errs []error
	entries, err := os.ReadDir(pkgDir)
	if err != nil {
		return []error{err}
	}
	for _, e := range entries {
		if !funcs.IsSourceFile(e.Name()) || !e.Type().IsRegular() {
			continue
		}
		src, err := os.ReadFile(filepath.Join(pkgDir, e.Name()))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		add(path.Join(rel, e.Name()), src)
	}
	ms, err := state.Declared(pkgDir)
	if err != nil {
		return append(errs, err)
	}
	for _, db := range slices.Sorted(maps.Keys(ms)) {
		for _, m := range ms[db] {
			add(path.Join(rel, "migrations", db, m.Name), []byte(m.SQL))
		}
	}
	return errs
}

// addModule adds to the sources what a pod needs to serve them as a
// module: go.mod and go.sum at the root of the sources (a go.mod whose
// module path is the served folder's import path, when the folder is
// below the module's root), and the vendored packages the services
// import, with those they import in turn, and vendor/modules.txt. Pods
// have no module cache and no network, so such imports need vendor/.
func addModule(dir string, mod *gomod.Module, thirdParty []string, add func(rel string, src []byte)) []error {
	gomodSrc, err := mod.GoModFor(dir)
	if err != nil {
		return []error{err}
	}
	add("go.mod", gomodSrc)
	if sum, err := os.ReadFile(filepath.Join(mod.Dir, "go.sum")); err == nil {
		add("go.sum", sum)
	}
	if len(thirdParty) == 0 {
		return nil
	}
	slices.Sort(thirdParty)
	thirdParty = slices.Compact(thirdParty)
	if !mod.Vendored() || filepath.Clean(mod.Dir) != filepath.Clean(mod.Root) {
		return []error{fmt.Errorf("the services import packages of other modules (%s): pods have no module cache and no network, so run go mod vendor in %s and deploy its root, and the ConfigMap carries vendor/; or deploy the application microfn build makes of the folder (--app-image)", strings.Join(thirdParty, ", "), mod.Dir)}
	}
	vendor := filepath.Join(mod.Dir, "vendor")
	modules, err := os.ReadFile(filepath.Join(vendor, "modules.txt"))
	if err != nil {
		return []error{err}
	}
	add("vendor/modules.txt", modules)
	// The vendored packages the services import, and theirs: a vendor/
	// holds every package of the module's build, most of which the
	// services may not need, and a ConfigMap holds 1 MiB.
	var errs []error
	seen := map[string]bool{}
	queue := thirdParty
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		pkgDir := filepath.Join(vendor, filepath.FromSlash(p))
		entries, err := os.ReadDir(pkgDir)
		if err != nil {
			// Not vendored: the pod's server reports the import, as
			// serve does here.
			continue
		}
		for _, e := range entries {
			if !funcs.IsSourceFile(e.Name()) || !e.Type().IsRegular() {
				continue
			}
			src, err := os.ReadFile(filepath.Join(pkgDir, e.Name()))
			if err != nil {
				errs = append(errs, err)
				continue
			}
			add(path.Join("vendor", p, e.Name()), src)
			f, err := parser.ParseFile(token.NewFileSet(), e.Name(), src, parser.ImportsOnly)
			if err != nil {
				continue // the pod's server reports it when it loads the package
			}
			for _, is := range f.Imports {
				q, _ := strconv.Unquote(is.Path.Value)
				if !isStd(q) && !seen[q] {
					queue = append(queue, q)
				}
			}
		}
	}
	return errs
}

// components groups the services into components and names them,
// reporting names that collide.
func components(pkgs []*pkgInfo, g Grouping) ([]*Component, error) {
	routes := map[string]bool{}
	for _, p := range pkgs {
		for _, s := range p.services {
			routes[s.Route] = true
		}
	}
	var comps []*Component
	for _, p := range pkgs {
		if len(p.services) == 0 {
			continue
		}
		if g == PerFunction {
			for _, s := range p.services {
				comps = append(comps, &Component{Services: []Service{s}, RouteKeys: []string{s.Route}, namedAfter: "service", nameSource: s.Route})
			}
			continue
		}
		c := &Component{Services: p.services, namedAfter: "package", nameSource: p.rel}
		if p.rel == "." {
			c.namedAfter, c.nameSource = "root package", p.name
		}
		// serve routes a package by its directory, except the root's; a
		// directory that is also a service's route would be ambiguous.
		if p.rel != "." && !routes[p.rel] {
			c.RouteKeys = []string{p.rel}
		} else {
			for _, s := range p.services {
				c.RouteKeys = append(c.RouteKeys, s.Route)
			}
		}
		comps = append(comps, c)
	}
	byName := map[string]string{}
	var errs []error
	for _, c := range comps {
		what, src := c.namedAfter, c.nameSource
		name, err := objectName(src)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", what, src, err))
			continue
		}
		if prev, dup := byName[name]; dup {
			errs = append(errs, fmt.Errorf("%s and %s %s both make the Kubernetes name %s (names are lower-cased, other characters become -); rename one", prev, what, src, name))
			continue
		}
		byName[name] = what + " " + src
		c.Name = name
		c.URL = fmt.Sprintf("http://%s:%d", name, Port)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return comps, nil
}

func podLabels(c *Component) map[string]string {
	return map[string]string{LabelName: appName, LabelComponent: strings.TrimPrefix(c.Name, NamePrefix)}
}

func objectMeta(opts Options, name string, l map[string]string) metav1.ObjectMeta {
	meta := metav1.ObjectMeta{Name: name, Labels: map[string]string{LabelManagedBy: appName}}
	if opts.Namespace != DefaultNamespace {
		meta.Namespace = opts.Namespace
	}
	for k, v := range l {
		meta.Labels[k] = v
	}
	return meta
}

func configMap(opts Options, files []sourceFile) *corev1.ConfigMap {
	data := make(map[string]string, len(files))
	for _, f := range files {
		data[f.key] = f.src
	}
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: objectMeta(opts, ConfigMapName, map[string]string{LabelName: appName}),
		Data:       data,
	}
}

// sourceHash identifies the sources, so that changing them changes every
// pod template.
func sourceHash(files []sourceFile) string {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s %d\n%s", f.rel, len(f.src), f.src)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func k8sService(opts Options, c *Component) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(opts, c.Name, podLabels(c)),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: podLabels(c),
			Ports: []corev1.ServicePort{{
				Name:       portName,
				Protocol:   corev1.ProtocolTCP,
				Port:       Port,
				TargetPort: intstr.FromString(portName),
			}},
		},
	}
}

// ServeArgs are the arguments of microfn in c's container, for options
// as Generate completes them: serve its services (from SourceDir, or, with
// an app image, those compiled into the application, which takes no
// folder), within the sandbox and limits of the options, and route every
// other component's.
func ServeArgs(opts Options, c *Component, all []*Component) []string {
	only := make([]string, len(c.Services))
	for i, s := range c.Services {
		only[i] = s.Route
	}
	args := []string{"serve"}
	if opts.AppImage == "" {
		args = append(args, SourceDir)
	}
	args = append(args, "--addr", fmt.Sprintf("0.0.0.0:%d", Port), "--only", strings.Join(only, ","))
	if opts.AppImage == "" {
		// A subPath mount does not follow changes of the ConfigMap (an
		// application has nothing to watch).
		args = append(args, "--no-watch")
	}
	args = append(args, opts.Limits.args()...)
	args = append(args, sandboxArgs(opts)...)
	for _, o := range all {
		if o == c {
			continue
		}
		for _, k := range o.RouteKeys {
			args = append(args, "--route", k+"="+o.URL)
		}
	}
	return args
}

// ChainKeySecret names the Secret whose key "key" every pod reads as its
// chain key (--chain-key-file) when there is no token Secret: the servers
// sign the call chains they pass to each other with it. It is optional:
// without it each pod signs with a key of its own, and a nested call that
// crosses pods starts a chain of its own.
const ChainKeySecret = "microfn-chain-key"

// databaseEnv is the container's environment of the databases: each
// URL from the database Secret.
func databaseEnv(opts Options) []corev1.EnvVar {
	if opts.DatabaseSecret == "" {
		return nil
	}
	var out []corev1.EnvVar
	for _, name := range opts.Databases {
		out = append(out, corev1.EnvVar{
			Name: "MICROFN_DATABASE_" + strings.ToUpper(name),
			ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
				LocalObjectReference: corev1.LocalObjectReference{Name: opts.DatabaseSecret},
				Key:                  name,
			}},
		})
	}
	return out
}

// SecretDir is where the secret of every pod (the token, else the chain
// key) is mounted, read-only: the server reads it as a file
// (--token-file, --chain-key-file), never from its environment, so that
// it reaches no worker process (they cannot read the file, even with
// --allow os).
const SecretDir = "/var/run/secrets/microfn"

// secretArgs are the arguments that point serve at the pod's secret file:
// the token, if there is a token Secret (the chain key is derived from
// it), else the optional chain key.
func secretArgs(opts Options) []string {
	if opts.TokenSecret == "" {
		return []string{"--chain-key-file", SecretDir + "/" + chainKeyFile}
	}
	return []string{"--token-file", SecretDir + "/" + TokenSecretKey}
}

// secretVolume is the volume of the pod's secret: the token Secret's key
// "token", else the optional chain key Secret's "key", as file
// chainKeyFile.
func secretVolume(opts Options) corev1.Volume {
	src := &corev1.SecretVolumeSource{
		SecretName: ChainKeySecret,
		Items:      []corev1.KeyToPath{{Key: "key", Path: chainKeyFile}},
		Optional:   new(true),
	}
	if opts.TokenSecret != "" {
		src = &corev1.SecretVolumeSource{
			SecretName: opts.TokenSecret,
			Items:      []corev1.KeyToPath{{Key: TokenSecretKey, Path: TokenSecretKey}},
		}
	}
	return corev1.Volume{Name: secretVolumeName, VolumeSource: corev1.VolumeSource{Secret: src}}
}

func deployment(opts Options, c *Component, all []*Component, files []sourceFile, sum string) *appsv1.Deployment {
	routes := make([]string, len(c.Services))
	for i, s := range c.Services {
		routes[i] = s.Route
	}
	policyText := c.Services[0].Policy.String()
	if opts.Grouping == PerPackage {
		lines := make([]string, len(c.Services))
		for i, s := range c.Services {
			lines[i] = s.Route + ": " + s.Policy.String()
		}
		policyText = strings.Join(lines, "\n")
	}
	meta := objectMeta(opts, c.Name, podLabels(c))
	meta.Annotations = map[string]string{
		AnnotationServices: strings.Join(routes, ","),
		AnnotationPolicy:   policyText,
	}
	probe := func(path string, period, failures int32) *corev1.Probe {
		return &corev1.Probe{
			ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
				Path: path, Port: intstr.FromString(portName), Scheme: corev1.URISchemeHTTP,
			}},
			PeriodSeconds:    period,
			TimeoutSeconds:   2,
			FailureThreshold: failures,
		}
	}
	tmpLimit := opts.Limits.tempLimit()
	d := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: meta,
		Spec: appsv1.DeploymentSpec{
			Replicas: new(opts.Replicas),
			Selector: &metav1.LabelSelector{MatchLabels: podLabels(c)},
			Strategy: appsv1.DeploymentStrategy{Type: appsv1.RollingUpdateDeploymentStrategyType},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{
					Labels: podLabels(c),
					Annotations: map[string]string{
						"prometheus.io/scrape": "true",
						"prometheus.io/port":   strconv.Itoa(Port),
						"prometheus.io/path":   "/metrics",
					},
				},
				Spec: corev1.PodSpec{
					AutomountServiceAccountToken: new(false),
					EnableServiceLinks:           new(false),
					SecurityContext: &corev1.PodSecurityContext{
						RunAsNonRoot:   new(true),
						RunAsUser:      new(int64(UID)),
						RunAsGroup:     new(int64(UID)),
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
					},
					Containers: []corev1.Container{{
						Name:            containerName,
						Image:           opts.image(),
						ImagePullPolicy: corev1.PullIfNotPresent,
						Args:            append(ServeArgs(opts, c, all), secretArgs(opts)...),
						Env:             databaseEnv(opts),
						Ports:           []corev1.ContainerPort{{Name: portName, ContainerPort: Port, Protocol: corev1.ProtocolTCP}},
						// Loading the packages takes a moment before the
						// port opens; allow a minute.
						StartupProbe:   probe("/healthz", 2, 30),
						LivenessProbe:  probe("/healthz", 10, 3),
						ReadinessProbe: probe("/readyz", 5, 2),
						Resources: corev1.ResourceRequirements{
							Requests: corev1.ResourceList{
								corev1.ResourceCPU:    resource.MustParse("100m"),
								corev1.ResourceMemory: resource.MustParse("64Mi"),
							},
							Limits: corev1.ResourceList{
								corev1.ResourceCPU:    resource.MustParse("1"),
								corev1.ResourceMemory: opts.Limits.memoryLimit(),
							},
						},
						SecurityContext: &corev1.SecurityContext{
							RunAsNonRoot:             new(true),
							ReadOnlyRootFilesystem:   new(true),
							AllowPrivilegeEscalation: new(false),
							Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
						},
						VolumeMounts: []corev1.VolumeMount{
							{Name: tmpVolume, MountPath: "/tmp"},
							{Name: secretVolumeName, MountPath: SecretDir, ReadOnly: true},
						},
					}},
					Volumes: []corev1.Volume{
						{Name: tmpVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{SizeLimit: &tmpLimit}}},
						secretVolume(opts),
					},
				},
			},
		},
	}
	if opts.AppImage == "" {
		addSources(d, files, sum)
	}
	return d
}

// addSources mounts the sources of the ConfigMap at SourceDir in d's
// container (the first volume and mount), and marks its pods with their
// hash.
func addSources(d *appsv1.Deployment, files []sourceFile, sum string) {
	items := make([]corev1.KeyToPath, len(files))
	for i, f := range files {
		items[i] = corev1.KeyToPath{Key: f.key, Path: srcSubPath + "/" + f.rel}
	}
	spec := &d.Spec.Template.Spec
	spec.Volumes = append([]corev1.Volume{{Name: srcVolume, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: ConfigMapName},
		Items:                items,
	}}}}, spec.Volumes...)
	c := &spec.Containers[0]
	c.VolumeMounts = append([]corev1.VolumeMount{{Name: srcVolume, MountPath: SourceDir, SubPath: srcSubPath, ReadOnly: true}}, c.VolumeMounts...)
	d.Spec.Template.Annotations[AnnotationSource] = sum
}

// WriteYAML writes the manifest as a multi-document YAML stream, with
// comments saying how it is wired.
func (m *Manifest) WriteYAML(w io.Writer) error {
	var b bytes.Buffer
	services := 0
	for _, c := range m.Components {
		services += len(c.Services)
	}
	fmt.Fprintf(&b, "# Generated by microfn deploy kubernetes (%s): %d services in %d Deployments, image %s.\n",
		m.Options.Grouping, services, len(m.Components), m.Options.image())
	if m.Options.AppImage != "" {
		b.WriteString("# The image is the application microfn build made of the folder (the Dockerfile's target app): build it from the same sources as these manifests, or a pod's --only names a service it lacks and the pod does not start.\n")
	}
	fmt.Fprintf(&b, "# Services call each other at http://microfn-NAME:%d, the short DNS name of each Service.\n", Port)
	fmt.Fprintf(&b, "# Each pod runs microfn serve and a worker process for the package it serves (--max-memory %s), so a crash in service code restarts a worker, not the pod.\n", SizeArg(m.Options.Limits.MaxMemory))
	b.WriteString("# scale=N in a policy is per pod: a Deployment with R replicas runs up to N×R call chains of a service at once.\n")
	fmt.Fprintf(&b, "# Each Deployment has a HorizontalPodAutoscaler (%d to %d pods at %d%% of the CPU requested; it needs the cluster's metrics server) and a PodDisruptionBudget (one pod at a time). The Deployment keeps replicas: %d, so that a cluster without metrics still runs them; applying the manifest again sets that count back until the autoscaler acts.\n",
		m.Options.Replicas, m.Options.maxReplicas(), cmp.Or(m.Options.CPUTarget, DefaultCPUTarget), m.Options.Replicas)
	for _, s := range m.Options.Secrets {
		fmt.Fprintf(&b, "# %s is key %q of Secret %s, mounted at %s/%s: create it first (kubectl create secret generic %s --from-file=%s=FILE).\n", s.Name, s.key(), s.Secret, EnvSecretDir, s.Secret, s.Secret, s.key())
	}
	if m.Ingress != nil {
		b.WriteString("# The Ingress routes each package's prefix (each service's route, for the folder's own package or per function) to its Service; /docs, /openapi.json and /metrics stay inside the cluster.\n")
	}
	if m.Options.TokenSecret != "" {
		fmt.Fprintf(&b, "# Every call but /healthz and /readyz needs the token in Secret %s (key %q), /metrics included: Prometheus must send it too.\n", m.Options.TokenSecret, TokenSecretKey)
		fmt.Fprintf(&b, "# Create it first: kubectl create secret generic %s --from-literal=%s=\"$(openssl rand -hex 32)\"\n", m.Options.TokenSecret, TokenSecretKey)
	}
	if m.Options.TokenSecret == "" {
		fmt.Fprintf(&b, "# The servers sign the call chains they pass to each other with the key in Secret %s (key \"key\"); create it first, or a nested call that crosses pods starts a chain of its own:\n", ChainKeySecret)
		fmt.Fprintf(&b, "#   kubectl create secret generic %s --from-literal=key=\"$(openssl rand -hex 32)\"\n", ChainKeySecret)
	}
	b.WriteString("# Apply with: kubectl apply --server-side -f FILE\n")
	for _, obj := range m.Objects() {
		b.WriteString("---\n")
		if d, ok := obj.(*appsv1.Deployment); ok {
			for _, c := range m.Components {
				if c.Deployment != d {
					continue
				}
				for _, s := range c.Services {
					fmt.Fprintf(&b, "# %s: scale=%d per pod × %s = at most %d concurrent call chains (%d with the autoscaler's %d pods)\n",
						s.Route, s.Policy.Scale, plural(int(m.Options.Replicas), "replica"), s.Policy.Scale*int(m.Options.Replicas),
						s.Policy.Scale*int(m.Options.maxReplicas()), m.Options.maxReplicas())
				}
			}
		}
		doc, err := marshal(obj)
		if err != nil {
			return err
		}
		b.Write(doc)
	}
	_, err := w.Write(b.Bytes())
	return err
}

// marshal renders obj as block-style YAML, fields in the order of the
// API types (apiVersion and kind first), without its empty status. Text
// of several lines, such as the sources, is written as literal blocks.
func marshal(obj runtime.Object) ([]byte, error) {
	j, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(j, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%T does not encode as an object", obj)
	}
	top := doc.Content[0]
	var head, rest []*yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		switch top.Content[i].Value {
		case "apiVersion", "kind":
			head = append(head, top.Content[i], top.Content[i+1])
		case "status":
		default:
			rest = append(rest, top.Content[i], top.Content[i+1])
		}
	}
	if len(head) == 4 && head[0].Value == "kind" {
		head = []*yaml.Node{head[2], head[3], head[0], head[1]}
	}
	top.Content = append(head, rest...)
	plain(&doc)
	return yaml.Dump(&doc, yaml.WithV4Defaults(), yaml.WithLineWidth(-1), yaml.WithQuotePreference(yaml.QuoteDouble))
}

// plain drops the JSON styles (quotes, flow collections) of n and below;
// the encoder quotes the strings that need it.
func plain(n *yaml.Node) {
	n.Style = 0
	for _, c := range n.Content {
		plain(c)
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
