// Package worker runs service code for a server: a [Host] answers the
// attempts of calls of the services of loaded packages and carries the
// nested calls their code makes, and [Main] is the main of a worker
// process, the other side of package supervisor.
//
// A program that serves with worker processes starts them from its own
// executable, so its main must begin with:
//
//	if protocol.IsWorker() {
//		os.Exit(worker.Main(code))
//	}
//
// The worker reads its protocol.Spec from standard input, opens its
// channel (file descriptor 3: its Ready message and its own log records,
// each signed with the Spec's LogKey, see protocol.Channel), leaves in its
// environment only what service code is given (the Spec's Settings.Env,
// and TMPDIR naming its private temporary folder), sets its resource
// limits, confines itself (Landlock and a seccomp filter on Linux: no
// socket but, with --allow net, TCP and UDP ones; /proc and the server's
// secret files out of reach), loads its packages with load, sends its
// protocol.Ready message and serves calls on its connection (file
// descriptor 4, a socket pair: its one connection to its server),
// returning its spare memory to the operating system once ready and
// whenever it goes quiet after calls (see memory.go). It exits when its standard input closes: when the server closes it, or
// dies. A compiled worker executable runs the same Main, so compiled code
// is confined the same way and reads the same environment.
//
// Package worker never imports the interpreter: a worker executable with
// compiled service code links it without yaegi.
package worker
