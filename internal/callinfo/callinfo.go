// Package callinfo is what a host of service code attaches to the context
// of a call, and what package microfn reads of it: the request the call
// answers, and what the code sets of the answer.
package callinfo

import (
	"context"
	"net/http"
	"sync"
)

// Info is what a host attaches to the context of a call.
type Info struct {
	mu     sync.Mutex // guards header and status
	header http.Header
	status int

	// Request is the request the call answers: a *microfn.Request, which
	// this package cannot name (package microfn imports it).
	Request any
}

// Key is the context key under which a host stores an *Info.
var Key any = key{}

type key struct{}

// From returns the Info of the call whose context ctx is, or nil.
func From(ctx context.Context) *Info {
	if ctx == nil {
		return nil
	}
	i, _ := ctx.Value(Key).(*Info)
	return i
}

// SetHeader sets a header of the answer.
func (i *Info) SetHeader(name, value string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.header == nil {
		i.header = http.Header{}
	}
	i.header.Set(name, value)
}

// AddHeader adds a value to a header of the answer.
func (i *Info) AddHeader(name, value string) {
	i.mu.Lock()
	defer i.mu.Unlock()
	if i.header == nil {
		i.header = http.Header{}
	}
	i.header.Add(name, value)
}

// SetStatus sets the status of a successful answer.
func (i *Info) SetStatus(status int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.status = status
}

// Answer returns what the code set of the answer: its headers and its
// status, 0 if it set none.
func (i *Info) Answer() (http.Header, int) {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.header, i.status
}
