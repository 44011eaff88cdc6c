// Command baseline serves natively, as plain compiled Go on Fiber, the
// functions that the benchmark (go run ./bench) also serves with microfn,
// with the same HTTP conventions: GET /F?x=5 or POST /F {"x":5}, a JSON
// result followed by a newline, problems as application/problem+json.
//
// It is the physical limit microfn is measured against: Fib calls itself
// over HTTP for every recursive call, through one pooled keep-alive
// fasthttp client, as microfn's proxies do, but with no interpreter, no
// policy and no reflection in the way.
//
// Usage:
//
//	baseline --addr 127.0.0.1:18001 [--sqlite FILE | --postgres URL]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18001", "`address` to listen on")
	sqlitePath := flag.String("sqlite", "", "also serve the db scenario's routes (see db.go) on this SQLite `file`")
	pgURL := flag.String("postgres", "", "serve the db scenario's routes on the PostgreSQL database at this `URL` instead")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, *addr, *sqlitePath, *pgURL); err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}

// server is the baseline server: its own base URL, for the nested calls of
// Fib, and the one client they all share.
type server struct {
	base   string
	client *fasthttp.Client
}

func serve(ctx context.Context, addr, sqlitePath, pgURL string) error {
	s := &server{
		base: "http://" + addr,
		// The same client settings as microfn's proxies.
		client: &fasthttp.Client{
			MaxIdleConnDuration:      30 * time.Second,
			MaxConnsPerHost:          16384,
			NoDefaultUserAgentHeader: true,
			RetryIfErr:               func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
		},
	}
	app := fiber.New(fiber.Config{
		DisableStartupMessage: true,
		BodyLimit:             1 << 20,
		IdleTimeout:           60 * time.Second,
		ReadTimeout:           30 * time.Second,
		CaseSensitive:         true,
		StrictRouting:         true,
	})
	app.Get("/healthz", func(c *fiber.Ctx) error {
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.SendString(`{"status":"ok"}`)
	})
	isEven := intFunc("x", func(x int) ([]byte, error) { return strconv.AppendBool(nil, x%2 == 0), nil })
	app.All("/IsEven", isEven)
	app.All("/Guarded", isEven)
	app.All("/Bare", isEven)
	app.All("/Fib", intFunc("n", s.fib))
	app.All("/b/Inc", intFunc("x", func(x int) ([]byte, error) { return strconv.AppendInt(nil, int64(x+1), 10), nil }))
	app.All("/a/Sum", intFunc("n", s.sum))
	app.All("/SumSquares", intFunc("n", func(n int) ([]byte, error) { return strconv.AppendInt(nil, int64(SumSquares(n)), 10), nil }))
	app.All("/BuildString", intFunc("n", func(n int) ([]byte, error) { return strconv.AppendInt(nil, int64(BuildString(n)), 10), nil }))
	app.All("/EncodeJSON", intFunc("n", func(n int) ([]byte, error) {
		size, err := EncodeJSON(n)
		return strconv.AppendInt(nil, int64(size), 10), err
	}))
	if sqlitePath != "" || pgURL != "" {
		db, err := openDB(sqlitePath, pgURL)
		if err != nil {
			return err
		}
		defer db.Close()
		dbRoutes(app, db)
	}

	errc := make(chan error, 1)
	go func() { errc <- app.Listen(addr) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return app.ShutdownWithTimeout(5 * time.Second)
	}
}

// intFunc adapts a function of one int parameter named name to a handler:
// the parameter comes from the query (GET) or a JSON object (POST).
func intFunc(name string, f func(int) ([]byte, error)) fiber.Handler {
	return func(c *fiber.Ctx) error {
		var x int
		switch c.Method() {
		case fiber.MethodGet, fiber.MethodHead:
			q := c.Context().QueryArgs().Peek(name)
			if q == nil {
				return problem(c, fiber.StatusBadRequest, fmt.Sprintf("missing parameter %q", name))
			}
			n, err := strconv.Atoi(string(q))
			if err != nil {
				return problem(c, fiber.StatusBadRequest, fmt.Sprintf("parameter %q: want int, got %q (not an integer)", name, q))
			}
			x = n
		case fiber.MethodPost:
			var args map[string]json.RawMessage
			if err := json.Unmarshal(c.Body(), &args); err != nil {
				return problem(c, fiber.StatusBadRequest, "malformed JSON: "+err.Error())
			}
			raw, ok := args[name]
			if !ok || len(args) != 1 {
				return problem(c, fiber.StatusBadRequest, fmt.Sprintf("want exactly the parameter %q", name))
			}
			if err := json.Unmarshal(raw, &x); err != nil {
				return problem(c, fiber.StatusBadRequest, fmt.Sprintf("parameter %q: want int, got %s", name, raw))
			}
		default:
			c.Set(fiber.HeaderAllow, "GET, POST")
			return problem(c, fiber.StatusMethodNotAllowed, "method "+c.Method()+" is not allowed")
		}
		out, err := f(x)
		if err != nil {
			return problem(c, fiber.StatusInternalServerError, err.Error())
		}
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		return c.Send(append(out, '\n'))
	}
}

// problem answers with an RFC 9457 problem document.
func problem(c *fiber.Ctx, status int, detail string) error {
	body, _ := json.Marshal(map[string]any{
		"type": "about:blank", "title": fasthttp.StatusMessage(status), "status": status,
		"detail": detail, "instance": c.Path(),
	})
	c.Set(fiber.HeaderContentType, "application/problem+json")
	return c.Status(status).Send(append(body, '\n'))
}

// fib returns Fib(n) (Fib(0) = Fib(1) = 1), making each recursive call
// over HTTP to this server's own /Fib.
func (s *server) fib(n int) ([]byte, error) {
	if n < 2 {
		return []byte("1"), nil
	}
	a, err := s.callFib(n - 1)
	if err != nil {
		return nil, err
	}
	b, err := s.callFib(n - 2)
	if err != nil {
		return nil, err
	}
	return strconv.AppendInt(nil, int64(a+b), 10), nil
}

// sum returns the sum of Inc(i) for i below n, calling this server's own
// /b/Inc over HTTP for each.
func (s *server) sum(n int) ([]byte, error) {
	total := 0
	for i := range n {
		v, err := s.callInt("/b/Inc", "x", i)
		if err != nil {
			return nil, err
		}
		total += v
	}
	return strconv.AppendInt(nil, int64(total), 10), nil
}

// callInt POSTs {name: x} to route and decodes the integer result.
func (s *server) callInt(route, name string, x int) (int, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(s.base + route)
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	req.SetBodyRaw(fmt.Appendf(nil, `{%q:%d}`, name, x))
	if err := s.client.DoTimeout(req, resp, time.Minute); err != nil {
		return 0, fmt.Errorf("call %s: %w", route, err)
	}
	if resp.StatusCode() != fasthttp.StatusOK {
		return 0, fmt.Errorf("call %s: status %d: %s", route, resp.StatusCode(), resp.Body())
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(resp.Body())))
	if err != nil {
		return 0, errors.New("call " + route + ": bad result " + strconv.Quote(string(resp.Body())))
	}
	return v, nil
}

// callFib POSTs {"n": n} to /Fib and decodes the result.
func (s *server) callFib(n int) (int, error) {
	req := fasthttp.AcquireRequest()
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	req.SetRequestURI(s.base + "/Fib")
	req.Header.SetMethod(fasthttp.MethodPost)
	req.Header.SetContentType("application/json")
	req.SetBodyRaw(fmt.Appendf(nil, `{"n":%d}`, n))
	if err := s.client.DoTimeout(req, resp, time.Minute); err != nil {
		return 0, fmt.Errorf("call Fib(%d): %w", n, err)
	}
	if resp.StatusCode() != fasthttp.StatusOK {
		return 0, fmt.Errorf("call Fib(%d): status %d: %s", n, resp.StatusCode(), resp.Body())
	}
	v, err := strconv.Atoi(strings.TrimSpace(string(resp.Body())))
	if err != nil {
		return 0, errors.New("call Fib: bad result " + strconv.Quote(string(resp.Body())))
	}
	return v, nil
}
