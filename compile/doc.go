// Package compile builds the compiled tier: for a package version the
// interpreter serves, a worker executable with the same code compiled by
// the Go toolchain, which a server swaps in once it is ready.
//
// A build compiles the code the interpreter runs, rewritten for the
// compiler instead (interp.Prepared.Compiled: proxies for the services
// and go statements that carry the call chain, none of the interpreter's
// workarounds), with a generated main that hands the compiled services to
// worker.Main. In a module, the module is the build's main module: the
// rewritten files replace the user's through an overlay (go build
// -overlay), and a copy of go.mod (go build -modfile) adds microfn, so
// compile errors name the user's own files and lines and nothing is
// written into the folder. Outside a module, the files are written to a
// module of their own in the build's directory. Builds never reach the
// network: modules come from the module cache, as the loader reads them.
// The go command's build cache makes a rebuild after an edit
// incremental, and executables are kept by the hash of what they were
// built from, so a version seen before is not built again. A worker whose
// code declares no database (microfn.Database, microfn.KV) is built
// with the tag NoDatabaseTag, without the database drivers.
//
// The executables live in a [Cache] with a size budget: at start and
// after each build, those used least recently go until the rest fit,
// except those in use. A user of an executable (a server's worker group,
// for as long as it may start a worker from it) holds a [Lease] on it, a
// shared flock on a lock file beside it; eviction takes the lock
// exclusively without waiting and skips what it cannot take, so that
// every process sharing the cache is safe. Build folders left by killed
// builds are removed once no build holds them.
package compile
