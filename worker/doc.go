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
// The worker reads its protocol.Spec from standard input, sets its
// resource limits, confines itself, loads its packages with load, writes
// its protocol.Ready line on file descriptor 3 and serves calls on its
// connection (file descriptor 4). It exits when its standard input closes:
// when the server closes it, or dies.
//
// Package worker never imports the interpreter: a worker executable with
// compiled service code links it without yaegi.
package worker
