package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

func callCmd(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("microfn call", "Usage: microfn call NAME [key=value ...]\n\nCall the service NAME of a running server with its parameters given as key=value\n(read like query parameters) and print the JSON result.\nExample: microfn call Fib n=5", stderr)
	addr := fs.String("addr", "127.0.0.1:8000", "`address` or URL of the server")
	timeout := fs.Duration("timeout", time.Minute, "give up after this long")
	token := fs.String("token", os.Getenv("MICROFN_TOKEN"), "send Authorization: Bearer `token` (default $MICROFN_TOKEN)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return 2
	}
	if len(pos) < 1 {
		fs.Usage()
		return 2
	}
	base := *addr
	if !strings.Contains(base, "://") {
		base = "http://" + base
	}
	q := url.Values{}
	for _, kv := range pos[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			fmt.Fprintf(stderr, "microfn call: argument %q must be key=value\n", kv)
			return 2
		}
		q.Add(k, v)
	}
	u := strings.TrimSuffix(base, "/") + "/" + strings.TrimPrefix(pos[0], "/")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		fmt.Fprintln(stderr, "microfn call:", err)
		return 2
	}
	if *token != "" {
		req.Header.Set("Authorization", "Bearer "+*token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Fprintln(stderr, "microfn call:", err)
		return 1
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		fmt.Fprintln(stderr, "microfn call:", err)
		return 1
	}
	if resp.StatusCode != http.StatusOK {
		var p struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
		}
		if json.Unmarshal(body, &p) == nil && p.Detail != "" {
			fmt.Fprintf(stderr, "microfn call: %d %s: %s\n", resp.StatusCode, p.Title, p.Detail)
		} else {
			fmt.Fprintf(stderr, "microfn call: %s: %s\n", resp.Status, strings.TrimSpace(string(body)))
		}
		return 1
	}
	fmt.Fprint(stdout, string(body))
	return 0
}
