package server

import (
	"sort"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/procfs"
	"google.golang.org/protobuf/proto"

	"github.com/microfn/microfn/supervisor"
)

// WorkerPIDs returns the process ids of every worker process running now,
// sorted.
func (s *Server) WorkerPIDs() []int {
	var out []int
	s.packages.each(func(st *pkgState) {
		if st.current != nil && st.current.group != nil {
			out = append(out, st.current.group.PIDs()...)
		}
	})
	if s.shared != nil {
		if g := s.shared.group.Load(); g != nil {
			out = append(out, g.PIDs()...)
		}
	}
	sort.Ints(out)
	return out
}

// SparePIDs returns the process ids of the spare processes waiting for a
// save now (see supervisor.Spares), sorted; none when the folder is not
// watched or with IsolateNone.
func (s *Server) SparePIDs() []int { return s.spares.PIDs() }

// workerMetrics gathers the metrics of the current worker of every
// package, each series labelled with its package (worker="billing"), so
// that one /metrics shows the whole server: what the worker says of its
// Go runtime (worker.Stats), and what the kernel says of its process;
// and the statements each package ran on each database.
type workerMetrics struct{ s *Server }

// Gather asks every worker for its statistics. A worker that does not
// answer (it is restarting) is left out.
func (w workerMetrics) Gather() ([]*dto.MetricFamily, error) {
	groups := map[string]*supervisor.Group{}
	versions := map[string]*version{}
	w.s.packages.each(func(st *pkgState) {
		if st.current != nil && st.current.group != nil {
			groups[st.rel] = st.current.group
			versions[st.rel] = st.current
		}
	})
	if w.s.shared != nil {
		if g := w.s.shared.group.Load(); g != nil {
			groups["shared"] = g
		}
	}
	fams := map[string]*dto.MetricFamily{}
	add := func(name, help string, typ dto.MetricType, rel string, v float64) {
		f := fams[name]
		if f == nil {
			f = &dto.MetricFamily{Name: proto.String(name), Help: proto.String(help), Type: typ.Enum()}
			fams[name] = f
		}
		m := &dto.Metric{Label: []*dto.LabelPair{{Name: proto.String("worker"), Value: proto.String(rel)}}}
		if typ == dto.MetricType_COUNTER {
			m.Counter = &dto.Counter{Value: proto.Float64(v)}
		} else {
			m.Gauge = &dto.Gauge{Value: proto.Float64(v)}
		}
		f.Metric = append(f.Metric, m)
	}
	dbs := dbStats{}
	for rel, g := range groups {
		st, ok := workerStats(g, time.Second)
		if !ok {
			continue
		}
		for _, d := range st.Databases {
			dbs.add(w.s.dbPackage(rel, d.Package), d)
		}
		w.s.tally.absorb(w.s.metrics, g, st)
		if v := versions[rel]; v != nil {
			setWaiting(v, st.Waiting)
		}
		add("go_goroutines", "Number of goroutines that currently exist.", dto.MetricType_GAUGE, rel, float64(st.Goroutines))
		add("go_memstats_heap_alloc_bytes", "Number of heap bytes allocated and currently in use.", dto.MetricType_GAUGE, rel, float64(st.HeapBytes))
		add("go_gc_cycles_total", "Number of completed GC cycles.", dto.MetricType_COUNTER, rel, float64(st.GCCycles))
		if p, err := procfs.NewProc(g.PID()); err == nil {
			if stat, err := p.Stat(); err == nil {
				add("process_resident_memory_bytes", "Resident memory size in bytes.", dto.MetricType_GAUGE, rel, float64(stat.ResidentMemory()))
				add("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", dto.MetricType_COUNTER, rel, stat.CPUTime())
			}
		}
	}
	if w.s.spares != nil {
		fams["microfn_spare_processes"] = &dto.MetricFamily{
			Name:   proto.String("microfn_spare_processes"),
			Help:   proto.String("Number of started worker and prepare processes waiting for their code, kept while the folder is watched so that a save need not start processes."),
			Type:   dto.MetricType_GAUGE.Enum(),
			Metric: []*dto.Metric{{Gauge: &dto.Gauge{Value: proto.Float64(float64(len(w.s.spares.PIDs())))}}},
		}
	}
	out := make([]*dto.MetricFamily, 0, len(fams)+3)
	for _, f := range fams {
		out = append(out, f)
	}
	return append(out, dbs.families()...), nil
}

// setWaiting sets microfn_waiting of the services of v whose worker
// admits their calls (see admit.go) to what the worker says wait: the
// server does not see them wait. It runs before the server's own
// metrics are gathered.
func setWaiting(v *version, waiting map[string]int) {
	for _, e := range v.endpoints {
		if e.admit {
			e.metrics.waiting.Set(float64(waiting[e.route]))
		}
	}
}
