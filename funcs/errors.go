package funcs

import (
	"errors"
	"fmt"
	"go/scanner"
	"go/token"
	"sort"
	"strings"
)

// A SourceError is a problem found in a package's source, with its position.
type SourceError struct {
	Pos token.Position
	Msg string
}

// Error formats the error as file:line:col: message.
func (e *SourceError) Error() string {
	if e.Pos.IsValid() || e.Pos.Filename != "" {
		return e.Pos.String() + ": " + e.Msg
	}
	return e.Msg
}

// ErrorList is a list of positioned errors, sorted by position. It is the
// error type [Load] returns when the source has problems.
type ErrorList []*SourceError

// Error reports the first error and how many more there are. Use
// [ErrorList.Lines] to show them all.
func (l ErrorList) Error() string {
	switch len(l) {
	case 0:
		return "no errors"
	case 1:
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0], len(l)-1)
}

// Lines returns every error, one file:line:col: message per line.
func (l ErrorList) Lines() string {
	var b strings.Builder
	for _, e := range l {
		b.WriteString(e.Error())
		b.WriteByte('\n')
	}
	return b.String()
}

// Unwrap returns the errors of the list, for errors.Is and errors.As.
func (l ErrorList) Unwrap() []error {
	errs := make([]error, len(l))
	for i, e := range l {
		errs[i] = e
	}
	return errs
}

// Sort sorts the list by position.
func (l ErrorList) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i].Pos, l[j].Pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// errorSink collects positioned errors while a package is loaded.
type errorSink struct {
	fset *token.FileSet
	list ErrorList
}

func (s *errorSink) errorf(pos token.Pos, format string, args ...any) {
	s.list = append(s.list, &SourceError{Pos: s.fset.Position(pos), Msg: fmt.Sprintf(format, args...)})
}

// addParse records the errors of go/parser, which come as a scanner.ErrorList.
func (s *errorSink) addParse(err error) {
	var list scanner.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			s.list = append(s.list, &SourceError{Pos: e.Pos, Msg: e.Msg})
		}
		return
	}
	s.list = append(s.list, &SourceError{Msg: err.Error()})
}

func (s *errorSink) err() error {
	if len(s.list) == 0 {
		return nil
	}
	s.list.Sort()
	return s.list
}
