// Package prog writes with fmt, io and log to values of its own types
// that also have String or Error methods.
package prog

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"strings"
)

type Buffer struct{ buf []byte }

func (b *Buffer) Write(p []byte) (int, error) { b.buf = append(b.buf, p...); return len(p), nil }
func (b *Buffer) String() string              { return "Buffer(" + string(b.buf) + ")" }

type Counter struct{ n int }

func (c *Counter) Write(p []byte) (int, error) { c.n += len(p); return len(p), nil }
func (c *Counter) Error() string               { return fmt.Sprint("counted ", c.n) }

type Builder struct{ b *strings.Builder }

func (s Builder) Write(p []byte) (int, error) { return s.b.Write(p) }
func (s Builder) String() string              { return "Builder(" + s.b.String() + ")" }

// Write prints to writers with String and Error methods, directly, in an
// io.Writer variable and through bufio and log.
//
//microfn:service
func Write(n int, word string) []string {
	b := &Buffer{}
	fmt.Fprintf(b, "%s=%d;", word, n)
	fmt.Fprint(b, "self:", b, ";")
	fmt.Fprintln(b, word)
	c := &Counter{}
	fmt.Fprintf(c, "%*d", n, n)
	s := Builder{&strings.Builder{}}
	fmt.Fprintf(s, "%v/%v", word, n)
	var w io.Writer = b
	fmt.Fprintf(w, "[%d]", n)
	io.WriteString(b, "!")
	bw := bufio.NewWriter(b)
	fmt.Fprintf(bw, "buffered %q", word)
	bw.Flush()
	l := log.New(s, "log:", 0)
	l.Printf("%d", n)
	fmt.Fprintf(b.self(), "<%d>", n)
	var direct Buffer
	fmt.Fprintf(&direct, "%s", word)
	type local struct{ Buffer }
	var l2 local
	fmt.Fprintf(&l2, "local %d", n)
	return []string{b.String(), fmt.Sprint(c), fmt.Sprintf("%v %s", s, c), fmt.Sprintf("%q", b), direct.String(), l2.String()}
}

// Errors writes to a value of a type with Write and Error methods and
// returns it as the error.
//
//microfn:service
func Errors(n int) error {
	c := &Counter{}
	fmt.Fprintf(c.self(), "%0*d", n, 0)
	if n == 0 {
		return nil
	}
	return c
}

func (c *Counter) self() *Counter { return c }

func (b *Buffer) self() *Buffer { return b }
