// Package supervisor runs service code in worker processes, away from the
// process that owns the socket, the routes and the policies.
//
// A [Group] is one loaded version of a package (or of several packages
// sharing one worker). It starts a worker process from the same
// executable (see [IsWorker]) with a minimal environment (see
// [Config.Env]), sends it a [Spec] on its standard input, and waits for
// its [Ready] message on the worker's channel (see [Channel]): the worker
// has loaded the code. [Group.Do] sends one attempt of a call to the
// worker over a connection its broker hands it (see [Broker]).
//
// Every descriptor a worker inherits is a socket, never a pipe, so that
// service code cannot open one again through /proc/self/fd: its standard
// input (the Spec, then nothing: the worker ends when it closes), output
// and error (service output, logged as text, labelled and escaped), its
// channel to the supervisor ([ChannelFD]: its Ready message and its own
// log records, signed with a key of its Spec, so that nothing service code
// writes passes for them) and its connection broker ([BrokerFD]). The
// worker opens no socket itself: the connections its server sends calls
// on, and those it makes to its server and to the routes' servers, are
// made by the supervisor and passed over the broker, so the operating
// system can refuse the worker every socket.
//
// Go ends a process on a fatal runtime error (a stack overflow, a
// concurrent map write, running out of memory) and no recover can catch
// it. A Group turns the death of its worker into an answer: the attempts
// in flight get a [*CrashError] naming the first line of the fatal error
// (the Go runtime's final report on standard error, never what service
// code printed before it), the report goes to the log, and a fresh worker
// is started on the same sources, with a backoff when the package keeps
// crashing (as an Erlang supervisor's restart intensity). A worker running an attempt
// long past its deadline is replaced: a fresh worker takes the new calls,
// and the old one is killed once it runs nothing but overdue attempts.
//
// A worker ends when its standard input closes (the supervisor closed it,
// or died) and, on Linux, when its parent dies (a parent-death signal), so
// no worker outlives its supervisor.
package supervisor
