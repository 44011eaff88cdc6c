// Package server serves the services of a folder of Go packages over HTTP.
//
// [New] loads every package below a directory with package interp and
// builds a generation: the route table of every service with its policy
// ([Open] does the same while the server already answers). With worker
// processes, the server parses the packages for their routes only: they
// are type-checked and rewritten in prepare processes and run in worker
// processes (package supervisor), under limits and a sandbox.
// Fiber has one catch-all route that looks up the current generation
// per request, so reloads swap the table atomically and never touch
// Fiber's router.
//
// A request to /Route is bound to the service's parameters, run under the
// service's policy (concurrency limit, per-attempt timeout, retries for
// calls that did not come from a proxy) and answered with the JSON of the
// results, or with an RFC 9457 problem. Calls between services, made by
// the proxies interp generates, go over HTTP to the server that serves the
// callee, or stay in process in monolith mode; either way they carry the
// call chain (trace id, depth, deadline) so that depth limits and
// reentrant concurrency limits hold across the chain.
//
// # How the code is organised
//
// A [Server] owns the lifecycle (New, Open, Serve, Close), the HTTP side
// (Fiber, the handlers of every route, nested calls) and the processes
// that run service code. What it serves is its packages (packages.go):
// the state of every package directory, the version of it that serves,
// and the generation published from those versions.
//
// A request flows through these types: Server.handle looks its path up in
// packages.generation(), a generation, whose routes map to endpoints; an
// endpoint is one service of one version of a package (version.go), with
// its policy and limiter. The handler acquires the version, so that a
// reload cannot close it under the call, and runs the call's attempts
// (forward.go): each waits for a slot of the endpoint's limiter, is
// recorded for the nested calls it makes (nested.go) and is sent to the
// version's code: to its worker group (a supervisor.Group), its own or
// the shared worker's, or to the host that runs it in this process.
//
// A reload flows through packages (reload.go). The watcher, SIGHUP,
// [Server.Reload] and [Server.ReloadAll] name package directories;
// reloadGroup takes the locks of a group of packages (a package and the
// ones that import it change together) and reads each one (readPackage:
// its files, their hash, their parse); unchanged packages stop there, a
// change the watcher saw that drops services is held back for a while in
// case a file is half written, and a removed directory retires its
// version. The server
// then does what needs processes, through the codeRunner interface:
// prepareAll checks and rewrites the changed packages together in a
// prepare process (prepare.go), buildTogether compiles them when the tier
// is compiled (tier.go), and for each package, after its migrations,
// packages.load builds a version with its endpoints (newVersion) and
// Server.start starts its code (load.go): in this process, in a worker
// process of its own, or in the shared worker (shared.go). Last,
// installAll makes each new version its package's current one, or
// records its error while the old version keeps serving, and
// unsyncedPublish stores the new generation, which requests see at once;
// a replaced version closes when its last call ends.
//
// Every worker process starts from one spec (workerspec.go): workerSpec
// builds what it runs, under which limits and sandbox (sandbox.go), and
// how it is supervised, whatever the isolation mode or tier, and a
// prepare process's spec derives from it (forPrepare). With
// --tier=auto, compileLater queues each interpreted version for the
// compiled tier, whose worker packages.installCompiled swaps in.
package server
