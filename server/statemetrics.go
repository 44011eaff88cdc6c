package server

import (
	"path/filepath"
	"sort"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/proto"

	"github.com/microfn/microfn/state/dbconf"
)

// The metrics of the databases of service code, counted where the
// statements run (state.Set, in the workers or, with IsolateNone, in the
// server) and gathered on every scrape.
const (
	metricDBQueries  = "microfn_db_queries_total"
	metricDBErrors   = "microfn_db_query_errors_total"
	metricDBDuration = "microfn_db_query_duration_seconds"
)

// dbStats adds up the statements of service code by database and
// package, for /metrics.
type dbStats map[[2]string]*dbconf.Stats

// add adds st, run by the package pkg.
func (d dbStats) add(pkg string, st dbconf.Stats) {
	k := [2]string{st.Database, pkg}
	sum := d[k]
	if sum == nil {
		sum = &dbconf.Stats{Database: st.Database, Package: pkg, Buckets: make([]uint64, len(dbconf.QueryBuckets))}
		d[k] = sum
	}
	sum.Queries += st.Queries
	sum.Errors += st.Errors
	sum.Seconds += st.Seconds
	for i := range min(len(sum.Buckets), len(st.Buckets)) {
		sum.Buckets[i] += st.Buckets[i]
	}
}

// families returns the metric families of the statements.
func (d dbStats) families() []*dto.MetricFamily {
	if len(d) == 0 {
		return nil
	}
	keys := make([][2]string, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	queries := &dto.MetricFamily{Name: proto.String(metricDBQueries), Help: proto.String("Statements run on a database by the code of a package (queries, executions, statements of transactions)."), Type: dto.MetricType_COUNTER.Enum()}
	errs := &dto.MetricFamily{Name: proto.String(metricDBErrors), Help: proto.String("Statements run on a database by the code of a package that failed."), Type: dto.MetricType_COUNTER.Enum()}
	dur := &dto.MetricFamily{Name: proto.String(metricDBDuration), Help: proto.String("Time a database took to run a statement of the code of a package (reading the rows of a query not included)."), Type: dto.MetricType_HISTOGRAM.Enum()}
	for _, k := range keys {
		st := d[k]
		labels := []*dto.LabelPair{{Name: proto.String("database"), Value: proto.String(st.Database)}, {Name: proto.String("package"), Value: proto.String(st.Package)}}
		queries.Metric = append(queries.Metric, &dto.Metric{Label: labels, Counter: &dto.Counter{Value: proto.Float64(float64(st.Queries))}})
		errs.Metric = append(errs.Metric, &dto.Metric{Label: labels, Counter: &dto.Counter{Value: proto.Float64(float64(st.Errors))}})
		h := &dto.Histogram{SampleCount: proto.Uint64(st.Queries), SampleSum: proto.Float64(st.Seconds)}
		for i, b := range dbconf.QueryBuckets {
			h.Bucket = append(h.Bucket, &dto.Bucket{UpperBound: proto.Float64(b), CumulativeCount: proto.Uint64(st.Buckets[i])})
		}
		dur.Metric = append(dur.Metric, &dto.Metric{Label: labels, Histogram: h})
	}
	return []*dto.MetricFamily{queries, errs, dur}
}

// dbPackage names the package whose code ran statements that a process
// counted under pkg (the folder of an interpreted package, or "" for
// compiled code) in the worker of the package in rel ("shared" for the
// shared worker, "" for the server's own process).
func (s *Server) dbPackage(rel, pkg string) string {
	if pkg == "" {
		if rel == "shared" {
			return ""
		}
		return rel
	}
	r, err := filepath.Rel(s.root, pkg)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) || filepath.IsAbs(r) {
		if rel == "shared" {
			return ""
		}
		return rel
	}
	return filepath.ToSlash(r)
}

// localDBMetrics gathers the statements of the service code that runs
// in the server's own process (IsolateNone): those of its interpreter,
// and those of a built application's compiled code.
type localDBMetrics struct{ s *Server }

// Gather returns the database metrics of the server's process.
func (l localDBMetrics) Gather() ([]*dto.MetricFamily, error) {
	d := dbStats{}
	for _, st := range l.s.state.set.Counters().Snapshot() {
		d.add(l.s.dbPackage("", st.Package), st)
	}
	if l.s.cfg.prebuilt != nil {
		// A built application's compiled code counts in the process's
		// counters (it declared its databases as it initialised).
		for _, st := range dbconf.Snapshot() {
			d.add(l.s.dbPackage("", st.Package), st)
		}
	}
	return d.families(), nil
}
