// Package protocol is the protocol between a microfn server and its worker
// processes: how a worker starts (its Spec in, its Ready out), and how
// calls cross between them once it runs.
//
// # Start
//
// The server starts a worker from its own executable (or a compiled
// worker executable) with a minimal environment: the variables service
// code is given ([Settings].Env), TMPDIR naming the worker's private
// temporary folder, [EnvWorker] and the Go runtime's settings, nothing
// secret; the worker leaves only the first two before any service code
// runs. It gets five file descriptors (see [ChannelFD]), each one end of
// a Unix socket pair, never a pipe, which /proc/self/fd/N could open
// again:
//
//	fd 0  standard input: the Spec, one JSON line, then nothing; it
//	      closes when the server is done with the worker, or dies, and
//	      the worker then exits
//	fd 1  standard output \ service output: logged as text, labelled
//	fd 2  standard error  / with package, pid and stream, never parsed
//	      as a record; the Go runtime's report of a fatal error, which
//	      the crash reason is taken from, ends standard error
//	fd 3  the channel (SOCK_SEQPACKET): the Ready message, in signed
//	      parts, then the worker's own log records, each signed with the
//	      Spec's LogKey, a key made for this process (see [Channel]); a
//	      message without the signature is logged as service output
//	fd 4  the connection: a stream socket, the protocol below
//
// The worker creates no socket and names no path to reach its server: fd 4
// is its one connection to it. A prepare process (a Spec with Prepare
// set) gets fds 0 to 3 only: it sends its outcome as its Ready message and
// exits.
//
// # Calls
//
// Over the connection, each end calls the other ([Conn.Call]): the server
// sends each attempt of a call to the worker that runs the service, and a
// worker sends the nested calls its service code makes (through a proxy)
// to the server, which applies the callee's policy and sends the call on.
// A call is a stream of frames with an id its caller picked (odd from the
// server, even from the worker): a call frame with its head ([Call]: the
// route, method, query, content type, chain and the attempt it belongs
// to) and the start of its body, then data frames until one marked as the
// end; the answer is a reply frame with its head ([Reply]: status,
// headers) and the start of its body, then data frames. Calls run
// concurrently and are answered in any order. A caller that gives up
// sends a cancel frame; the callee's handler sees its context end.
//
// A reply's body is flow-controlled: the callee sends at most a window of
// bytes (256 KiB by default) beyond what the caller has read, and the
// caller grants more with window frames as it reads. A slow client slows
// down the service that writes to it, and neither process buffers more
// than a window per call.
//
// # Attempts
//
// The server is the only authority on a call chain. Every attempt it sends
// to a worker carries an attempt id it made up for it; a nested call from
// a worker names the attempt it is made by, and the server takes the
// chain, the depth, the deadline and the caller from its own record of
// that attempt, which ends when the attempt does. A worker holds no key:
// whatever it does, it can only make calls on behalf of the attempts it is
// serving, no deeper than they are and no later than their deadlines.
//
// # Errors
//
// An error answer's body is a problem document ([Problem], [ProblemOf]);
// an error a service returned keeps its status, its identity (the error
// variables it matches) and the service's other results in its returned
// member ([Returned]), which a calling proxy reads back
// ([DecodeProblem]). A [Reply] says whether another attempt can help
// (Permanent) and how long to wait before one (RetryAfter).
//
// # Headers
//
// The connection carries no HTTP header of microfn's own: a call's chain
// is its [Chain], its flags are fields of [Call] and [Reply]. The headers
// a server reads and writes at its HTTP edge — the chain of a nested call
// one server forwards to another, signed, and what an answer says of the
// call — are defined here too, with who sets each and who reads it (see
// [HeaderPrefix]).
//
// # Frames
//
// Every frame is a 16-byte header (the payload's length, the frame's type
// and flags, the stream id) and a payload; heads are encoded with
// varints and length-prefixed strings. Each end first sends a hello frame
// with the protocol version. Anything that is not the protocol ends the
// connection ([ViolationError]), which the server treats as the worker's
// crash: its supervisor kills it.
//
// The frames carry no signature: service code that finds the worker's end
// of the connection (a descriptor, with --allow os) can write on it, but
// say nothing its worker could not — calls on behalf of the attempts the
// worker serves, answers to them —, and what is not the protocol ends the
// worker. Its log records are the ones that need a signature (fd 3): they
// are read as the worker's own, and service code's output never is.
package protocol
