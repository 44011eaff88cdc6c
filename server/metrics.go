package server

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus metrics, on its own registry.
type metrics struct {
	registry       *prometheus.Registry
	calls          *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	attempts       *prometheus.CounterVec
	retries        *prometheus.CounterVec
	inFlight       *prometheus.GaugeVec
	waiting        *prometheus.GaugeVec
	rejected       *prometheus.CounterVec
	timeouts       *prometheus.CounterVec
	runaways       *prometheus.GaugeVec
	runawaysTotal  *prometheus.CounterVec
	nested         *prometheus.CounterVec
	reloads        *prometheus.CounterVec
	reloadDuration *prometheus.HistogramVec
	reloadSuccess  *prometheus.GaugeVec
	crashes        *prometheus.CounterVec
	builds         *prometheus.CounterVec
	buildDuration  *prometheus.HistogramVec
	tier           *prometheus.GaugeVec
	shadowCalls    *prometheus.CounterVec
	shadowDiffs    *prometheus.CounterVec

	// workers gathers the metrics of the worker processes, if any.
	workers prometheus.Gatherer
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		calls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microfn_calls_total",
			Help: "Calls of a service that finished, by route and HTTP status code (nested calls included; via is http or local).",
		}, []string{"service", "code", "via"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "microfn_call_duration_seconds",
			Help:    "Time from receiving a call to answering it, retries and waits included.",
			Buckets: prometheus.ExponentialBuckets(0.0001, 4, 10),
		}, []string{"service"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microfn_call_attempts_total",
			Help: "Attempts made by calls of a service, first attempts included.",
		}, []string{"service"}),
		retries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microfn_call_retries_total",
			Help: "Attempts after the first, by the server (calls from outside) or by a proxy (nested calls).",
		}, []string{"service"}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "microfn_in_flight",
			Help: "Executions of a service running now.",
		}, []string{"service"}),
		waiting: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "microfn_waiting",
			Help: "Calls waiting for a slot of a service's concurrency limit (scale).",
		}, []string{"service"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microfn_rejected_total",
			Help: "Attempts rejected with 429 because the service's queue was full.",
		}, []string{"service"}),
		timeouts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microfn_timeouts_total",
			Help: "Attempts that ran past the service's timeout and were answered 504.",
		}, []string{"service"}),
		runaways: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "microfn_runaways",
			Help: "Executions still running after their attempt timed out; each keeps its slot until it ends.",
		}, []string{"service"}),
		runawaysTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microfn_runaways_total",
			Help: "Executions that kept running after their attempt timed out.",
		}, []string{"service"}),
		nested: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microfn_nested_calls_total",
			Help: "Calls made by one service to another through a proxy, by caller, callee and outcome code: the call graph.",
		}, []string{"caller", "callee", "code"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microfn_reloads_total",
			Help: "Package loads, by package directory and outcome (ok or error).",
		}, []string{"package", "outcome"}),
		reloadDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "microfn_reload_duration_seconds",
			Help:    "Time to read, check, rewrite and interpret a package.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 12),
		}, []string{"package"}),
		reloadSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "microfn_reload_success",
			Help: "1 if the package's last load succeeded, 0 if an older version is serving (or none).",
		}, []string{"package"}),
		crashes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microfn_worker_crashes_total",
			Help: "Worker processes of a package that died of a fatal error (and were restarted).",
		}, []string{"package"}),
		builds: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microfn_builds_total",
			Help: "Builds of compiled workers, by package directory and outcome (ok or error).",
		}, []string{"package", "outcome"}),
		buildDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "microfn_build_duration_seconds",
			Help:    "Time to build a compiled worker of a package and start it.",
			Buckets: prometheus.ExponentialBuckets(0.1, 2, 10),
		}, []string{"package"}),
		tier: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "microfn_tier",
			Help: "1 for the tier (interpreted or compiled) the package's current version runs at, 0 for the other.",
		}, []string{"package", "tier"}),
		shadowCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microfn_shadow_calls_total",
			Help: "Calls of a compiled version run again on its interpreted worker (--shadow), by service.",
		}, []string{"service"}),
		shadowDiffs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "microfn_shadow_differences_total",
			Help: "Shadow calls whose interpreted answer differed from the compiled one, by service.",
		}, []string{"service"}),
	}
	m.registry.MustRegister(m.crashes, m.builds, m.buildDuration, m.tier, m.shadowCalls, m.shadowDiffs,
		m.calls, m.duration, m.attempts, m.retries, m.inFlight, m.waiting, m.rejected,
		m.timeouts, m.runaways, m.runawaysTotal, m.nested, m.reloads, m.reloadDuration, m.reloadSuccess,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// routeMetrics are the metrics of one route, looked up once per endpoint
// rather than per call.
type routeMetrics struct {
	route    string
	ok       prometheus.Counter // calls answered 200 over HTTP
	duration prometheus.Observer
	attempts prometheus.Counter
	retries  prometheus.Counter
	inFlight prometheus.Gauge
	waiting  prometheus.Gauge
	// nestedOK maps a calling route to the counter of its nested calls
	// of this route that succeeded, filled as callers show up.
	nestedOK sync.Map
}

// observeNested records a nested call of rm's route made by the service at
// route caller, which ended with status.
func (m *metrics) observeNested(rm *routeMetrics, caller string, status int) {
	if status != http.StatusOK {
		m.nested.WithLabelValues(caller, rm.route, strconv.Itoa(status)).Inc()
		return
	}
	c, ok := rm.nestedOK.Load(caller)
	if !ok {
		c, _ = rm.nestedOK.LoadOrStore(caller, m.nested.WithLabelValues(caller, rm.route, "200"))
	}
	c.(prometheus.Counter).Inc()
}

func (m *metrics) forRoute(route string) *routeMetrics {
	return &routeMetrics{
		route:    route,
		ok:       m.calls.WithLabelValues(route, "200", "http"),
		duration: m.duration.WithLabelValues(route),
		attempts: m.attempts.WithLabelValues(route),
		retries:  m.retries.WithLabelValues(route),
		inFlight: m.inFlight.WithLabelValues(route),
		waiting:  m.waiting.WithLabelValues(route),
	}
}

// observeCall records a finished call of the service at route.
func (m *metrics) observeCall(rm *routeMetrics, status int, d time.Duration, st callStats, via string) {
	if status == 200 && via == "http" {
		rm.ok.Inc()
	} else {
		m.calls.WithLabelValues(rm.route, strconv.Itoa(status), via).Inc()
	}
	rm.duration.Observe(d.Seconds())
	if st.attempts > 0 {
		rm.attempts.Add(float64(st.attempts))
	}
	if st.attempts > 1 {
		rm.retries.Add(float64(st.attempts - 1))
	}
}

// observeReload records a package load.
func (m *metrics) observeReload(rel string, d time.Duration, err error) {
	outcome, success := "ok", 1.0
	if err != nil {
		outcome, success = "error", 0
	}
	m.reloads.WithLabelValues(rel, outcome).Inc()
	m.reloadDuration.WithLabelValues(rel).Observe(d.Seconds())
	m.reloadSuccess.WithLabelValues(rel).Set(success)
}

// observeBuild counts a build of a compiled worker of the package in rel.
func (m *metrics) observeBuild(rel string, d time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	} else {
		m.buildDuration.WithLabelValues(rel).Observe(d.Seconds())
	}
	m.builds.WithLabelValues(rel, outcome).Inc()
}

// observeTier records the tier of the current version of the package in
// rel.
func (m *metrics) observeTier(rel, tier string) {
	for _, t := range []string{tierInterpreted, tierCompiled} {
		v := 0.0
		if t == tier {
			v = 1
		}
		m.tier.WithLabelValues(rel, t).Set(v)
	}
}

// handler serves the metrics in the Prometheus text format: the server's
// own and its workers'.
func (m *metrics) handler() fiber.Handler {
	var g prometheus.Gatherer = m.registry
	if m.workers != nil {
		// The workers first: reading them adds the nested calls they
		// ran to the server's counters (see localTally), which the
		// registry then gives as they are now.
		g = prometheus.Gatherers{m.workers, m.registry}
	}
	return adaptor.HTTPHandler(promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}))
}
