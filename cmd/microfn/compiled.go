package main

import (
	"log/slog"

	yaegi "github.com/traefik/yaegi/interp"

	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
	"github.com/microfn/microfn/worker"
)

// compiledIn are the symbol tables of the Go packages compiled into this
// executable by microfn build --with. The build adds a file to this
// package whose init appends to it; the plain microfn has none, and
// nothing changes it after init.
var compiledIn []yaegi.Exports

// executableOptions are the server options of the executable itself,
// which every server and worker it runs gets.
func executableOptions() []server.Option {
	var opts []server.Option
	if len(compiledIn) > 0 {
		opts = append(opts, server.WithCompiled(compiledIn...))
	}
	if prebuilt != nil {
		opts = append(opts, server.WithPrebuilt(prebuilt))
	}
	return opts
}

// workerCode is how this executable runs service code as a worker: it
// interprets it, with the packages compiled in at hand, and prepares it
// as a prepare process; an application runs its compiled code.
func workerCode() worker.Code {
	if prebuilt != nil {
		return worker.Code{Load: prebuilt.Load}
	}
	return worker.Code{
		Load: interp.WorkerLoader(compiledIn...),
		Prepare: func(spec *protocol.Spec, logger *slog.Logger) (protocol.Ready, error) {
			return server.Prepare(spec, logger, executableOptions()...)
		},
		Warm: func(spec *protocol.Spec) worker.PrepareFunc {
			return server.Warm(spec, executableOptions()...)
		},
	}
}
