package server

import (
	"context"
	"fmt"
	"net/http"
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
	g := s.gen.Load()
	e := g.routes[route]
	if e == nil {
		return nil, microfn.Error(http.StatusNotFound, "no service at %s%s", route, didYouMean(g.nearest(route)))
	}
	if !e.version.acquire() {
		return nil, fmt.Errorf("%s was reloaded during the call; try again", route)
	}
	defer e.version.release()
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
