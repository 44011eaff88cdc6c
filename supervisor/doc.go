// Package supervisor runs service code in worker processes, away from the
// process that owns the socket, the routes and the policies.
//
// A [Group] is one loaded version of a package (or of several packages
// sharing one worker). It starts a worker process from the same
// executable (see protocol.IsWorker), or a compiled worker executable,
// with a minimal environment (see [RuntimeEnv]: the variables service code
// is given, its private TMPDIR, nothing secret), sends it a
// protocol.Spec on its standard input, and waits for its protocol.Ready
// message on the worker's channel: the worker has loaded the code.
// [Group.Do] sends one attempt of a call to the worker over its
// connection, one end of a socket pair the worker gets as a file
// descriptor; the worker sends its nested calls back over the same
// connection (see package protocol).
//
// Every descriptor a worker inherits is a socket, never a pipe, so that
// service code cannot open one again through /proc/self/fd: its standard
// input (the Spec, then nothing: the worker ends when it closes), output
// and error (service output, logged as text, labelled with the package,
// the worker's pid and the stream, and escaped), its channel
// (protocol.ChannelFD: its Ready message and its own log records, signed
// with the LogKey of its Spec, a key made for each process, so that
// nothing service code writes passes for them) and its connection
// (protocol.ConnFD). The worker opens no socket itself, so the operating
// system can refuse it every one (see package worker).
//
// Go ends a process on a fatal runtime error (a stack overflow, a
// concurrent map write, running out of memory) and no recover can catch
// it. A Group turns the death of its worker into an answer: the attempts
// in flight get a [*CrashError] naming the first line of the fatal error
// (the Go runtime's final report on standard error, read only when the
// process ended as the runtime ends one, never what service code printed
// before it), the report goes to the log, and a fresh worker is started
// on the same sources, with a backoff when the package keeps crashing (as
// an Erlang supervisor's restart intensity). A worker running an attempt
// long past its deadline is replaced: a fresh worker takes the new calls,
// and the old one is killed once it runs nothing but overdue attempts. A
// worker whose temporary files take more than their quota
// (protocol.Limits.MaxTempSize) is killed, which is a crash.
//
// [Prepare] runs a short-lived prepare process the same way, with a
// Spec whose Prepare field is set: it type-checks and rewrites packages
// for the interpreter, runs none of their code, sends the outcome as its
// Ready message and exits; the worker's limits and sandbox bound it, and
// a deadline on the clock and on processor time ends it.
//
// A worker ends when its standard input closes (the supervisor closed it,
// or died) and, on Linux, when its parent dies (a parent-death signal), so
// no worker outlives its supervisor.
package supervisor
