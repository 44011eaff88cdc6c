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
	g := s.packages.generation()
	e := g.routes[route]
	if e == nil {
		return nil, microfn.Error(http.StatusNotFound, "no service at %s%s", route, didYouMean(g.nearest(route)))
	}
	if !e.version.acquire() {
		return nil, fmt.Errorf("%s was reloaded during the call; try again", route)
	}
	defer e.version.release()
	return s.callPairs(ctx, e, pairs)
}

// callPairs is Call once the endpoint is found: the pairs go to the
// service as query parameters.
func (s *Server) callPairs(ctx context.Context, e *endpoint, pairs []string) ([]byte, error) {
	q := url.Values{}
	for _, p := range pairs {
		k, v, _ := strings.Cut(p, "=")
		q.Add(k, v)
	}
	in := inbound{method: http.MethodGet, query: []byte(q.Encode())}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.callDeadline)
	defer cancel()
	deadline, _ := ctx.Deadline()
	resp, _, err := s.execute(ctx, time.Now(), deadline, e, newChain(), in, false)
	var body []byte
	if err == nil {
		body, err = resp.ReadAll(0)
	}
	if err != nil {
		var a *answer
		if errors.As(err, &a) {
			return nil, microfn.Error(a.status, "%s", a.Error())
		}
		return nil, err
	}
	return bytes.TrimSuffix(body, []byte("\n")), nil
}
