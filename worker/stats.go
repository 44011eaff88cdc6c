package worker

import (
	"encoding/json"
	"os"
	"runtime/metrics"

	"github.com/microfn/microfn/state/dbconf"
)

// Stats are what a worker says of its process when its server asks
// (protocol.MethodStats), for the server's /metrics.
type Stats struct {
	// Goroutines is the number of live goroutines.
	Goroutines uint64 `json:"goroutines"`
	// HeapBytes is the memory occupied by live heap objects and dead
	// ones not yet freed.
	HeapBytes uint64 `json:"heap_bytes"`
	// GCCycles is the number of completed garbage collections.
	GCCycles uint64 `json:"gc_cycles"`
	// Databases are the statements the process ran on each database, by
	// package, since it started.
	Databases []dbconf.Stats `json:"databases,omitempty"`
	// PID is the process's id: counts start again with a new process.
	PID int `json:"pid"`
	// Local counts the nested calls run in the process (--monolith),
	// since it started.
	Local []LocalCall `json:"local,omitempty"`
	// Waiting counts the attempts that wait for a slot of a service
	// whose calls the host admits (HostConfig.Admit), by route, for
	// the routes that have any.
	Waiting map[string]int `json:"waiting,omitempty"`
}

// statsSamples are the runtime metrics Stats reads.
var statsSamples = [...]string{
	"/sched/goroutines:goroutines",
	"/memory/classes/heap/objects:bytes",
	"/gc/cycles/total:gc-cycles",
}

// readStats reads the process's Stats, as JSON, with the nested calls
// the host ran in process.
func (h *Host) readStats() []byte {
	samples := make([]metrics.Sample, len(statsSamples))
	for i, n := range statsSamples {
		samples[i].Name = n
	}
	metrics.Read(samples)
	u := func(i int) uint64 {
		if samples[i].Value.Kind() == metrics.KindUint64 {
			return samples[i].Value.Uint64()
		}
		return 0
	}
	b, _ := json.Marshal(Stats{Goroutines: u(0), HeapBytes: u(1), GCCycles: u(2), Databases: dbconf.Snapshot(), PID: os.Getpid(), Local: h.tally.snapshot(), Waiting: h.waiting()})
	return b
}

// waiting returns the attempts that wait for a slot, by route, for the
// routes that have any, when the host admits its attempts.
func (h *Host) waiting() map[string]int {
	if !h.cfg.Admit {
		return nil
	}
	var m map[string]int
	for route, e := range h.routes {
		if n := e.limiter.Waiting(); n > 0 {
			if m == nil {
				m = map[string]int{}
			}
			m[route] = n
		}
	}
	return m
}
