package protocol

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Calls run inline (Options.Inline).
//
// A call handed to a goroutine of Options.Go costs a wake-up: the reader
// readies the goroutine, and the Go scheduler wakes a thread for it. When
// the reader has read every frame that came, it runs the call's handler
// itself instead, leaving the reader's role vacant meanwhile (the call
// is then in inlineState.vacant), and takes the role back when the
// handler returns: most calls are short, and frames that come meanwhile
// wait no longer than the handler runs. A handler that does not return
// soon must not hold up the connection, so the role goes to a goroutine
// of Options.Go (handOn):
//
//   - at once when something waits for what only the reader brings: a
//     call sent (Send), room in the caller's window (a reply's Write),
//     more of a reply's body (Response.Read) — see needReader;
//   - after one to two ticks of a watchdog (inlineTick) otherwise, such
//     as a handler that sleeps, waits on a lock or never returns.
//
// The route of a call that needed either, or whose handlers ran longer
// than inlineSlow on average (a moving average: a thread the operating
// system preempted, or a collection, makes one run long now and then),
// is then handed to Options.Go for inlineBackoff before it runs inline
// again.
const (
	// inlineTick is the period of the watchdog: a call that holds the
	// reader's role vacant through a tick is handed on at the next.
	inlineTick = time.Millisecond
	// inlineSlow is the longest a route's handlers may run inline, on
	// average, and stay inline.
	inlineSlow = 500 * time.Microsecond
	// inlineQuick is the longest a route's handlers may run inline, on
	// average, for one to run inline while more frames wait for it.
	inlineQuick = 20 * time.Microsecond
	// inlineWeight is the weight of a new run in the moving average: 1
	// in 8.
	inlineWeight = 8
	// inlineBackoff is how long a route found slow runs on Options.Go.
	inlineBackoff = time.Second
	// inlineIdleTicks is how many ticks without a call run inline the
	// watchdog waits before it sleeps until the next one.
	inlineIdleTicks = 100
	// maxInlineRoutes bounds the routes a connection keeps account of:
	// calls of others are handed to Options.Go.
	maxInlineRoutes = 1 << 10
)

// The states of the watchdog.
const (
	watchNone    int32 = iota // not started
	watchRunning              // ticking
	watchParked               // waiting for the next call run inline
)

// inlineState is a connection's state of calls run inline.
type inlineState struct {
	// vacant is the call the reader runs inline, leaving the reader's
	// role vacant; nil when a goroutine holds it. Whoever swaps it to
	// nil holds the role.
	vacant atomic.Pointer[incoming]
	// flushing stands in vacant for the reader writing the answers
	// held (flushAsReader).
	flushing incoming
	// runs counts the calls run inline, for the watchdog to see that
	// the connection is idle.
	runs atomic.Uint64
	// routes are the accounts of the routes of calls run inline, added
	// to a copy under routesMu.
	routes   atomic.Pointer[map[string]*inlineRoute]
	routesMu sync.Mutex
	// watch is the watchdog's state; wake (made by NewConn) wakes it
	// when parked.
	watch atomic.Int32
	wake  chan struct{}
}

// An inlineRoute is a connection's account of the calls of one route
// run inline.
type inlineRoute struct {
	// avg is the moving average of the time its handlers ran inline,
	// in nanoseconds: the reader's.
	avg int64
	// until is the time (UnixNano) until which its calls are handed to
	// Options.Go.
	until atomic.Int64
}

// inlineRoute returns the account of route, and whether a call of it may
// run inline now (more: more frames are read already, which wait for it);
// nil past maxInlineRoutes.
func (c *Conn) inlineRoute(route string, more bool) (*inlineRoute, bool) {
	var r *inlineRoute
	if m := c.inl.routes.Load(); m != nil {
		r = (*m)[route]
	}
	if r == nil {
		if r = c.addInlineRoute(route); r == nil {
			return nil, false
		}
	}
	if more && r.avg > int64(inlineQuick) {
		return r, false
	}
	until := r.until.Load()
	return r, until == 0 || time.Now().UnixNano() >= until
}

// addInlineRoute adds an account for route, unless there are
// maxInlineRoutes already.
func (c *Conn) addInlineRoute(route string) *inlineRoute {
	c.inl.routesMu.Lock()
	defer c.inl.routesMu.Unlock()
	m := map[string]*inlineRoute{}
	if old := c.inl.routes.Load(); old != nil {
		if r := (*old)[route]; r != nil {
			return r
		}
		if len(*old) >= maxInlineRoutes {
			return nil
		}
		for k, v := range *old {
			m[k] = v
		}
	}
	r := &inlineRoute{}
	m[route] = r
	c.inl.routes.Store(&m)
	return r
}

// runInline runs the handler of in, a call of route r, on the reader's
// goroutine, the reader's role vacant meanwhile. It reports whether this
// goroutine holds the role again; if not, another goroutine reads the
// connection now.
func (c *Conn) runInline(in *incoming, r *inlineRoute) bool {
	in.route = r
	c.inl.vacant.Store(in)
	c.inl.runs.Add(1)
	c.watchInline()
	start := time.Now()
	c.serve(in)
	if !c.inl.vacant.CompareAndSwap(in, nil) {
		return false
	}
	r.avg += (int64(time.Since(start)) - r.avg) / inlineWeight
	if r.avg > int64(inlineSlow) {
		r.backOff()
	}
	return true
}

// backOff has the route's calls handed to Options.Go for inlineBackoff.
func (r *inlineRoute) backOff() {
	r.until.Store(time.Now().Add(inlineBackoff).UnixNano())
}

// needReader makes sure a goroutine reads the connection: called before
// waiting for what only the reader brings.
func (c *Conn) needReader() {
	if in := c.inl.vacant.Load(); in != nil {
		c.handOn(in)
	}
}

// handOn gives the reader's role, left vacant while in runs inline, to
// a goroutine of Options.Go, and has in's route handed to it for a
// while. It does nothing if in no longer holds the role vacant.
func (c *Conn) handOn(in *incoming) {
	if !c.inl.vacant.CompareAndSwap(in, nil) {
		return
	}
	if in.route != nil {
		in.route.backOff()
	}
	c.opts.Go(c.readLoop)
	if c.holding.Load() {
		// On a goroutine of its own: the write may wait for the other
		// end to read, and the watchdog must not.
		c.opts.Go(c.flushHeld)
	}
}

// flushAsReader writes the answers held, if any, from the reader's
// goroutine, the reader's role vacant meanwhile as while a call runs
// inline: a write waits while the other end reads nothing, and the
// reading must go on (the other end may itself wait for this end to
// read). It reports whether this goroutine holds the role again.
func (c *Conn) flushAsReader() bool {
	if !c.holding.Load() { // (not wmu, which a writer may hold while it waits)
		return true
	}
	c.inl.vacant.Store(&c.inl.flushing)
	c.watchInline()
	c.flushHeld()
	return c.inl.vacant.CompareAndSwap(&c.inl.flushing, nil)
}

// maxHeld bounds the bytes of answers held (see holdReply).
const maxHeld = 64 << 10

// holdReply answers in, a call run inline, with r and body, as
// connWriter.Reply does, but holds the frame to be written with the
// next frame written or when the reader waits for more (flushHeld), so
// that the answers of the calls read at once go out in one write. It
// reports false, holding nothing, if in no longer holds the reader's
// role vacant or too much is held already: then write the frame.
func (c *Conn) holdReply(in *incoming, r *Reply, body []byte) bool {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	// Checked under wmu: handOn swaps vacant before it flushes.
	if c.inl.vacant.Load() != in || len(c.held)+len(body) > maxHeld {
		return false
	}
	start := len(c.held)
	var hb [frameHeaderLen]byte
	c.held = append(appendHead(append(c.held, hb[:]...), r), body...)
	h := frameHeader{typ: frameReply, flags: flagEnd, stream: in.id, length: uint32(len(c.held) - start - frameHeaderLen)}
	h.put((*[frameHeaderLen]byte)(c.held[start:]))
	c.holding.Store(true)
	return true
}

// flushHeld writes the answers held, if any, ending the connection if it
// cannot.
func (c *Conn) flushHeld() {
	c.wmu.Lock()
	var err error
	if len(c.held) > 0 {
		_, err = c.nc.Write(c.held)
		c.held = c.held[:0]
		c.holding.Store(false)
	}
	c.wmu.Unlock()
	if err != nil {
		c.fail(fmt.Errorf("write reply frames: %w", err))
	}
}

// watchInline makes sure the watchdog runs, as a call starts inline.
func (c *Conn) watchInline() {
	switch c.inl.watch.Load() {
	case watchRunning:
	case watchNone:
		if c.inl.watch.CompareAndSwap(watchNone, watchRunning) {
			go c.watchdog()
		}
	case watchParked:
		if c.inl.watch.CompareAndSwap(watchParked, watchRunning) {
			c.inl.wake <- struct{}{}
		}
	}
}

// watchdog hands the reader's role on when a call run inline holds it
// vacant through a tick, until the connection ends. It sleeps while no
// call runs inline.
func (c *Conn) watchdog() {
	t := time.NewTicker(c.opts.inlineTick)
	defer t.Stop()
	var seen *incoming // the call that held the role vacant at the last tick
	runs, idle := c.inl.runs.Load(), 0
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
		}
		in := c.inl.vacant.Load()
		if in != nil && in == seen {
			c.handOn(in)
			in = nil
		}
		seen = in
		if n := c.inl.runs.Load(); n != runs || in != nil {
			runs, idle = n, 0
			continue
		}
		if idle++; idle < inlineIdleTicks {
			continue
		}
		t.Stop()
		if !c.parkWatchdog() {
			return
		}
		t.Reset(c.opts.inlineTick)
		seen, runs, idle = nil, c.inl.runs.Load(), 0
	}
}

// parkWatchdog waits until a call runs inline again (see watchInline),
// and reports false if the connection ends first.
func (c *Conn) parkWatchdog() bool {
	c.inl.watch.Store(watchParked)
	if c.inl.vacant.Load() != nil && c.inl.watch.CompareAndSwap(watchParked, watchRunning) {
		return true // a call started inline meanwhile
	}
	// A call that starts inline from now on, or started and saw the
	// watchdog parked, sends on wake.
	select {
	case <-c.inl.wake:
		return true
	case <-c.done:
		return false
	}
}
