package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/microfn/microfn/deploy/kubernetes"
)

const deployUsage = `Usage: microfn deploy TARGET DIR [flags]

Write the deployment of the services below DIR to stdout.

Targets:

	kubernetes   Kubernetes manifests: a ConfigMap with the sources (unless --app-image), a Deployment, a Service, a HorizontalPodAutoscaler and a PodDisruptionBudget per service or package, and an Ingress

Run "microfn deploy TARGET -help" for the flags of a target.
`

func deployCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, deployUsage)
		return 2
	}
	switch args[0] {
	case "kubernetes", "k8s":
		return deployKubernetesCmd(ctx, args[1:], stdout, stderr)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, deployUsage)
		return 0
	}
	fmt.Fprintf(stderr, "microfn deploy: unknown target %q\n\n%s", args[0], deployUsage)
	return 2
}

// deployKubernetesCmd writes the Kubernetes manifests of the services
// below DIR (microfn deploy kubernetes).
func deployKubernetesCmd(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs, f := newKubernetesFlags(stderr)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	opts, warnings, err := f.options(setFlags(fs), pos[0])
	if err != nil {
		fmt.Fprintln(stderr, "microfn deploy kubernetes:", err)
		var u usageError
		if errors.As(err, &u) {
			return 2
		}
		return 1
	}
	m, err := kubernetes.Generate(pos[0], opts)
	if err != nil {
		fmt.Fprintln(stderr, "microfn deploy kubernetes:", err)
		return 1
	}
	for _, w := range append(m.Warnings, warnings...) {
		fmt.Fprintln(stderr, "microfn deploy kubernetes: warning:", w)
	}
	if err := m.WriteYAML(stdout); err != nil {
		fmt.Fprintln(stderr, "microfn deploy kubernetes:", err)
		return 1
	}
	return 0
}

// A usageError is a flag's value that microfn cannot use: the command
// exits with status 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// usagef returns a usageError.
func usagef(format string, args ...any) error {
	return usageError{fmt.Sprintf(format, args...)}
}

// kubernetesFlags are the flags of microfn deploy kubernetes, as parsed.
type kubernetesFlags struct {
	image, appImage                                *string
	unrestricted                                   *bool
	allow                                          func() []string
	maxMemory, maxTempSize, maxStack, maxWriteSize *string
	maxOpenFiles                                   *uint64
	namespace                                      *string
	perFunction, perPackage                        *bool
	replicas, maxReplicas, cpuTarget               *int
	tokenSecret, dbSecret                          *string
	withIngress                                    *bool
	ingressHost, ingressClass, ingressTLS          *string
	envs, secrets                                  routeFlags
}

// newKubernetesFlags defines the flags of microfn deploy kubernetes.
func newKubernetesFlags(stderr io.Writer) (*flag.FlagSet, *kubernetesFlags) {
	f := &kubernetesFlags{}
	fs := newFlagSet("microfn deploy kubernetes", fmt.Sprintf(`Usage: microfn deploy kubernetes DIR [flags]

Write Kubernetes manifests for the services of the packages below DIR to stdout:
a ConfigMap holding the sources (but with --app-image), and per service (--per-function, the default) or
per package (--per-package) a Deployment and a ClusterIP Service on port %d. Each
pod runs "microfn serve" with --only for its own services and --route for every
other, at http://microfn-NAME:%d (the Services' short DNS names, so all objects
share one namespace).

With the image of microfn (--image), the pods interpret the sources of the
ConfigMap: apply again after an edit, and they restart with it.

	docker build -t REGISTRY/microfn:TAG . && docker push REGISTRY/microfn:TAG
	microfn deploy kubernetes DIR --image REGISTRY/microfn:TAG | kubectl apply --server-side -f -

With the image of the application microfn build makes of DIR (--app-image, the
Dockerfile's target app), the pods run its compiled code: no sources, no
interpreter at work; build the image and the manifests from the same sources.

	docker build --target app --build-context src=DIR -t REGISTRY/app:TAG . && docker push REGISTRY/app:TAG
	microfn deploy kubernetes DIR --app-image REGISTRY/app:TAG | kubectl apply --server-side -f -

A policy's scale=N limits concurrent call chains per pod: a Deployment with
--replicas R admits N×R.`, kubernetes.Port, kubernetes.Port), stderr)
	f.image = fs.String("image", kubernetes.DefaultImage, "container `image` running microfn, which serves the sources (built from the repository's Dockerfile)")
	f.appImage = fs.String("app-image", "", "container `image` of the application microfn build makes of DIR (the Dockerfile's target app): the pods run its compiled code, and the manifests carry no sources")
	f.unrestricted = fs.Bool("unrestricted", false, "the pods let services import unsafe, syscall, os/exec and the rest of the unrestricted standard library (serve --unrestricted)")
	f.allow = allowFlag(fs)
	f.maxMemory = fs.String("max-memory", kubernetes.SizeArg(kubernetes.WorkerMemory), "memory limit, a `size`, of the worker process of each pod (serve --max-memory); the container's limit is this and "+kubernetes.SizeArg(kubernetes.ServerMemory)+" for the server")
	f.maxTempSize = fs.String("max-temp-size", kubernetes.SizeArg(kubernetes.WorkerTempSize), "most space, a `size`, the temporary files of each pod's worker may take (serve --max-temp-size); the pod's /tmp holds this and "+kubernetes.SizeArg(kubernetes.TempHeadroom))
	f.maxStack = fs.String("max-stack", "", "largest goroutine stack in a worker, a `size` (serve --max-stack; default serve's)")
	f.maxWriteSize = fs.String("max-write-size", "", "largest file a worker may write, a `size` (serve --max-write-size; default serve's)")
	f.maxOpenFiles = fs.Uint64("max-open-files", 0, "most open files of each worker (serve --max-open-files; default serve's)")
	f.namespace = fs.String("namespace", kubernetes.DefaultNamespace, "`namespace` of every object; another than default adds a Namespace object")
	f.perFunction = fs.Bool("per-function", false, "one Deployment per service (the default)")
	f.perPackage = fs.Bool("per-package", false, "one Deployment per package")
	f.replicas = fs.Int("replicas", 1, "replicas of every Deployment")
	f.tokenSecret = fs.String("token-secret", "", "require a token on every call: every pod reads key \"token\" of the Secret `name` as a file (serve --token-file; create it first)")
	f.dbSecret = fs.String("database-secret", "", "every pod gets the URL of each database the services migrate (postgres://…) as MICROFN_DATABASE_<NAME> from key NAME of the Secret `name` (create it first): split pods then share the databases")
	f.maxReplicas = fs.Int("max-replicas", 0, "most pods the HorizontalPodAutoscaler of each Deployment runs (default three times --replicas, at least 3)")
	f.cpuTarget = fs.Int("cpu-target", kubernetes.DefaultCPUTarget, "average CPU use, in `percent` of the pods' requests, the autoscalers keep")
	f.withIngress = fs.Bool("ingress", false, "add an Ingress routing each package's prefix to its Service (implied by the other --ingress flags)")
	f.ingressHost = fs.String("ingress-host", "", "the `host` of the Ingress's rules (default any)")
	f.ingressClass = fs.String("ingress-class", "", "the IngressClass of the Ingress (default the cluster's)")
	f.ingressTLS = fs.String("ingress-tls-secret", "", "the Secret `name` of the certificate of --ingress-host")
	fs.Var(&f.envs, "env", "`NAME=VALUE`: an environment variable of service code, as serve --env (repeatable)")
	fs.Var(&f.secrets, "secret", "`NAME=SECRET[:KEY]`: an environment variable of service code read from key KEY (default NAME) of the Secret SECRET, which every pod mounts as a file (serve --secret; repeatable)")
	return fs, f
}

// options returns the options of the manifests of the services below
// dir, with warnings about them; set holds the flags given. A flag's
// value it cannot use is a usageError.
func (f *kubernetesFlags) options(set map[string]bool, dir string) (kubernetes.Options, []string, error) {
	opts := kubernetes.Options{Image: *f.image, AppImage: *f.appImage, Namespace: *f.namespace, Grouping: kubernetes.PerFunction, TokenSecret: *f.tokenSecret, DatabaseSecret: *f.dbSecret,
		Allow: f.allow(), Unrestricted: *f.unrestricted}
	if *f.appImage != "" {
		if set["image"] {
			return opts, nil, usagef("--image and --app-image exclude each other: the image of microfn serves the sources, the app image its own compiled code")
		}
		opts.Image = ""
	}
	if (*f.image == "" && *f.appImage == "") || *f.namespace == "" {
		return opts, nil, usagef("--image and --namespace cannot be empty")
	}
	if err := f.limits(set, &opts.Limits); err != nil {
		return opts, nil, err
	}
	warnings, err := f.databases(dir, &opts)
	if err != nil {
		return opts, nil, err
	}
	if err := f.scaling(&opts); err != nil {
		return opts, nil, err
	}
	if err := f.environment(&opts); err != nil {
		return opts, nil, err
	}
	if err := opts.Validate(); err != nil {
		return opts, nil, usageError{err.Error()}
	}
	return opts, warnings, nil
}

// limits sets the limits of each pod's worker from the flags given (set).
func (f *kubernetesFlags) limits(set map[string]bool, limits *kubernetes.WorkerLimits) error {
	for _, l := range []struct {
		flag  string
		value string
		n     *int64
	}{
		{"max-memory", *f.maxMemory, &limits.MaxMemory},
		{"max-temp-size", *f.maxTempSize, &limits.MaxTempSize},
		{"max-stack", *f.maxStack, &limits.MaxStack},
		{"max-write-size", *f.maxWriteSize, &limits.MaxWriteSize},
	} {
		if !set[l.flag] {
			continue
		}
		n, err := parseBytes(l.value)
		if err == nil && n == 0 {
			err = fmt.Errorf("want a size of at least 1 byte: every pod bounds its worker")
		}
		if err != nil {
			return usagef("--%s: %v", l.flag, err)
		}
		*l.n = n
	}
	if set["max-open-files"] && *f.maxOpenFiles == 0 {
		return usagef("--max-open-files: want at least 1")
	}
	limits.MaxOpenFiles = *f.maxOpenFiles
	return nil
}

// databases sets the databases whose URLs the pods get (those the
// services below dir migrate) when --database-secret is given, and warns
// of them when it is not.
func (f *kubernetesFlags) databases(dir string, opts *kubernetes.Options) ([]string, error) {
	ms, err := treeMigrations(dir)
	if *f.dbSecret == "" {
		if len(ms) == 0 {
			return nil, nil
		}
		names := slices.Sorted(maps.Keys(ms))
		return []string{fmt.Sprintf("the services migrate databases (%s), which the pods cannot keep in SQLite files (their file system is read-only, and pods would not share them): give --database-secret, a Secret with the PostgreSQL URL of each under its name", strings.Join(names, ", "))}, nil
	}
	if err != nil {
		return nil, err
	}
	opts.Databases = slices.Sorted(maps.Keys(ms))
	return nil, nil
}

// scaling sets the grouping of services into Deployments, their replicas
// and autoscaling, and the Ingress.
func (f *kubernetesFlags) scaling(opts *kubernetes.Options) error {
	switch {
	case *f.perFunction && *f.perPackage:
		return usagef("--per-function and --per-package exclude each other")
	case *f.perPackage:
		opts.Grouping = kubernetes.PerPackage
	}
	if *f.replicas < 1 || *f.replicas > 1<<20 {
		return usagef("--replicas: want a whole number >= 1, got %d", *f.replicas)
	}
	opts.Replicas = int32(*f.replicas)
	if *f.maxReplicas < 0 || *f.maxReplicas > 1<<20 || *f.cpuTarget < 1 || *f.cpuTarget > 100 {
		return usagef("--max-replicas wants a whole number (0: the default) and --cpu-target a percentage from 1 to 100")
	}
	opts.MaxReplicas, opts.CPUTarget = int32(*f.maxReplicas), int32(*f.cpuTarget)
	if *f.withIngress || *f.ingressHost != "" || *f.ingressClass != "" || *f.ingressTLS != "" {
		opts.Ingress = &kubernetes.Ingress{Host: *f.ingressHost, ClassName: *f.ingressClass, TLSSecret: *f.ingressTLS}
	}
	return nil
}

// environment sets the environment variables of service code, and the
// Secrets they are read from.
func (f *kubernetesFlags) environment(opts *kubernetes.Options) error {
	for _, e := range f.envs {
		name, value, ok := strings.Cut(e, "=")
		if !ok {
			return usagef("--env %q: want NAME=VALUE", e)
		}
		if opts.Env == nil {
			opts.Env = map[string]string{}
		}
		opts.Env[name] = value
	}
	for _, sec := range f.secrets {
		file, err := kubernetes.ParseSecretFile(sec)
		if err != nil {
			return usageError{err.Error()}
		}
		opts.Secrets = append(opts.Secrets, file)
	}
	return nil
}
