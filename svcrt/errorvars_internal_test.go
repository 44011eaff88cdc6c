package svcrt

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"testing"
)

// isAll is an error with an Is method, which matching by value cannot
// see through.
type isAll struct{}

func (isAll) Error() string        { return "is all" }
func (isAll) Is(target error) bool { return target == io.ErrUnexpectedEOF }

// TestStdErrorMatch: the standard library's error variables an error
// matches, by value along its tree, or with errors.Is when the tree has an
// Is method or a value that cannot be compared.
func TestStdErrorMatch(t *testing.T) {
	vars := map[string]error{}
	for _, v := range []struct {
		name string
		err  error
	}{
		{"io.EOF", io.EOF}, {"io.ErrUnexpectedEOF", io.ErrUnexpectedEOF}, {"io/fs.ErrNotExist", fs.ErrNotExist},
		{"os.ErrNotExist", os.ErrNotExist}, {"io/fs.ErrClosed", fs.ErrClosed}, {"os.ErrClosed", os.ErrClosed},
		{"io.ErrShortWrite", io.ErrShortWrite}, {"os.ErrDeadlineExceeded", os.ErrDeadlineExceeded},
	} {
		vars[v.name] = v.err
	}
	std := NewStdErrors(vars)
	for _, tc := range []struct {
		name string
		err  error
		want []string
	}{
		{"plain", errors.New("x"), nil},
		{"direct", io.EOF, []string{"io.EOF"}},
		{"wrapped", fmt.Errorf("a: %w", fmt.Errorf("b: %w", io.EOF)), []string{"io.EOF"}},
		{"two names, one value", fmt.Errorf("open: %w", fs.ErrNotExist), []string{"io/fs.ErrNotExist", "os.ErrNotExist"}},
		{"joined", errors.Join(io.EOF, os.ErrClosed), []string{"io.EOF", "io/fs.ErrClosed", "os.ErrClosed"}},
		{"twice", errors.Join(io.EOF, fmt.Errorf("%w", io.EOF)), []string{"io.EOF"}},
		{"Is method", errors.Join(isAll{}, io.EOF), []string{"io.EOF", "io.ErrUnexpectedEOF"}},
	} {
		got := std.match(tc.err)
		var want []string
		for _, n := range tc.want {
			if _, ok := std.values[n]; ok { // as this Go's standard library has it
				want = append(want, n)
			}
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, want)
		}
		// Whatever the path, the answer is what errors.Is says.
		var is []string
		for _, n := range std.names {
			if errors.Is(tc.err, std.values[n]) {
				is = append(is, n)
			}
		}
		if !slices.Equal(got, is) {
			t.Errorf("%s: got %v, errors.Is gives %v", tc.name, got, is)
		}
	}
}

// TestLazyStdErrors: a table made with LazyStdErrors reads its variables
// when first used, by whichever method, once, and then answers as one
// made with NewStdErrors.
func TestLazyStdErrors(t *testing.T) {
	t.Parallel()
	vars := map[string]error{"io.EOF": io.EOF, "io/fs.ErrNotExist": fs.ErrNotExist, "os.ErrNotExist": os.ErrNotExist}
	eager := NewStdErrors(vars)
	for _, tc := range []struct {
		name string
		use  func(std *StdErrors) any
	}{
		{"match", func(std *StdErrors) any { return std.match(fmt.Errorf("x: %w", fs.ErrNotExist)) }},
		{"Names", func(std *StdErrors) any { return std.Names() }},
		{"value", func(std *StdErrors) any { v, _ := std.value("io.EOF"); return v }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			loads := 0
			std := LazyStdErrors(func() map[string]error { loads++; return vars })
			if loads != 0 {
				t.Fatalf("read the variables %d times before any use", loads)
			}
			got, want := tc.use(std), tc.use(eager)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got %v, NewStdErrors gives %v", got, want)
			}
			tc.use(std)
			if loads != 1 {
				t.Errorf("read the variables %d times, want once", loads)
			}
		})
	}
}
