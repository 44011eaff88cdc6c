package worker

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/internal/callinfo"
	"github.com/microfn/microfn/policy"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/svcrt"
	"github.com/microfn/microfn/wire"
)

// A Host runs the services of loaded packages for a server: it answers
// the attempts the server sends ([Host.ServeCall]) and carries the nested
// calls their code makes through their proxies ([Host.CallFunc]) to the
// server, which applies the callee's policy, or, with --monolith, runs
// them itself. A worker process has one; a server that runs service code
// in its own process (--isolate=none) has one per package version, and
// calls it in process.
//
// Add every package before the first call. A Host is then safe for
// concurrent use.
type Host struct {
	cfg      HostConfig
	upstream atomic.Pointer[protocol.Caller]
	// routes are the services this host runs, by route.
	routes map[string]*endpoint
	// callees are the endpoints proxies call, by service: the packages'
	// own and those of the packages they import.
	callees map[*svcrt.Service]*endpoint
	// tally counts the nested calls run in process, for Stats.
	tally localTally
	// running are the attempts the server sent that are running, by id,
	// with HostConfig.Direct: an attempt of a nested call finds its
	// caller here (protocol.Call.Parent). (A map under a mutex: a
	// sync.Map allocates at every Store, and every call stores.)
	runningMu sync.Mutex
	running   map[uint64]*attemptContext
	// draining is set once the server replaces the host's worker
	// (protocol.MethodDrain), when drainCtx ends: the attempts that
	// wait for a slot are then sent to the next worker (HostConfig.Admit;
	// see admit.go).
	draining atomic.Bool
	drainCtx context.Context
	drained  context.CancelFunc
	// peers are the connections to the workers of other packages (see
	// peer.go).
	peers peers
}

// HostConfig configures a [Host].
type HostConfig struct {
	// Settings are how the code runs.
	Settings protocol.Settings
	// Upstream carries nested calls to the server; see also
	// [Host.SetUpstream].
	Upstream protocol.Caller
	// Logger receives the lines of nested calls made in process
	// (--monolith). Default slog.Default().
	Logger *slog.Logger
	// Limiter, if set, gives the concurrency limiter of a service of the
	// host for the calls it runs in process (--monolith), so that they
	// share it with the server's calls; by default the host has its own.
	Limiter func(route string) *policy.Limiter
	// Go runs an attempt that must be waited for with a timeout; default
	// a new goroutine.
	Go func(func())
	// Observe, if set, is told of every nested call run in process
	// (--monolith): the route of the caller and of the callee, the
	// status, the time it took. Without it, the host counts them for
	// its Stats (protocol.MethodStats), which the server reads.
	Observe func(caller, callee string, status int, d time.Duration)
	// Direct runs in process the nested calls that need no slot of the
	// server (see direct.go), and tells the server of them: for a
	// worker process. It has no effect with --monolith.
	Direct bool
	// Record, if set, takes the records of the calls run on the direct
	// path on behalf of the attempt the server sent (its id), in place
	// of a protocol.MethodCalls call upstream: for a host the server
	// runs in its own process, which hands the records over as they are.
	Record func(attempt uint64, recs []DirectCall) error
	// Admit makes the host admit the attempts the server sends with
	// protocol.Call.Admit under the concurrency limits of their routes,
	// which it keeps, in place of the server (see admit.go): for a
	// worker process.
	Admit bool
	// Package and PeerKey, for the worker of one package, are that
	// package's directory and the key of its capabilities and records:
	// with them, the host calls the services of other packages straight
	// on the connections the server hands it, and serves theirs (see
	// peer.go and ServePeers).
	Package string
	PeerKey []byte
}

// An endpoint is one service a host runs or calls.
type endpoint struct {
	route   string
	svc     *svcrt.Service
	policy  policy.Policy
	limiter *policy.Limiter // for calls run in process
	// own marks a service of a package of this host: with --monolith, a
	// proxy of the same package runs it in process.
	own bool
	// peerPkg is the directory of the package of a service of another
	// package (its worker may be called straight).
	peerPkg string
	pkg     *svcrt.Package // the package whose proxies call it
	// errs map the errors the service returns to statuses (errors=).
	errs []errorStatus
}

// An errorStatus is one errors= mapping of a service, with the value of
// its variable.
type errorStatus struct {
	err    error
	status int
}

// NewHost returns a host with no package.
func NewHost(cfg HostConfig) *Host {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Go == nil {
		cfg.Go = func(f func()) { go f() }
	}
	h := &Host{cfg: cfg, routes: map[string]*endpoint{}, callees: map[*svcrt.Service]*endpoint{}}
	h.drainCtx, h.drained = context.WithCancel(context.Background())
	if cfg.Upstream != nil {
		h.SetUpstream(cfg.Upstream)
	}
	return h
}

// SetUpstream sets where nested calls go, for a host made before its
// connection.
func (h *Host) SetUpstream(c protocol.Caller) { h.upstream.Store(&c) }

// Add adds the services of pkg, the package in the directory rel of the
// served folder ("." for the folder itself).
func (h *Host) Add(rel string, pkg *svcrt.Package) error {
	var list funcs.ErrorList
	for _, svc := range pkg.Services {
		p, err := PolicyOf(h.cfg.Settings.Defaults, svc.Desc)
		if err != nil {
			list = append(list, err.(funcs.ErrorList)...)
			continue
		}
		e := &endpoint{route: RoutePrefix(rel) + svc.Desc.Route, svc: svc, policy: p, own: true, pkg: pkg}
		for _, m := range svc.Desc.Errors {
			name := pkg.QualifiedName(m.Var)
			if m.Path != "" {
				name = m.Path + "." + m.Var
			}
			v, ok := pkg.ErrorVar(name)
			if !ok {
				list = append(list, &funcs.SourceError{Pos: m.Pos, Msg: fmt.Sprintf("service %s: errors: %s cannot be matched here (a package compiled into the executable?)", svc.Desc.Name, m.Name)})
				continue
			}
			e.errs = append(e.errs, errorStatus{err: v, status: m.Status})
		}
		if h.cfg.Limiter != nil {
			e.limiter = h.cfg.Limiter(e.route)
		}
		if e.limiter == nil {
			e.limiter = policy.NewLimiter(p.Scale, p.Queue)
		}
		h.routes[e.route] = e
		h.callees[svc] = e
	}
	for _, svc := range pkg.Imported {
		depRel, ok := RelOfImport(svc.ImportedFrom, pkg.ImportPath(), rel)
		if !ok {
			list = append(list, &funcs.SourceError{Pos: svc.Desc.Pos, Msg: fmt.Sprintf("service %s of %s is outside the served folder: serve the module's root to call it", svc.Desc.Name, svc.ImportedFrom)})
			continue
		}
		p, err := PolicyOf(h.cfg.Settings.Defaults, svc.Desc)
		if err != nil {
			list = append(list, err.(funcs.ErrorList)...)
			continue
		}
		h.callees[svc] = &endpoint{route: RoutePrefix(depRel) + svc.Desc.Route, svc: svc, policy: p, pkg: pkg, peerPkg: depRel}
	}
	if len(list) > 0 {
		return list
	}
	return nil
}

// Routes returns the routes of the services the host runs.
func (h *Host) Routes() []string {
	out := make([]string, 0, len(h.routes))
	for r := range h.routes {
		out = append(out, r)
	}
	return out
}

// ServeCall runs one attempt of a call of one of the host's services: it
// binds the arguments, runs the implementation under the attempt's
// deadline and answers with the results' JSON or a problem.
// With HostConfig.Admit, an attempt sent with protocol.Call.Admit first
// gets a slot of the service's concurrency limit (see admit.go). It also
// answers the control calls protocol.MethodStats and MethodDrain.
func (h *Host) ServeCall(ctx context.Context, req *protocol.Request, w protocol.ReplyWriter) {
	switch req.Method {
	case protocol.MethodStats:
		_ = w.Reply(&protocol.Reply{Status: http.StatusOK, ContentType: "application/json"}, h.readStats())
		return
	case protocol.MethodDrain:
		h.drain()
		_ = w.Reply(&protocol.Reply{Status: http.StatusNoContent}, nil)
		return
	}
	e := h.routes[req.Route]
	if e == nil {
		replyError(w, microfn.Error(http.StatusNotFound, "no service at %s in this worker", req.Route), req.Route)
		return
	}
	if req.Admit && h.cfg.Admit {
		h.serveAdmitted(ctx, req, w, e)
		return
	}
	h.serve(ctx, req, w, e)
}

// serve runs req, an attempt of e: it binds the arguments, runs the
// implementation and answers.
func (h *Host) serve(ctx context.Context, req *protocol.Request, w protocol.ReplyWriter, e *endpoint) {
	args, err := bind(e.svc.Func, req)
	if err != nil {
		replyError(w, err, e.route)
		return
	}
	actx := newAttemptContext(ctx, req.Attempt, req.Chain, e.route, req.Chain.Deadline)
	actx.caller, actx.claims, actx.caps = req.Caller, req.Claims, req.Caps
	if e.svc.Desc.Context {
		actx.info = callInfoOf(req, e.route)
	}
	if e.svc.Func.Streams() {
		h.serveStream(ctx, req, w, e, args, actx)
		return
	}
	if h.cfg.Direct && !h.cfg.Settings.Monolith {
		if req.Attempt == 0 {
			// A call from another worker (see peer.go).
			actx.root, actx.peer = actx, peerLogOf(ctx)
		} else {
			h.startRoot(actx, req.Parent)
			defer h.stopRoot(actx)
		}
	}
	out, err := e.svc.Invoke(actx, args)
	actx.end()
	if actx.root != nil {
		h.flushCalls(actx)
	}
	header, status := answerOf(actx.info)
	if err != nil {
		replyErrorWith(w, e.mapError(err), e.route, header)
		return
	}
	if e.svc.Func.Raw() && !req.Proxied {
		// A file: sent as it is (a proxy reads the JSON of the result).
		replyRaw(w, e.svc.Func, out, status, header)
		return
	}
	body, err := e.svc.Func.AppendResults(make([]byte, 0, 64), out)
	if err != nil {
		replyError(w, microfn.Error(http.StatusInternalServerError, "%s returned a value that cannot be encoded as JSON: %v", e.svc.Desc.Name, err), e.route)
		return
	}
	if max := h.cfg.Settings.MaxResponse; max > 0 && int64(len(body)) >= max {
		replyError(w, microfn.Permanent(microfn.Error(http.StatusInternalServerError,
			"%s returned an answer of %d bytes, over the limit of %d bytes (--max-response-size)", e.svc.Desc.Name, len(body)+1, max)), e.route)
		return
	}
	// The body is this call's own: an answer in memory keeps it.
	_ = w.Reply(&protocol.Reply{Status: status, ContentType: "application/json", Header: header}, append(body, '\n'))
}

// startRoot makes a, an attempt the server sent, the root of the calls
// run here on its behalf, below its caller parent if this process runs
// it.
func (h *Host) startRoot(a *attemptContext, parent uint64) {
	a.root = a
	h.runningMu.Lock()
	defer h.runningMu.Unlock()
	if parent != 0 {
		a.up = h.running[parent]
	}
	if h.running == nil {
		h.running = map[uint64]*attemptContext{}
	}
	h.running[a.id] = a
}

// stopRoot forgets a, an attempt startRoot made a root: it has ended.
func (h *Host) stopRoot(a *attemptContext) {
	h.runningMu.Lock()
	delete(h.running, a.id)
	h.runningMu.Unlock()
}

// callInfoOf returns the request req as service code reads it (see
// microfn.RequestOf).
func callInfoOf(req *protocol.Request, route string) *callinfo.Info {
	r := microfn.Request{
		Method:     req.Method,
		Route:      route,
		Header:     http.Header{},
		RemoteAddr: req.RemoteAddr,
		Caller:     req.Caller,
		Trace:      hex.EncodeToString(req.Chain.Trace[:]),
		Depth:      req.Chain.Depth,
		Claims:     claimsOf(req.Claims),
	}
	for _, f := range req.Header {
		r.Header.Add(f.Name, string(f.Value))
	}
	if req.Method != http.MethodPost {
		r.Query, _ = url.ParseQuery(string(req.Query))
	}
	return &callinfo.Info{Request: &r}
}

// claimsOf decodes the claims of a JSON Web Token, as the server
// checked them; nil for none.
func claimsOf(raw []byte) map[string]any {
	if len(raw) == 0 {
		return nil
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// answerOf returns the headers and the status of a successful answer as
// the code set them (see microfn.SetHeader): headers microfn sets itself
// are left out.
func answerOf(info *callinfo.Info) ([]protocol.Field, int) {
	if info == nil {
		return nil, http.StatusOK
	}
	h, status := info.Answer()
	if status == 0 {
		status = http.StatusOK
	}
	var fields []protocol.Field
	for name, values := range h {
		if reservedHeader(name) {
			continue
		}
		for _, v := range values {
			fields = append(fields, protocol.Field{Name: name, Value: []byte(v)})
		}
	}
	return fields, status
}

// reservedHeader reports whether a header of an answer is microfn's to
// set, or the connection's.
func reservedHeader(name string) bool {
	return strings.EqualFold(name, "Content-Type") || strings.EqualFold(name, "Date") || strings.EqualFold(name, "Server") || protocol.ReservedHeader(name)
}

// mapError gives an error the service returned the status its errors=
// option maps it to, if it matches one of its variables (errors.Is).
func (e *endpoint) mapError(err error) error {
	var re *svcrt.ReturnedError
	if len(e.errs) == 0 || !errors.As(err, &re) {
		return err
	}
	for _, m := range e.errs {
		if errors.Is(re.Err, m.err) {
			return &MappedError{Err: err, Status: m.status}
		}
	}
	return err
}

// A MappedError is an error a service returned that its errors= option
// maps to a status: the answer has that status, and a 4xx is never
// retried.
type MappedError struct {
	Err    error
	Status int
}

func (m *MappedError) Error() string { return m.Err.Error() }

// Unwrap returns the error.
func (m *MappedError) Unwrap() error { return m.Err }

// StatusCode is the mapped status.
func (m *MappedError) StatusCode() int { return m.Status }

// MappedStatus is the mapped status, which the caller's proxy gives the
// error it makes of the answer.
func (m *MappedError) MappedStatus() int { return m.Status }

// Permanent reports a 4xx: another attempt cannot help.
func (m *MappedError) Permanent() bool { return m.Status < 500 }

// replyError answers with the problem for err. It marks a failure that
// another attempt cannot help, so that the server does not retry it.
func replyError(w protocol.ReplyWriter, err error, route string) {
	replyErrorWith(w, err, route, nil)
}

// replyErrorWith is replyError with headers the code set.
func replyErrorWith(w protocol.ReplyWriter, err error, route string, header []protocol.Field) {
	p := protocol.ProblemOf(err, route)
	_ = w.Reply(&protocol.Reply{
		Status:      p.Status,
		Permanent:   !policy.Retryable(err),
		RetryAfter:  protocol.RetryAfterOf(err),
		ContentType: protocol.ProblemContentType,
		Header:      header,
	}, p.Body())
}

// bind reads a call's arguments: query parameters for GET, a JSON object
// (or a form) for POST.
func bind(f *wire.Func, req *protocol.Request) ([]reflect.Value, error) {
	if req.Method != http.MethodPost {
		return f.BindURLQuery(req.Query)
	}
	body := req.Body
	if strings.HasPrefix(req.ContentType, "application/x-www-form-urlencoded") && !bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) {
		return f.BindURLQuery(body)
	}
	if mt, params, err := mime.ParseMediaType(req.ContentType); err == nil && mt == "multipart/form-data" {
		if params["boundary"] == "" {
			return nil, microfn.Error(http.StatusBadRequest, "a multipart/form-data body needs the boundary parameter of its Content-Type")
		}
		return f.BindMultipart(body, params["boundary"])
	}
	if len(req.Query) > 0 {
		return nil, microfn.Error(http.StatusBadRequest, "a POST takes its parameters from the JSON body only; drop the query string or use GET")
	}
	return f.BindJSON(body)
}

// PolicyOf returns the policy a service's annotation sets over defaults.
// Its errors are a funcs.ErrorList at the options' positions.
func PolicyOf(defaults policy.Policy, desc *funcs.Descriptor) (policy.Policy, error) {
	var list funcs.ErrorList
	p := defaults
	for _, o := range desc.Options {
		if err := p.Set(o.Key, o.Value); err != nil {
			list = append(list, &funcs.SourceError{Pos: o.Pos, Msg: err.Error()})
		}
	}
	if err := p.Validate(); err != nil {
		list = append(list, &funcs.SourceError{Pos: desc.Pos, Msg: "policy: " + err.Error()})
	}
	if len(list) > 0 {
		return p, list
	}
	return p, nil
}

// RoutePrefix is the route prefix of the package in the directory rel of
// the served folder.
func RoutePrefix(rel string) string {
	if rel == "." || rel == "" {
		return "/"
	}
	return "/" + strings.Trim(rel, "/") + "/"
}

// RelOfImport returns the directory, relative to the served folder, of
// the package with the import path dep, given that of a package in rel:
// own. ok is false if dep is not below the served folder.
func RelOfImport(dep, own, rel string) (string, bool) {
	root := own
	if rel != "." && rel != "" {
		var ok bool
		if root, ok = strings.CutSuffix(own, "/"+rel); !ok {
			return "", false
		}
	}
	if dep == root {
		return ".", true
	}
	r, ok := strings.CutPrefix(dep, root+"/")
	return r, ok
}
