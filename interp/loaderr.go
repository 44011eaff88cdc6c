package interp

import (
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/interp/internal/typesutil"
	"github.com/microfn/microfn/interp/rewrite"
)

// Positions of load errors. Every error Load returns names a position in
// the user's files: the interpreter's positions in the rewritten files
// are mapped to the user's by the rewrite (rewrite.UserPosition), and an
// error the interpreter gives without a position (a panic while the
// package initialises) is placed where the panic happened, or at the
// package clause.

var (
	// importWrapper matches what the interpreter puts before the error of
	// an import.
	importWrapper = regexp.MustCompile(`^\d+:\d+: import "[^"]*" error: `)
	// positioned matches a line of an error with a position.
	positioned = regexp.MustCompile(`^(.+?):(\d+):(\d+): (.*)$`)
)

// sourceError turns an interpreter error into a funcs.ErrorList with
// positions in the user's files (see rewrite.UserPosition). loaded are
// the packages the interpreter read, with their rewritten sources; panics
// knows where a panic while the package initialised happened, for an
// error without a position.
func (l *Loader) sourceError(loaded []loadedSource, err error, panics *panicRecorder) error {
	msg := realPaths(loaded).Replace(importWrapper.ReplaceAllString(err.Error(), ""))
	main := loaded[0]
	position := func(file string, line, col int) (token.Position, bool) {
		ls := main
		for _, o := range loaded[1:] {
			if filepath.ToSlash(filepath.Dir(file)) == filepath.ToSlash(filepath.Clean(o.src.Dir)) {
				ls = o
			}
		}
		return rewrite.UserPosition(ls.src, ls.files, file, line, col)
	}
	var list funcs.ErrorList
	for _, line := range strings.Split(strings.TrimSpace(msg), "\n") {
		// A message of a recovered panic starts with interpFailed; the
		// position follows it.
		prefix := ""
		if strings.HasPrefix(line, interpFailed) {
			prefix, line = interpFailed, strings.TrimPrefix(line, interpFailed)
		}
		if m := positioned.FindStringSubmatch(line); m != nil {
			ln, _ := strconv.Atoi(m[2])
			col, _ := strconv.Atoi(m[3])
			if pos, ok := position(m[1], ln, col); ok {
				list = append(list, &funcs.SourceError{Pos: pos, Msg: prefix + m[4]})
				continue
			}
		}
		// No position in the user's files: a panic of the package's code
		// while it initialised, where it happened, or else a failure of
		// the interpreter, at the package clause.
		pos, msg := typesutil.PackagePosition(main.src), interpFailed+line
		if panics != nil {
			if file, ln, col, ok := panics.position(); ok {
				l, _ := strconv.Atoi(ln)
				c, _ := strconv.Atoi(col)
				if p, ok := position(file, l, c); ok {
					pos, msg = p, "panic while the package initialised: "+line
				}
			}
		}
		list = append(list, &funcs.SourceError{Pos: pos, Msg: msg})
	}
	return list
}

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
