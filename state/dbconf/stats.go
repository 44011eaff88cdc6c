package dbconf

import (
	"sort"
	"sync"
	"time"
)

// QueryBuckets are the upper bounds, in seconds, of the buckets of the
// latency of queries.
var QueryBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5}

// Stats are the statements one package of a process ran on one database
// since the process started.
type Stats struct {
	// Database is the database's name.
	Database string `json:"database"`
	// Package is what ran them: the folder of the package whose code
	// declared the database (see state.Set.ForPackage), or "" where
	// the process does not tell its packages apart (compiled code),
	// when its server names the package by the worker.
	Package string `json:"package,omitempty"`
	// Queries and Errors count the statements run and those that failed.
	Queries uint64 `json:"queries"`
	Errors  uint64 `json:"errors"`
	// Seconds is the time they took, added up.
	Seconds float64 `json:"seconds"`
	// Buckets count the statements that took at most QueryBuckets[i]
	// seconds, cumulatively.
	Buckets []uint64 `json:"buckets"`
}

// Counters count the statements run on databases, by database and
// package. The zero value is ready to use; it is safe for concurrent use.
type Counters struct {
	mu sync.Mutex
	by map[statsKey]*Stats
}

type statsKey struct{ database, pkg string }

// Observe counts one statement run on database name by package pkg,
// which took d and failed with err.
func (c *Counters) Observe(name, pkg string, d time.Duration, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.by == nil {
		c.by = map[statsKey]*Stats{}
	}
	k := statsKey{name, pkg}
	st := c.by[k]
	if st == nil {
		st = &Stats{Database: name, Package: pkg, Buckets: make([]uint64, len(QueryBuckets))}
		c.by[k] = st
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

// Snapshot returns the counters, sorted by database and package.
func (c *Counters) Snapshot() []Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]Stats, 0, len(c.by))
	for _, st := range c.by {
		s := *st
		s.Buckets = append([]uint64(nil), st.Buckets...)
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Database != out[j].Database {
			return out[i].Database < out[j].Database
		}
		return out[i].Package < out[j].Package
	})
	return out
}

// processCounters are the process's counters: like the configuration,
// state of the process, which every database it opens without counters
// of its own reports to, and which its server reads (worker.Stats).
var processCounters Counters

// ProcessCounters returns the process's counters.
func ProcessCounters() *Counters { return &processCounters }

// Snapshot returns the process's counters, sorted by database and
// package.
func Snapshot() []Stats { return processCounters.Snapshot() }
