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
package server
