package interp

import (
	"regexp"
	"sync"
)

// Positions of load errors. Every error Load returns names a position in
// the user's files: the interpreter's positions in the generated file and
// in the proxies the rewrite appends to a file are mapped to the
// declarations they stand for, and an error the interpreter gives without
// a position (a panic while the package initialises) is placed where the
// panic happened, or at the package clause.

// panicLine matches what the interpreter prints on its standard error for
// each function a panic goes through, innermost first.
var panicLine = regexp.MustCompile(`^(.+?):(\d+):(\d+): panic: `)

// panicRecorder remembers where the first panic the interpreter reported
// while a package loaded happened. It is safe for concurrent use.
type panicRecorder struct {
	mu    sync.Mutex
	done  bool
	first string // the line, with the user's file names
}

// line sees a line the interpreter printed on its standard error.
func (r *panicRecorder) line(s string) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.done && r.first == "" && panicLine.MatchString(s) {
		r.first = s
	}
}

// stop ends the recording: the package has loaded.
func (r *panicRecorder) stop() {
	r.mu.Lock()
	r.done = true
	r.mu.Unlock()
}

// position returns where the first panic happened.
func (r *panicRecorder) position() (filename string, line, col string, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := panicLine.FindStringSubmatch(r.first)
	if m == nil {
		return "", "", "", false
	}
	return m[1], m[2], m[3], true
}
