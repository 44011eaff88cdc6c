package main

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// fasthttpLoad loads base the way vegetaLoad does (conns workers, each
// with its own keep-alive connection, sending the next request as soon as
// the last one is answered, for d, at most maxRequests in all), with a
// fasthttp client: a lighter generator, which leaves more of a small
// machine's CPU to the server it measures (as wrk would).
func fasthttpLoad(ctx context.Context, base string, t target, d time.Duration, conns int) loadResult {
	u, err := url.Parse(base)
	if err != nil {
		return loadResult{errors: 1, sample: err.Error()}
	}
	hc := &fasthttp.HostClient{
		Addr:                      u.Host,
		MaxConns:                  conns,
		ReadTimeout:               10 * time.Second,
		WriteTimeout:              10 * time.Second,
		MaxIdemponentCallAttempts: 1,
		NoDefaultUserAgentHeader:  true,
		RetryIfErr:                func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
	}
	defer hc.CloseIdleConnections()
	paths := t.paths()
	want := []byte(t.want)
	var sent atomic.Int64
	type worker struct {
		lat      []time.Duration
		requests int
		errors   int
		sample   string
	}
	ws := make([]worker, conns)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i := range ws {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &ws[i]
			w.lat = make([]time.Duration, 0, 1<<12)
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			for ctx.Err() == nil {
				now := time.Now()
				if !now.Before(deadline) {
					return
				}
				n := sent.Add(1)
				if n > maxRequests {
					return
				}
				req.Reset()
				req.Header.SetMethod(t.method)
				req.SetRequestURI(base + paths[int(n)%len(paths)])
				if t.body != "" {
					req.Header.SetContentType("application/json")
					req.SetBodyString(t.body)
				}
				err := hc.Do(req, resp)
				took := time.Since(now)
				w.requests++
				switch {
				case err != nil || resp.StatusCode() != fasthttp.StatusOK:
					w.errors++
					if w.sample == "" {
						w.sample = fmt.Sprintf("status %d %v %s", resp.StatusCode(), err, trim(string(resp.Body()), 200))
					}
				case len(want) > 0 && !bytes.Equal(resp.Body(), want):
					w.errors++
					if w.sample == "" {
						w.sample = fmt.Sprintf("body %q, want %q", trim(string(resp.Body()), 200), t.want)
					}
				default:
					w.lat = append(w.lat, took)
				}
			}
		}()
	}
	wg.Wait()
	var r loadResult
	r.elapsed = time.Since(start)
	total := 0
	for _, w := range ws {
		total += len(w.lat)
	}
	r.lat = make([]time.Duration, 0, total)
	for _, w := range ws {
		r.requests += w.requests
		r.errors += w.errors
		if r.sample == "" {
			r.sample = w.sample
		}
		r.lat = append(r.lat, w.lat...)
	}
	slices.Sort(r.lat)
	r.p50, r.p99 = quantileSorted(r.lat, 0.50), quantileSorted(r.lat, 0.99)
	r.rps = float64(len(r.lat)) / r.elapsed.Seconds()
	return r
}
