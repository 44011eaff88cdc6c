package worker

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// A worker's memory. A worker's live heap is a few megabytes (its
// packages, the interpreter), far below the garbage collector's minimum
// goal (4 MB of heap at GOGC=100), so what it holds beyond the Go
// runtime's own is mostly garbage and freed pages the runtime keeps for
// the next allocations: after the start (package initialisation, the
// interpreter's parsing and type checking) and after a burst of calls.
// The worker returns them to the operating system whenever it has gone
// quiet after work (trimWhenIdle), its start included, which costs a
// collection of its small heap each time and nothing while it works: not
// right after it is ready, when the reload that started it is still
// running (a collection of a big interpreted heap then took about 20 ms
// of the processor from it per worker).

// startCheck is how soon after it is ready a worker first checks whether
// it is quiet: its start's garbage goes back half a second after the
// reload, unless calls keep it busy.
const startCheck = 500 * time.Millisecond

// startHeapMin is the heap (live and dead objects) from which a worker
// returns the garbage of its start: a compiled worker's, about 0.45 MB,
// would lose more to the collection (its mark workers, buffers) than it
// returned.
const startHeapMin = 1 << 20

// idleCheck is how often a worker checks whether it has gone quiet (see
// trimWhenIdle): it returns its spare memory one to two periods after its
// last call.
const idleCheck = 5 * time.Second

// trimWhenIdle returns the worker's spare memory to the operating system
// each time it has gone quiet after allocating, its start counting as
// allocating when its heap is startHeapMin or more; checked first after
// first, then every period, until done is closed.
func trimWhenIdle(done <-chan struct{}, first, period time.Duration) {
	t := time.NewTimer(first)
	defer t.Stop()
	tr := idleTrimmer{last: readMetric(heapAllocs), trimmed: readMetric(heapObjects) < startHeapMin}
	for {
		select {
		case <-done:
			return
		case <-t.C:
			if tr.next(readMetric(heapAllocs), spareHeap()) {
				debug.FreeOSMemory()
			}
			t.Reset(period)
		}
	}
}

// An idleTrimmer tells, from the worker's allocations sampled once a
// period, when it has gone quiet after a time of work: the moment to
// return its spare memory, once per time of work.
type idleTrimmer struct {
	last    uint64 // the cumulative bytes allocated at the last sample
	trimmed bool   // returned since the last time of work
}

// quietAllocs is what a quiet worker may allocate in a period (its
// runtime's and timers' own).
const quietAllocs = 64 << 10

// spareMin is the spare memory (see spareHeap) worth a collection to
// return.
const spareMin = 512 << 10

// next takes the sample of a period, allocs the cumulative bytes
// allocated and spare what returning would free, and reports whether to
// return it now: the worker allocated little during the period, worked
// (allocated more) since it last returned memory, and there is at least
// spareMin to return.
func (tr *idleTrimmer) next(allocs, spare uint64) bool {
	grew := allocs - tr.last
	tr.last = allocs
	if grew > quietAllocs {
		tr.trimmed = false
		return false
	}
	if tr.trimmed || spare < spareMin {
		return false
	}
	tr.trimmed = true
	return true
}

// The runtime/metrics the worker reads.
const (
	heapAllocs  = "/gc/heap/allocs:bytes"
	heapObjects = "/memory/classes/heap/objects:bytes"
	heapLive    = "/gc/heap/live:bytes"
	heapFree    = "/memory/classes/heap/free:bytes"
)

// spareHeap is what returning the worker's spare memory would free: the
// heap's dead objects (its objects less those live at the last
// collection) and its free pages not yet returned.
func spareHeap() uint64 {
	objects, live := readMetric(heapObjects), readMetric(heapLive)
	var dead uint64
	if objects > live {
		dead = objects - live
	}
	return dead + readMetric(heapFree)
}

// readMetric returns the runtime/metrics value of name, or 0 if the
// runtime has no such metric.
func readMetric(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
