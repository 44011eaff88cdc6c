package server

import (
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/microfn/microfn/supervisor"
)

// crashLog keeps the crashes of each package's workers, across versions,
// for /healthz and the metrics.
type crashLog struct {
	metric *prometheus.CounterVec

	mu    sync.Mutex // guards byPkg
	byPkg map[string]*CrashStatus
}

// CrashStatus is what /healthz and /readyz say of the crashes of a
// package's worker processes.
type CrashStatus struct {
	// Count is how many times a worker of the package died since the
	// server started.
	Count int `json:"count"`
	// LastError is the first line of the last fatal error.
	LastError string `json:"last_error"`
	// LastAt is when the last crash happened (RFC 3339).
	LastAt string `json:"last_at"`
}

func (l *crashLog) add(rel string, c supervisor.Crash) {
	l.mu.Lock()
	if l.byPkg == nil {
		l.byPkg = map[string]*CrashStatus{}
	}
	st := l.byPkg[rel]
	if st == nil {
		st = &CrashStatus{}
		l.byPkg[rel] = st
	}
	st.Count++
	st.LastError = c.Reason
	st.LastAt = c.At.Format(time.RFC3339Nano)
	l.mu.Unlock()
	if l.metric != nil {
		l.metric.WithLabelValues(rel).Inc()
	}
}

// get returns the crashes of the package in rel, or nil if none.
func (l *crashLog) get(rel string) *CrashStatus {
	l.mu.Lock()
	defer l.mu.Unlock()
	if st := l.byPkg[rel]; st != nil {
		c := *st
		return &c
	}
	return nil
}
