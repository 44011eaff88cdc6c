package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"slices"
	"sort"
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

func deployKubernetesCmd(_ context.Context, args []string, stdout, stderr io.Writer) int {
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
	image := fs.String("image", kubernetes.DefaultImage, "container `image` running microfn, which serves the sources (built from the repository's Dockerfile)")
	appImage := fs.String("app-image", "", "container `image` of the application microfn build makes of DIR (the Dockerfile's target app): the pods run its compiled code, and the manifests carry no sources")
	unrestricted := fs.Bool("unrestricted", false, "the pods let services import unsafe, syscall, os/exec and the rest of the unrestricted standard library (serve --unrestricted)")
	allow := allowFlag(fs)
	maxMemory := fs.String("max-memory", kubernetes.SizeArg(kubernetes.WorkerMemory), "memory limit, a `size`, of the worker process of each pod (serve --max-memory); the container's limit is this and "+kubernetes.SizeArg(kubernetes.ServerMemory)+" for the server")
	maxTempSize := fs.String("max-temp-size", kubernetes.SizeArg(kubernetes.WorkerTempSize), "most space, a `size`, the temporary files of each pod's worker may take (serve --max-temp-size); the pod's /tmp holds this and "+kubernetes.SizeArg(kubernetes.TempHeadroom))
	maxStack := fs.String("max-stack", "", "largest goroutine stack in a worker, a `size` (serve --max-stack; default serve's)")
	maxWriteSize := fs.String("max-write-size", "", "largest file a worker may write, a `size` (serve --max-write-size; default serve's)")
	maxOpenFiles := fs.Uint64("max-open-files", 0, "most open files of each worker (serve --max-open-files; default serve's)")
	namespace := fs.String("namespace", kubernetes.DefaultNamespace, "`namespace` of every object; another than default adds a Namespace object")
	perFunction := fs.Bool("per-function", false, "one Deployment per service (the default)")
	perPackage := fs.Bool("per-package", false, "one Deployment per package")
	replicas := fs.Int("replicas", 1, "replicas of every Deployment")
	tokenSecret := fs.String("token-secret", "", "require a token on every call: every pod reads key \"token\" of the Secret `name` as a file (serve --token-file; create it first)")
	dbSecret := fs.String("database-secret", "", "every pod gets the URL of each database the services migrate (postgres://…) as MICROFN_DATABASE_<NAME> from key NAME of the Secret `name` (create it first): split pods then share the databases")
	maxReplicas := fs.Int("max-replicas", 0, "most pods the HorizontalPodAutoscaler of each Deployment runs (default three times --replicas, at least 3)")
	cpuTarget := fs.Int("cpu-target", kubernetes.DefaultCPUTarget, "average CPU use, in `percent` of the pods' requests, the autoscalers keep")
	withIngress := fs.Bool("ingress", false, "add an Ingress routing each package's prefix to its Service (implied by the other --ingress flags)")
	ingressHost := fs.String("ingress-host", "", "the `host` of the Ingress's rules (default any)")
	ingressClass := fs.String("ingress-class", "", "the IngressClass of the Ingress (default the cluster's)")
	ingressTLS := fs.String("ingress-tls-secret", "", "the Secret `name` of the certificate of --ingress-host")
	var envs, secrets routeFlags
	fs.Var(&envs, "env", "`NAME=VALUE`: an environment variable of service code, as serve --env (repeatable)")
	fs.Var(&secrets, "secret", "`NAME=SECRET[:KEY]`: an environment variable of service code read from key KEY (default NAME) of the Secret SECRET, which every pod mounts as a file (serve --secret; repeatable)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) != 1 {
		fs.Usage()
		return 2
	}
	opts := kubernetes.Options{Image: *image, AppImage: *appImage, Namespace: *namespace, Grouping: kubernetes.PerFunction, TokenSecret: *tokenSecret, DatabaseSecret: *dbSecret,
		Allow: allow(), Unrestricted: *unrestricted}
	set := setFlags(fs)
	if *appImage != "" {
		if set["image"] {
			fmt.Fprintln(stderr, "microfn deploy kubernetes: --image and --app-image exclude each other: the image of microfn serves the sources, the app image its own compiled code")
			return 2
		}
		opts.Image = ""
	}
	for _, l := range []struct {
		flag  string
		value string
		n     *int64
	}{
		{"max-memory", *maxMemory, &opts.Limits.MaxMemory},
		{"max-temp-size", *maxTempSize, &opts.Limits.MaxTempSize},
		{"max-stack", *maxStack, &opts.Limits.MaxStack},
		{"max-write-size", *maxWriteSize, &opts.Limits.MaxWriteSize},
	} {
		if !set[l.flag] {
			continue
		}
		n, err := parseBytes(l.value)
		if err == nil && n == 0 {
			err = fmt.Errorf("want a size of at least 1 byte: every pod bounds its worker")
		}
		if err != nil {
			fmt.Fprintf(stderr, "microfn deploy kubernetes: --%s: %v\n", l.flag, err)
			return 2
		}
		*l.n = n
	}
	if set["max-open-files"] && *maxOpenFiles == 0 {
		fmt.Fprintln(stderr, "microfn deploy kubernetes: --max-open-files: want at least 1")
		return 2
	}
	opts.Limits.MaxOpenFiles = *maxOpenFiles
	ms, err := treeMigrations(pos[0])
	var warnings []string
	if *dbSecret != "" {
		if err != nil {
			fmt.Fprintln(stderr, "microfn deploy kubernetes:", err)
			return 1
		}
		for name := range ms {
			opts.Databases = append(opts.Databases, name)
		}
		sort.Strings(opts.Databases)
	} else if len(ms) > 0 {
		names := slices.Sorted(maps.Keys(ms))
		warnings = append(warnings, fmt.Sprintf("the services migrate databases (%s), which the pods cannot keep in SQLite files (their file system is read-only, and pods would not share them): give --database-secret, a Secret with the PostgreSQL URL of each under its name", strings.Join(names, ", ")))
	}
	switch {
	case *perFunction && *perPackage:
		fmt.Fprintln(stderr, "microfn deploy kubernetes: --per-function and --per-package exclude each other")
		return 2
	case *perPackage:
		opts.Grouping = kubernetes.PerPackage
	}
	if *replicas < 1 || *replicas > 1<<20 {
		fmt.Fprintf(stderr, "microfn deploy kubernetes: --replicas: want a whole number >= 1, got %d\n", *replicas)
		return 2
	}
	opts.Replicas = int32(*replicas)
	if *maxReplicas < 0 || *maxReplicas > 1<<20 || *cpuTarget < 1 || *cpuTarget > 100 {
		fmt.Fprintf(stderr, "microfn deploy kubernetes: --max-replicas wants a whole number (0: the default) and --cpu-target a percentage from 1 to 100\n")
		return 2
	}
	opts.MaxReplicas, opts.CPUTarget = int32(*maxReplicas), int32(*cpuTarget)
	if *withIngress || *ingressHost != "" || *ingressClass != "" || *ingressTLS != "" {
		opts.Ingress = &kubernetes.Ingress{Host: *ingressHost, ClassName: *ingressClass, TLSSecret: *ingressTLS}
	}
	for _, e := range envs {
		name, value, ok := strings.Cut(e, "=")
		if !ok {
			fmt.Fprintf(stderr, "microfn deploy kubernetes: --env %q: want NAME=VALUE\n", e)
			return 2
		}
		if opts.Env == nil {
			opts.Env = map[string]string{}
		}
		opts.Env[name] = value
	}
	for _, sec := range secrets {
		f, err := kubernetes.ParseSecretFile(sec)
		if err != nil {
			fmt.Fprintln(stderr, "microfn deploy kubernetes:", err)
			return 2
		}
		opts.Secrets = append(opts.Secrets, f)
	}
	if (*image == "" && *appImage == "") || *namespace == "" {
		fmt.Fprintln(stderr, "microfn deploy kubernetes: --image and --namespace cannot be empty")
		return 2
	}
	if err := opts.Validate(); err != nil {
		fmt.Fprintln(stderr, "microfn deploy kubernetes:", err)
		return 2
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
