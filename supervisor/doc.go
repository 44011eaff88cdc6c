// Package supervisor runs service code in worker processes, away from the
// process that owns the socket, the routes and the policies.
//
// A [Group] is one loaded version of a package (or of several packages
// sharing one worker). It starts a worker process from the same
// executable (see [IsWorker]), sends it a [Spec] on its standard input,
// and waits for its [Ready] line on a pipe of its own (the worker's file
// descriptor 3; what it prints goes to the log): the worker has
// loaded the code and listens on a Unix socket. [Group.Do] sends one
// attempt of a call to the worker over that socket.
//
// Go ends a process on a fatal runtime error (a stack overflow, a
// concurrent map write, running out of memory) and no recover can catch
// it. A Group turns the death of its worker into an answer: the attempts
// in flight get a [*CrashError] naming the first line of the fatal error,
// the whole standard error goes to the log, and a fresh worker is started
// on the same sources, with a backoff when the package keeps crashing (as
// an Erlang supervisor's restart intensity). A worker running an attempt
// long past its deadline is replaced: a fresh worker takes the new calls,
// and the old one is killed once it runs nothing but overdue attempts.
//
// [Prepare] runs a short-lived prepare process the same way, with a
// [Spec] whose Prepare field is set: it type-checks and rewrites packages
// for the interpreter, runs none of their code, writes the outcome on its
// file descriptor 3 and exits; the worker's limits and sandbox bound it,
// and a deadline on the clock and on processor time ends it.
//
// A worker ends when its standard input closes (the supervisor closed it,
// or died) and, on Linux, when its parent dies (a parent-death signal), so
// no worker outlives its supervisor.
package supervisor
