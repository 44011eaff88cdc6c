package server

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/state/dbconf"
	"github.com/microfn/microfn/supervisor"
)

// A workerSpec is what a worker group is started with: what its workers
// run, under which limits and sandbox (run), and how the server
// supervises them (supervise). The group keeps it, so that the workers it
// starts again, after a crash or once scaled to zero, run the same.
type workerSpec struct {
	run       protocol.Spec
	supervise supervisor.Config
}

// workerSpec returns the spec of a worker group labelled label that runs
// pkgs, whose crashes count against each of them; pkg, if set, is the one
// package it runs, which labels what its workers log. Every worker the
// server starts has its spec from here, whatever the isolation mode or
// the tier: a package's own worker (startWorker), the shared worker
// (launchSharedWith), a compiled worker (startCompiled), the code of a
// built application (startHere) and a prepare process (forPrepare).
func (s *Server) workerSpec(label, pkg string, pkgs ...protocol.PackageSpec) workerSpec {
	rels := make([]string, len(pkgs))
	for i, p := range pkgs {
		rels[i] = p.Rel
	}
	var key []byte
	if s.peers != nil && pkg != "" && len(pkgs) == 1 {
		key = s.peers.key(pkgs[0].Rel)
	}
	settings := s.workerSettings()
	settings.Procs = s.cfg.workerProcs
	return workerSpec{
		run: protocol.Spec{
			PeerKey:  key,
			Root:     s.root,
			Packages: pkgs,
			Limits:   s.cfg.workerLimits,
			Sandbox:  s.workerSandbox(),
			Settings: settings,
			State:    s.state.cfg,
		},
		supervise: supervisor.Config{
			Command:     s.cfg.workerCommand,
			Dir:         s.runDir,
			Label:       label,
			Package:     pkg,
			LoadTimeout: s.cfg.loadTimeout,
			Grace:       s.cfg.runawayGrace,
			MaxMemory:   s.cfg.workerLimits.MaxMemory,
			Logger:      s.cfg.logger,
			OnCrash: func(c supervisor.Crash) {
				for _, r := range rels {
					s.crashes.add(r, c)
				}
			},
			Handler:     func(g *supervisor.Group) protocol.Handler { return s.nestedHandler(g) },
			MaxBody:     s.cfg.bodyLimit,
			IdleAfter:   s.cfg.scaleToZero,
			TempWatcher: s.tempWatcher(),
			Spares:      s.spares,
		},
	}
}

// forPrepare returns the spec and the configuration of a prepare process
// made from w: it checks and prepares what prep says, runs no service
// code, so it gets no environment and no database, connects nowhere and
// writes nothing (see prepareSandbox).
func (w workerSpec) forPrepare(prep *protocol.PrepareSpec) (protocol.Spec, supervisor.PrepareConfig) {
	spec := w.run
	spec.Sandbox = prepareSandbox(spec.Sandbox, prep.Exports)
	spec.Settings.Env = nil
	spec.PeerKey = nil
	spec.State = dbconf.Config{}
	spec.Prepare = prep
	cfg := supervisor.PrepareConfig{
		Command:   w.supervise.Command,
		Label:     w.supervise.Label,
		Timeout:   w.supervise.LoadTimeout,
		MaxMemory: w.supervise.MaxMemory,
		Logger:    w.supervise.Logger,
		Spares:    w.supervise.Spares,
	}
	return spec, cfg
}

// workerSettings are how this server's workers (and hosts) run code.
func (s *Server) workerSettings() protocol.Settings {
	return protocol.Settings{
		Monolith:     s.cfg.monolith,
		Unrestricted: s.cfg.unrestricted,
		Allow:        s.cfg.allow,
		Env:          s.cfg.env,
		MaxDepth:     s.cfg.maxDepth,
		BodyLimit:    s.cfg.bodyLimit,
		Defaults:     s.cfg.defaults,
		Quiet:        s.cfg.quiet,
		MaxResponse:  s.cfg.maxResponseSize,
	}
}

// packageSpec is the package in rel as a worker loads it: its files as
// read, its code as prepared and, when the worker runs compiled code
// (compiled), the import path that code was compiled as.
func packageSpec(rel string, files []funcs.SourceFile, prep *interp.Prepared, compiled bool) protocol.PackageSpec {
	ps := protocol.PackageSpec{Rel: rel, Files: files, Prepared: preparedJSON(prep)}
	if compiled {
		ps.CompiledPath = prep.CompiledPath
	}
	return ps
}

// sourceFiles returns the files of src as read.
func sourceFiles(src *funcs.Package) []funcs.SourceFile {
	var out []funcs.SourceFile
	for _, f := range src.Files {
		out = append(out, funcs.SourceFile{Name: f.Name, Src: f.Src})
	}
	return out
}

// preparedJSON encodes a prepared package for a worker's spec: without
// its version for the compiler, which a worker does not read.
func preparedJSON(prep *interp.Prepared) json.RawMessage {
	b, err := json.Marshal(prep.ForInterpreter())
	if err != nil {
		panic(fmt.Sprintf("encode a prepared package: %v", err)) // plain data: cannot fail
	}
	return b
}

// startGroup starts a worker group of w and returns it once its worker
// has loaded its packages, with what the worker said of them (the
// packages that failed to load are in ready.Failed; g is nil if none
// loaded). The load's warnings are logged, each once, and Close waits
// for the group to end.
func (s *Server) startGroup(ctx context.Context, w workerSpec) (g *supervisor.Group, ready protocol.Ready, err error) {
	g, ready, err = supervisor.Start(ctx, w.supervise, w.run)
	if err != nil {
		return nil, ready, err
	}
	for _, msg := range ready.Warnings {
		s.warnOnce(msg)
	}
	if g != nil {
		s.groups.Add(1)
		go func() {
			defer s.groups.Done()
			g.Wait()
		}()
	}
	return g, ready, nil
}

// startPackageGroup starts the worker group of w, which runs the package
// in rel alone, and returns it once the worker has loaded the package;
// what names the worker in the error of one that loaded nothing.
func (s *Server) startPackageGroup(ctx context.Context, w workerSpec, rel, what string) (*supervisor.Group, error) {
	g, ready, err := s.startGroup(ctx, w)
	if err != nil {
		return nil, err
	}
	if list, failed := ready.Failed[rel]; failed || g == nil {
		if g != nil {
			g.Close()
			g.Wait()
		}
		if !failed {
			return nil, fmt.Errorf("load %s: the %s loaded nothing", w.supervise.Label, what)
		}
		return nil, protocol.Err(list)
	}
	return g, nil
}

// startWorker starts the worker process of one version of the package in
// rel, with its files as read, and waits until it has loaded them.
func (s *Server) startWorker(ctx context.Context, rel, label string, files []funcs.SourceFile, prep *interp.Prepared) (*supervisor.Group, error) {
	ps := packageSpec(rel, files, prep, s.cfg.prebuilt != nil) // a built application's workers run its compiled code
	return s.startPackageGroup(ctx, s.workerSpec(label, label, ps), rel, "worker")
}
