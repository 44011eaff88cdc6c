package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/microfn/microfn"
)

// Call runs the service at route once in process, as a call from outside
// would run (policy and retries included), with arguments given as
// name=value pairs read like query parameters. It returns the JSON of the
// results. It needs no listener: microfn run uses it.
func (s *Server) Call(ctx context.Context, route string, pairs []string) ([]byte, error) {
	if !strings.HasPrefix(route, "/") {
		route = "/" + route
	}
	g := s.gen.Load()
	e := g.routes[route]
	if e == nil {
		return nil, microfn.Error(http.StatusNotFound, "no service at %s%s", route, didYouMean(g.nearest(route)))
	}
	if !e.version.acquire() {
		return nil, fmt.Errorf("%s was reloaded during the call; try again", route)
	}
	defer e.version.release()
	if s.internal != nil {
		// Workers make their nested calls of other packages' services
		// on the internal socket, which nothing serves without Serve.
		s.internalOnce.Do(func() {
			s.app.Handler() // builds the route tree, as Listener would
			go s.app.Server().Serve(s.internal)
		})
	}
	if e.version.worker() != nil {
		return s.callForwarded(ctx, e, pairs)
	}
	args, err := e.svc.Func.BindText(pairs)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.callDeadline)
	defer cancel()
	out, _, err := s.execute(ctx, time.Now(), time.Time{}, e, newChain(), args, false)
	if err != nil {
		return nil, err
	}
	return e.svc.Func.AppendResults(nil, out)
}

// callForwarded is Call for a service whose package runs in a worker
// process: the pairs go to it as query parameters.
func (s *Server) callForwarded(ctx context.Context, e *endpoint, pairs []string) ([]byte, error) {
	q := url.Values{}
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		q.Add(k, v)
	}
	in := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(in)
	in.SetRequestURI(e.route + "?" + q.Encode())
	ctx, cancel := context.WithTimeout(ctx, s.cfg.callDeadline)
	defer cancel()
	deadline, _ := ctx.Deadline()
	var body []byte
	ch := newChain()
	var wait time.Duration
	_, err := e.policy.Do(ctx, func(ctx context.Context, _ int) error {
		var err error
		body, err = s.forwardAttempt(ctx, time.Now(), deadline, e, ch, in, &wait, false)
		return err
	})
	if err != nil {
		var a *workerAnswer
		if errors.As(err, &a) {
			return nil, microfn.Error(a.status, "%s", a.Error())
		}
		return nil, err
	}
	return bytes.TrimSuffix(body, []byte("\n")), nil
}
