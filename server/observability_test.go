package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// scrape reads /metrics and parses it as Prometheus text.
func scrape(t *testing.T, in *microfntest.Instance) map[string]*dto.MetricFamily {
	t.Helper()
	r := in.Get("/metrics")
	if r.Status != 200 {
		t.Fatalf("/metrics = %d", r.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(r.Body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return families
}

// value returns the value of the sample of family name whose labels
// include labels, or 0.
func value(families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	f, ok := families[name]
	if !ok {
		return 0
	}
	total := 0.0
	for _, m := range f.GetMetric() {
		match := true
		for k, v := range labels {
			found := false
			for _, l := range m.GetLabel() {
				if l.GetName() == k && l.GetValue() == v {
					found = true
				}
			}
			match = match && found
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			total += m.GetCounter().GetValue()
		case m.Gauge != nil:
			total += m.GetGauge().GetValue()
		case m.Histogram != nil:
			total += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return total
}

func TestMetricsMove(t *testing.T) {
	t.Parallel()
	in := startPolicies(t)
	before := scrape(t, in)
	in.Get("/Fib?n=5")             // 1 + 14 nested calls
	in.Get("/FailTwice")           // 3 attempts
	in.Get("/BindOnly?x=oops")     // 400
	in.Get("/TooSlow?d=300ms")     // a timeout and a runaway
	concurrently(in, "/Queue2", 5) // 2 rejected
	after := scrape(t, in)
	delta := func(name string, labels map[string]string) float64 {
		return value(after, name, labels) - value(before, name, labels)
	}
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"microfn_calls_total", map[string]string{"service": "/Fib", "code": "200"}, 15},
		{"microfn_nested_calls_total", map[string]string{"caller": "/Fib", "callee": "/Fib", "code": "200"}, 14},
		{"microfn_calls_total", map[string]string{"service": "/BindOnly", "code": "400"}, 1},
		{"microfn_call_attempts_total", map[string]string{"service": "/FailTwice"}, 3},
		{"microfn_call_retries_total", map[string]string{"service": "/FailTwice"}, 2},
		{"microfn_timeouts_total", map[string]string{"service": "/TooSlow"}, 1},
		{"microfn_runaways_total", map[string]string{"service": "/TooSlow"}, 1},
		{"microfn_rejected_total", map[string]string{"service": "/Queue2"}, 2},
		{"microfn_call_duration_seconds", map[string]string{"service": "/Fib"}, 15},
	}
	for _, c := range checks {
		if got := delta(c.name, c.labels); got != c.want {
			t.Errorf("%s%v moved by %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if v := value(after, "microfn_reload_success", map[string]string{"package": "."}); v != 1 {
		t.Errorf("microfn_reload_success = %v, want 1", v)
	}
	if v := value(after, "microfn_reloads_total", map[string]string{"package": ".", "outcome": "ok"}); v != 1 {
		t.Errorf("microfn_reloads_total ok = %v, want 1", v)
	}
	for _, name := range []string{"microfn_in_flight", "microfn_waiting", "go_goroutines", "process_resident_memory_bytes"} {
		if _, ok := after[name]; !ok {
			t.Errorf("metric %s missing", name)
		}
	}
	// The worker process's own metrics are there too, by package.
	if len(in.Server.WorkerPIDs()) > 0 {
		for _, name := range []string{"go_goroutines", "process_resident_memory_bytes"} {
			if v := value(after, name, map[string]string{"worker": "."}) + value(after, name, map[string]string{"worker": "shared"}); v <= 0 {
				t.Errorf("%s{worker=\".\"} = %v, want the worker's", name, v)
			}
		}
	}
}

func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	in := microfntest.StartDir(t, "../examples/seed")
	r := in.Get("/openapi.json")
	if r.Status != 200 {
		t.Fatalf("/openapi.json = %d %s", r.Status, r.Body)
	}
	doc, err := openapi3.NewLoader().LoadFromData([]byte(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid OpenAPI document: %v", err)
	}
	for _, path := range []string{"/IsEven", "/IsOdd", "/Fib", "/Factorial", "/Area", "/Distance", "/BuggyFunction", "/SlowFunction"} {
		if doc.Paths.Find(path) == nil {
			t.Errorf("the document lacks %s", path)
		}
	}
	if op := doc.Paths.Find("/IsEven").Get; op == nil || !strings.Contains(op.Summary, "IsEven reports whether x is even") {
		t.Errorf("IsEven's summary is not its doc comment: %+v", op)
	}
	// Real answers of the server validate against the response schemas.
	answers := []struct{ path, body string }{
		{"/Area", `{"r": {"min": {"x": 0, "y": 0}, "max": {"x": 2, "y": 3}}}`},
		{"/Distance", `{"a": {"x": 0, "y": 0}, "b": {"x": 3, "y": 4}}`},
		{"/IsEven", `{"x": 3}`},
		{"/BuggyFunction", `{}`},
	}
	for _, a := range answers {
		resp := in.Post(a.path, a.body)
		if resp.Status != 200 {
			continue // BuggyFunction may fail; its 200 schema is not the point then
		}
		var v any
		if err := json.Unmarshal([]byte(resp.Body), &v); err != nil {
			t.Fatal(err)
		}
		op := doc.Paths.Find(a.path).Post
		schema := op.Responses.Status(200).Value.Content.Get("application/json").Schema.Value
		if err := schema.VisitJSON(v); err != nil {
			t.Errorf("%s answer %s does not match its schema: %v", a.path, resp.Body, err)
		}
		var req any
		_ = json.Unmarshal([]byte(a.body), &req)
		if err := op.RequestBody.Value.Content.Get("application/json").Schema.Value.VisitJSON(req); err != nil {
			t.Errorf("%s request %s does not match its schema: %v", a.path, a.body, err)
		}
	}
	// A problem answer matches the Problem schema.
	bad := in.Get("/IsEven?x=nope")
	var p any
	_ = json.Unmarshal([]byte(bad.Body), &p)
	if err := doc.Components.Schemas["Problem"].Value.VisitJSON(p); err != nil {
		t.Errorf("problem %s does not match the Problem schema: %v", bad.Body, err)
	}
}

func TestOpenAPIOnlyServed(t *testing.T) {
	t.Parallel()
	in := microfntest.StartDir(t, "../examples/seed", server.WithOnly("IsOdd"), server.WithRoutes(server.RouteTable{"IsEven": "http://127.0.0.1:9"}))
	r := in.Get("/openapi.json")
	if !bytes.Contains([]byte(r.Body), []byte(`"/IsOdd"`)) || bytes.Contains([]byte(r.Body), []byte(`"/IsEven"`)) {
		t.Errorf("a split server's document must list only what it serves")
	}
}

func TestOpenAPIFollowsReloads(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"live.go": versionSrc(1)})
	in.Write("b.go", "package live\n\n// Added is new.\n//\n//microfn:service\nfunc Added() int { return 1 }\n")
	microfntest.Eventually(t, waitReload, func() (bool, string) {
		r := in.Get("/openapi.json")
		return strings.Contains(r.Body, `"/Added"`), "no /Added in the document yet"
	})
}
