package dbconf

import (
	"sort"
	"sync"
	"time"
)

// QueryBuckets are the upper bounds, in seconds, of the buckets of the
// latency of queries.
var QueryBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// Stats are the queries a process made on one database since it started.
type Stats struct {
	// Database is the database's name.
	Database string `json:"database"`
	// Queries and Errors count the statements run and those that failed.
	Queries uint64 `json:"queries"`
	Errors  uint64 `json:"errors"`
	// Seconds is the time they took, added up.
	Seconds float64 `json:"seconds"`
	// Buckets count the statements that took at most QueryBuckets[i]
	// seconds, cumulatively.
	Buckets []uint64 `json:"buckets"`
}

// The process's counters of queries, by database: like the
// configuration, state of the process that every database it opens
// reports to, and that its server reads (worker.Stats).
var counters struct {
	mu   sync.Mutex
	byDB map[string]*Stats
}

// Observe counts one statement run on database name, which took d and
// failed with err.
func Observe(name string, d time.Duration, err error) {
	counters.mu.Lock()
	defer counters.mu.Unlock()
	if counters.byDB == nil {
		counters.byDB = map[string]*Stats{}
	}
	st := counters.byDB[name]
	if st == nil {
		st = &Stats{Database: name, Buckets: make([]uint64, len(QueryBuckets))}
		counters.byDB[name] = st
	}
	st.Queries++
	if err != nil {
		st.Errors++
	}
	s := d.Seconds()
	st.Seconds += s
	for i, b := range QueryBuckets {
		if s <= b {
			st.Buckets[i]++
		}
	}
}

// Snapshot returns the process's counters, sorted by database.
func Snapshot() []Stats {
	counters.mu.Lock()
	defer counters.mu.Unlock()
	out := make([]Stats, 0, len(counters.byDB))
	for _, st := range counters.byDB {
		c := *st
		c.Buckets = append([]uint64(nil), st.Buckets...)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Database < out[j].Database })
	return out
}
