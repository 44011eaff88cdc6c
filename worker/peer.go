package worker

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/svcrt"
)

// The peer path. With a worker per package, the server hands a pair of
// workers whose code calls each other a connection of their own (see
// protocol.PeerMessage), once it has carried a call between them: the
// caller sends the next calls of the callee's services there, and the
// server is off their path. Each call carries the capabilities the
// server gave the caller's chain (protocol.Capability); the callee checks
// the one of its package with its key (HostConfig.PeerKey), admits the
// call under the route's concurrency limit, runs it and answers with the
// records of the call, and of the calls run on its behalf, each signed by
// the worker that ran it. The caller adds them to the records of the
// attempt the server sent it (see direct.go), and the server checks each
// signature before it counts and logs the call, with via "peer".

// PeerRecordsField is the field of a peer call's answer that carries the
// records of the calls it ran (JSON): microfn's own, never service code's.
const PeerRecordsField = protocol.HeaderPrefix + "Peer-Records"

// peerMovedField marks the answer of a peer call that did not run, and
// goes through the server: its value is peerGone when the callee was
// replaced by a newer version (the connection is no longer used),
// peerServer when the server admits the route's calls (its version
// replaced one that still ran calls).
const peerMovedField = protocol.HeaderPrefix + "Peer-Moved"

// Values of peerMovedField.
const (
	peerGone   = "gone"
	peerServer = "server"
)

// recordDomain starts what a record's MAC signs.
const recordDomain = "microfn peer record 1\x00"

// Sign signs r with key, the key of the worker that ran the attempt (its
// package is signer). The caller's route is left out: the worker that
// made the call sets it.
func (r *DirectCall) Sign(signer string, key []byte) {
	r.Signer, r.MAC = signer, nil
	r.MAC = r.mac(key)
}

// Verify reports whether r is signed with key.
func (r *DirectCall) Verify(key []byte) bool {
	return len(key) > 0 && len(r.MAC) > 0 && hmac.Equal(r.MAC, r.mac(key))
}

// mac returns the signature of r under key.
func (r *DirectCall) mac(key []byte) []byte {
	c := *r
	c.Caller, c.MAC = "", nil
	b, _ := json.Marshal(&c) // plain data: cannot fail
	m := hmac.New(sha256.New, key)
	m.Write([]byte(recordDomain))
	m.Write(b)
	return m.Sum(nil)[:16]
}

// peers are a host's connections to the workers of other packages.
type peers struct {
	mu sync.Mutex
	// out are the connections this worker calls on, by the package of
	// their callee.
	out map[string]*peerLink
	// in are the connections this worker serves, by id.
	in map[uint64]*servedPeer
}

// A peerLink is a connection to the worker of another package.
type peerLink struct {
	id   uint64
	conn *protocol.Conn
	// viaServer are the routes the callee's worker does not admit (it
	// answered peerServer): their calls go through the server.
	viaServer sync.Map
}

// A servedPeer is a connection on which the worker of another package
// calls this worker's services.
type servedPeer struct {
	h   *Host
	pkg string // the caller's package
	// admits are the routes whose calls this worker admits (see
	// protocol.PeerMessage.Admits).
	admits map[string]bool
	gone   atomic.Bool // replaced: new calls are answered moved
}

// addPeer starts using the connection of m, whose descriptor f is (nil
// for protocol.PeerGone).
func (h *Host) addPeer(m protocol.PeerMessage, f *os.File) {
	h.peers.mu.Lock()
	defer h.peers.mu.Unlock()
	if m.Role == protocol.PeerGone {
		if l := h.peers.out[m.Package]; l != nil && l.id == m.ID {
			delete(h.peers.out, m.Package)
		}
		if sp := h.peers.in[m.ID]; sp != nil {
			sp.gone.Store(true)
		}
		return
	}
	nc, err := net.FileConn(f)
	f.Close()
	if err != nil {
		h.cfg.Logger.Warn("a peer connection was refused", "error", err.Error())
		return
	}
	opts := protocol.Options{MaxBody: h.cfg.Settings.BodyLimit, Go: h.cfg.Go}
	if m.Role == protocol.PeerCaller {
		l := &peerLink{id: m.ID, conn: protocol.NewConn(nc, true, opts)}
		if h.peers.out == nil {
			h.peers.out = map[string]*peerLink{}
		}
		h.peers.out[m.Package] = l
		go h.forgetPeer(l, m.Package)
		return
	}
	sp := &servedPeer{h: h, pkg: m.Package, admits: map[string]bool{}}
	for _, r := range m.Admits {
		sp.admits[r] = true
	}
	opts.Handler = sp
	conn := protocol.NewConn(nc, false, opts)
	if h.peers.in == nil {
		h.peers.in = map[uint64]*servedPeer{}
	}
	h.peers.in[m.ID] = sp
	go func() {
		<-conn.Done()
		h.peers.mu.Lock()
		delete(h.peers.in, m.ID)
		h.peers.mu.Unlock()
	}()
}

// forgetPeer forgets l once its connection has ended.
func (h *Host) forgetPeer(l *peerLink, pkg string) {
	<-l.conn.Done()
	h.dropPeer(l, pkg)
}

// dropPeer stops calling on l: the next calls of pkg's services go
// through the server.
func (h *Host) dropPeer(l *peerLink, pkg string) {
	h.peers.mu.Lock()
	if h.peers.out[pkg] == l {
		delete(h.peers.out, pkg)
	}
	h.peers.mu.Unlock()
	_ = l.conn.Close()
}

// peerFor returns the connection on which a call of e on behalf of parent
// goes straight to its worker, or nil: the call goes through the server.
func (h *Host) peerFor(e *endpoint, parent *attemptContext) *peerLink {
	if e.own || e.peerPkg == "" || parent.root == nil || capabilityFor(parent.caps, e.peerPkg) == nil {
		return nil
	}
	h.peers.mu.Lock()
	l := h.peers.out[e.peerPkg]
	h.peers.mu.Unlock()
	if l == nil {
		return nil
	}
	if _, no := l.viaServer.Load(e.route); no {
		return nil
	}
	return l
}

// capabilityFor returns the capability of pkg among caps, or nil.
func capabilityFor(caps []protocol.Capability, pkg string) *protocol.Capability {
	for i := range caps {
		if caps[i].Package == pkg {
			return &caps[i]
		}
	}
	return nil
}

// errMoved is the outcome of a peer call whose callee was replaced: the
// attempt goes through the server.
var errMoved = errors.New("the callee was replaced")

// peerCall makes one attempt of a nested call of e on l, straight to the
// callee's worker. It returns errMoved when the callee's version was
// replaced: the attempt did not run.
func (h *Host) peerCall(ctx context.Context, l *peerLink, e *endpoint, parent *attemptContext, depth, try int, c *svcrt.Call) error {
	name := e.svc.Desc.Name
	body, err := c.Service.Func.AppendArgs(nil, c.Args)
	if err != nil {
		return microfn.Permanent(fmt.Errorf("call %s: encode arguments: %w", name, err))
	}
	// The callee admits the call and gives it the service's timeout from
	// the moment it has its slot (see Host.serveAdmitted): the call is
	// sent with the caller's deadline, which bounds it.
	deadline, hasDeadline := ctx.Deadline()
	if !hasDeadline {
		deadline = time.Now().Add(e.policy.Timeout)
	}
	ch := parent.chain
	ch.Depth, ch.Deadline = depth, deadline
	call := protocol.Call{Route: e.route, Method: http.MethodPost, ContentType: "application/json", Proxied: true, Try: try, Chain: ch, Caps: parent.caps}
	cctx, cancel := context.WithDeadline(context.WithoutCancel(ctx), deadline)
	defer cancel()
	start := time.Now()
	resp, err := l.conn.Call(cctx, &call, body)
	if err != nil {
		err = h.peerFailure(err, e, l, hasDeadline)
		h.recordPeer(parent, DirectCall{Callee: e.route, Status: microfn.StatusOf(err), Try: try, Depth: depth,
			Nanos: int64(time.Since(start)), TimedOut: errors.Is(cctx.Err(), context.DeadlineExceeded)}, true)
		return err
	}
	if resp.Busy {
		// The callee's worker is being replaced: the call did not run.
		resp.Close()
		h.dropPeer(l, e.peerPkg)
		return errMoved
	}
	h.takeRecords(parent, resp.Header)
	if resp.Overran {
		// The callee answered 504 at the attempt's deadline; the
		// execution runs on there, holding its slot, until it ends: the
		// answer stays open until then, read in the background so that
		// the callee is not told to stop.
		go func() {
			_, _ = resp.ReadAll(0)
			resp.Close()
		}()
		return h.peerTimeout(e, hasDeadline && !time.Now().Before(deadline))
	}
	if why := peerMoved(resp.Header); why != "" {
		resp.Close()
		if why == peerGone {
			h.dropPeer(l, e.peerPkg)
		} else {
			l.viaServer.Store(e.route, true)
		}
		return errMoved
	}
	return decodeAnswer(name, resp, c)
}

// peerFailure is the error of a peer call of e on l that got no answer:
// at its deadline (callers, when it was the caller's), a 504; else the
// callee's worker is gone, as if it had crashed.
func (h *Host) peerFailure(err error, e *endpoint, l *peerLink, callers bool) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return h.peerTimeout(e, callers)
	}
	name := e.svc.Desc.Name
	h.dropPeer(l, e.peerPkg)
	return microfn.NewRemoteError(name, http.StatusBadGateway, fmt.Sprintf("service %s crashed its worker: %v", e.route, err), 0)
}

// peerTimeout is the 504 of a peer call of e: at the caller's deadline
// (callers), or at the callee's timeout.
func (h *Host) peerTimeout(e *endpoint, callers bool) error {
	name := e.svc.Desc.Name
	if callers {
		return microfn.NewRemoteError(name, http.StatusGatewayTimeout, fmt.Sprintf("%s: %v", name, context.DeadlineExceeded), 0)
	}
	to := &TimeoutError{Service: name, Timeout: e.policy.Timeout}
	return microfn.NewRemoteError(name, to.StatusCode(), to.Error(), 0)
}

// peerMoved returns why an answer says the call goes through the server
// (see peerMovedField), or "".
func peerMoved(header []protocol.Field) string {
	for _, f := range header {
		if f.Name == peerMovedField {
			return string(f.Value)
		}
	}
	return ""
}

// takeRecords adds the records an answer carries to those of parent's
// root attempt.
func (h *Host) takeRecords(parent *attemptContext, header []protocol.Field) {
	for _, f := range header {
		if f.Name != PeerRecordsField {
			continue
		}
		var recs []DirectCall
		if err := json.Unmarshal(f.Value, &recs); err != nil {
			h.cfg.Logger.Warn("the records of a peer call do not decode", "error", err.Error())
			return
		}
		for i := range recs {
			if recs[i].Caller == "" {
				recs[i].Caller = parent.route
			}
			h.recordPeer(parent, recs[i], false)
		}
	}
}

// recordPeer adds r to the records of parent's root attempt, signed
// first with this worker's key if sign is set.
func (h *Host) recordPeer(parent *attemptContext, r DirectCall, sign bool) {
	if sign {
		r.Sign(h.cfg.Package, h.cfg.PeerKey)
		r.Caller = parent.route
	}
	if recs := parent.root.calls.add(r); recs != nil {
		h.sendCalls(parent.root, recs)
	}
}

// ServeCall serves a call of the worker's services that the worker of
// sp's package makes: it checks its capability, admits it under the
// route's concurrency limit and runs it.
func (sp *servedPeer) ServeCall(ctx context.Context, req *protocol.Request, w protocol.ReplyWriter) {
	h := sp.h
	if sp.gone.Load() {
		replyMoved(w, peerGone)
		return
	}
	start := time.Now()
	pw := &peerWriter{ReplyWriter: w, h: h, start: start, rec: DirectCall{Callee: req.Route, Try: req.Try, Depth: req.Chain.Depth}}
	e := h.routes[req.Route]
	if e == nil {
		replyError(pw, microfn.Permanent(microfn.Error(http.StatusNotFound, "no service at %s in this worker", req.Route)), req.Route)
		return
	}
	if !sp.admits[req.Route] {
		// The server holds the route's slots: it admits the call.
		replyMoved(w, peerServer)
		return
	}
	if err := h.checkPeer(req, start); err != nil {
		replyError(pw, err, req.Route)
		return
	}
	pw.rec.Depth = req.Chain.Depth
	pw.log = &peerLog{}
	// Admitted as the server's attempts are: the call waits for its slot
	// here, and has the service's timeout from then, within the chain's
	// deadline; a host being replaced answers Busy (see peerWriter).
	h.serveAdmitted(context.WithValue(ctx, peerLogKey{}, pw.log), req, pw, e)
}

// replyMoved answers a peer call that did not run and goes through the
// server, for why (peerGone or peerServer).
func replyMoved(w protocol.ReplyWriter, why string) {
	_ = w.Reply(&protocol.Reply{Status: http.StatusMisdirectedRequest, Header: []protocol.Field{{Name: peerMovedField, Value: []byte(why)}}}, nil)
}

// checkPeer checks the capability of a peer call, req, at now, and makes
// req's chain, caller and claims those it grants: 403 for a call the
// server did not grant, 508 past the depth limit.
func (h *Host) checkPeer(req *protocol.Request, now time.Time) error {
	c := capabilityFor(req.Caps, h.cfg.Package)
	if c == nil {
		return microfn.Permanent(microfn.Error(http.StatusForbidden, "call of %s refused: it carries no capability of this package", req.Route))
	}
	if err := c.Verify(h.cfg.PeerKey, h.cfg.Package, now); err != nil {
		return microfn.Permanent(microfn.Error(http.StatusForbidden, "call of %s refused: %v", req.Route, err))
	}
	ch := c.Chain
	ch.Depth = max(req.Chain.Depth, c.Chain.Depth+1)
	if d := req.Chain.Deadline; !d.IsZero() && d.Before(ch.Deadline) {
		ch.Deadline = d
	}
	req.Chain, req.Caller, req.Claims, req.Attempt, req.Parent = ch, c.Caller, c.Claims, 0, 0
	if max := h.cfg.Settings.MaxDepth; max > 0 && ch.Depth > max {
		return &DepthError{Depth: ch.Depth, Max: max}
	}
	return nil
}

// A peerLog holds the records of the calls run on behalf of a peer call,
// sent with its answer.
type peerLog struct {
	mu   sync.Mutex
	recs []DirectCall
}

// put adds recs.
func (l *peerLog) put(recs []DirectCall) {
	l.mu.Lock()
	l.recs = append(l.recs, recs...)
	l.mu.Unlock()
}

// take returns the records and forgets them.
func (l *peerLog) take() []DirectCall {
	l.mu.Lock()
	defer l.mu.Unlock()
	recs := l.recs
	l.recs = nil
	return recs
}

type peerLogKey struct{}

// peerLogOf returns the log of the peer call ctx serves, or nil.
func peerLogOf(ctx context.Context) *peerLog {
	l, _ := ctx.Value(peerLogKey{}).(*peerLog)
	return l
}

// A peerWriter adds the records of a peer call to its answer: its own,
// signed, after those of the calls run on its behalf.
type peerWriter struct {
	protocol.ReplyWriter
	h     *Host
	start time.Time
	rec   DirectCall
	log   *peerLog
	done  bool
}

// records returns the field of the records, for an answer of status.
func (w *peerWriter) records(status int) protocol.Field {
	var recs []DirectCall
	if w.log != nil {
		recs = w.log.take()
	}
	r := w.rec
	r.Status, r.Nanos = status, int64(time.Since(w.start))
	r.Sign(w.h.cfg.Package, w.h.cfg.PeerKey)
	b, _ := json.Marshal(append(recs, r)) // plain data: cannot fail
	return protocol.Field{Name: PeerRecordsField, Value: b}
}

// Reply answers with the records; a Busy answer (the host is being
// replaced: the call did not run, and goes through the server) has none.
func (w *peerWriter) Reply(r *protocol.Reply, body []byte) error {
	w.addRecords(r)
	return w.ReplyWriter.Reply(r, body)
}

// Start starts the answer with the records.
func (w *peerWriter) Start(r *protocol.Reply) error {
	w.addRecords(r)
	return w.ReplyWriter.Start(r)
}

// addRecords adds the records to the head r, once, unless the call did
// not run (Busy).
func (w *peerWriter) addRecords(r *protocol.Reply) {
	if w.done || r.Busy {
		return
	}
	w.done = true
	w.rec.Wait, w.rec.TimedOut = int64(r.Wait), r.Overran
	r.Header = append(r.Header, w.records(r.Status))
}
