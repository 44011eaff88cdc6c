// Package kubernetes turns a directory of microfn services into Kubernetes
// manifests: the objects that `microfn deploy kubernetes DIR` prints.
//
// [Generate] loads the packages below DIR as serve reads them (with
// package funcs, the types of the module's other packages through the
// module's importer) and builds, in this order:
//
//   - a Namespace, when [Options.Namespace] is not "default";
//   - one ConfigMap, microfn-src, holding every source file of every
//     package and its migrations (migrations/NAME/*.sql; a key cannot
//     hold "/", so billing/charge.go is stored under the key
//     billing__charge.go); in a module, also go.mod and go.sum (for a
//     folder below the module's root, a go.mod of the folder's own import
//     path) and, from vendor/, the packages of required modules the
//     services import, with the packages those import, and
//     vendor/modules.txt: the pods cannot fetch them, so their imports
//     without vendor/ are an error. With an app image there is no
//     ConfigMap (see below);
//   - per component, a ClusterIP Service and a Deployment. A component is
//     one service ([PerFunction], the default: IsEven becomes
//     microfn-iseven, billing/Charge microfn-billing-charge) or one
//     package with services ([PerPackage]: billing becomes
//     microfn-billing; the root package is named after its Go package
//     name, examples/seed's after "seed").
//
// Every pod runs the same image and the same sources, and its arguments
// say which part it serves and where the rest lives:
//
//	serve /src --addr 0.0.0.0:8000 --only IsEven --no-watch \
//	  --route IsOdd=http://microfn-isodd:8000 --route Fib=http://microfn-fib:8000 …
//
// Calls between services use each Service's short DNS name,
// http://microfn-NAME:8000, which the cluster resolves in the pod's own
// namespace. Every object of the stream lives in one namespace, so the
// manifests work in any namespace and under any cluster domain: without
// --namespace they carry no namespace at all and kubectl apply -n NS puts
// them where you like. In per-package mode a package other than the root is
// routed by its directory (--route billing=URL); the root package, which
// serve cannot route by directory, is routed service by service.
//
// # The source volume
//
// The ConfigMap is mounted read-only at /src. Kubernetes materializes a
// ConfigMap volume as symbolic links into a hidden, timestamped directory,
// and microfn, like the Go toolchain, does not follow symbolic links when
// it looks for packages: mounted directly, /src would look empty. So the
// volume's items put every file below one directory, src/ (key
// billing__charge.go at path src/billing/charge.go), and the container
// mounts that directory with subPath: src. The kubelet resolves a subPath's
// links when it bind-mounts it, so /src holds regular files and
// directories. A subPath mount does not follow later changes of the
// ConfigMap; serve runs with --no-watch, and the pod template carries a
// hash of the sources (annotation microfn.dev/src-sha256), so applying
// changed sources rolls the Deployments instead.
//
// A ConfigMap holds at most 1 MiB, and kubectl's client-side apply copies
// every object into an annotation of at most 256 KiB: apply with
// kubectl apply --server-side when the sources are large.
//
// # The application image
//
// With [Options.AppImage], every pod runs the image of the application
// microfn build made of DIR (the Dockerfile's target app) instead: its
// entrypoint is the application, which serves the packages compiled into
// it and takes no folder,
//
//	serve --addr 0.0.0.0:8000 --only IsEven --max-memory 160MiB … --route IsOdd=http://microfn-isodd:8000 …
//
// and everything else is the manifest of the sources: the same split,
// Services, routes, policies, probes, resources, security, secrets,
// autoscalers, budgets and Ingress. There is no source ConfigMap, no
// source volume and no Go toolchain; the packages of required modules
// were compiled in by the build, so they need no vendor/. The image and
// the manifests must be made from the same sources: a pod whose --only
// names a service the application lacks does not start.
//
// # Sandbox and limits
//
// [Options.Allow] and [Options.Unrestricted] reach every pod's serve
// (--allow, --unrestricted), as do the limits of its worker process
// ([WorkerLimits]: --max-memory, --max-temp-size, --max-stack,
// --max-write-size, --max-open-files). A pod runs its server and one
// worker, for the package of the services it serves: its container's
// memory limit is the worker's plus [ServerMemory] (256 MiB by default),
// and its /tmp volume holds the worker's temporary files plus
// [TempHeadroom] (64 MiB by default).
//
// # Policies and replicas
//
// Each Deployment carries the policies of its services in the annotation
// microfn.dev/policy, as [policy.Policy.String] prints them after applying
// the directive's options to [policy.Default] (in per-package mode one
// "ROUTE: POLICY" line per service), and the routes it serves in
// microfn.dev/services.
//
// The scale=N option limits the call chains that execute a service at once
// in one process. Replicas do not share that limit: a Deployment with R
// replicas ([Options.Replicas]) admits up to N×R concurrent call chains of
// each of its services, and queue=Q likewise allows Q waiting calls per
// pod. Choose scale for one pod and replicas for the cluster.
//
// # Pods
//
// Every pod template has the Prometheus scrape annotations (port 8000,
// path /metrics), a startup and a liveness probe on /healthz and a
// readiness probe on /readyz, resource requests and limits (see above), and a
// restricted security context: non-root (uid 65532, distroless's
// nonroot), read-only root file system, no privilege escalation, no
// capabilities, the runtime's default seccomp profile; /tmp is a small
// emptyDir. The Namespace, when there is one, enforces the restricted Pod
// Security Standard. Service links are off (enableServiceLinks: false):
// Kubernetes would otherwise add variables such as
// MICROFN_ROUTE_SERVICE_HOST for a Service named microfn-route, which
// serve would read as a route.
package kubernetes
