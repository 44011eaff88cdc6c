// Package prog forms method values and defers method calls: the
// receiver is evaluated where the method value is formed.
package prog

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

type T struct{ N int }

func (t T) M() int   { return t.N }
func (t *T) PM() int { return t.N }

func (t T) report(c chan int) { c <- t.N }

type W struct{ *T }

type V struct{ T }

type I interface{ M() int }

// Bound forms method values of value and pointer receivers, through
// variables, pointers, embedded fields and interfaces, then changes the
// receivers.
//
//microfn:service
func Bound(n int) []int {
	t := T{n}
	vf, pf := t.M, t.PM
	t.N = n + 1
	q := &T{n + 2}
	qv, qp := q.M, q.PM
	q.N = n + 3
	q = &T{-1}
	w := W{&T{n + 4}}
	wv, wp := w.M, w.PM
	w.T.N = n + 5
	w.T = &T{-1}
	v := V{T{n + 6}}
	vv, vp := v.M, v.PM
	v.N = n + 7
	var i I = T{n + 8}
	iv := i.M
	i = T{-1}
	var fs []func() int
	for k := 0; k < 3; k++ {
		x := T{n + k}
		fs = append(fs, x.M)
	}
	return []int{vf(), pf(), qv(), qp(), wv(), wp(), vv(), vp(), iv(), fs[0](), fs[2]()}
}

// Statements defers method calls and starts them in goroutines: the
// receiver is evaluated with the statement.
//
//microfn:service
func Statements(n int) (out []string) {
	c := make(chan int)
	g := T{n}
	go g.report(c)
	g.N = -1
	out = append(out, fmt.Sprint("go ", <-c))
	r := T{n}
	cb := make(chan int, 1)
	defer func() { out = append(out, fmt.Sprint("reported ", <-cb)) }()
	defer func() { out = append(out, fmt.Sprint("deferred ", r.M())) }()
	defer r.report(cb)
	r.N = n + 1
	return out
}

func try(name string, f func()) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprint(name, " ", r)
		}
	}()
	f()
	return name + " returned"
}

// Nil forms method values on nil pointers: a method with a value
// receiver panics where it is formed, one with a pointer receiver does
// not.
//
//microfn:service
func Nil() []string {
	var p *T
	var log []string
	add := func(s string) { log = append(log, s) }
	add(try("value", func() { f := p.M; add("formed"); _ = f }))
	add(try("pointer", func() { f := p.PM; add("formed pm"); _ = f }))
	add(try("embedded", func() { w := W{}; f := w.M; add("formed"); _ = f }))
	add(try("embedded pointer", func() { w := W{}; f := w.PM; add("formed w.PM"); _ = f }))
	add(try("call", func() { p.M() }))
	add(try("defer", func() { defer p.M(); add("deferred") }))
	add(try("literal", func() { fs := []func() int{p.M}; add(fmt.Sprint(len(fs))) }))
	add(try("interface", func() { var i I = p; f := i.M; add("formed i.M"); _ = f }))
	return log
}

// BinaryPointer forms method values of methods with pointer receivers of
// binary types, through pointers.
//
//microfn:service
func BinaryPointer(s string) []string {
	pb := &strings.Builder{}
	ws, n := pb.WriteString, pb.Len
	ws(s)
	pbuf := new(bytes.Buffer)
	w := pbuf.Write
	w([]byte(s + s))
	str := pbuf.String
	var log []string
	po := &sync.Once{}
	do := po.Do
	do(func() { log = append(log, "once") })
	do(func() { log = append(log, "twice") })
	return append(log, fmt.Sprint(n(), str()))
}

type WD struct{ time.Duration }

type WB struct{ *strings.Builder }

// BinaryBound forms method values of methods of binary types, through
// variables, pointers, interfaces and embedded fields, then changes the
// receivers; and on nil pointers.
//
//microfn:service
func BinaryBound(n int) []string {
	t := time.Unix(int64(n), 0).UTC()
	unix := t.Unix
	t = t.Add(time.Hour)
	d := time.Duration(n)
	pd := &d
	str := pd.String
	d = time.Minute
	var s fmt.Stringer = time.Duration(n)
	g := s.String
	s = time.Minute
	var e error = errors.New("a")
	h := e.Error
	e = errors.New("b")
	var fs []func() string
	for _, d := range []time.Duration{1, 2, 3} {
		fs = append(fs, d.String)
	}
	w := WD{time.Duration(n)}
	ws := w.String
	w.Duration = time.Minute
	pw := &w
	pws := pw.String
	pw.Duration = time.Hour
	b := WB{&strings.Builder{}}
	l := b.Len
	b.WriteString("x")
	b.Builder = &strings.Builder{}
	out := []string{fmt.Sprint(unix(), str(), g(), h(), fs[0](), fs[2](), ws(), pws(), l())}
	out = append(out, try("nil duration", func() {
		var pd *time.Duration
		f := pd.String
		_ = f
	}))
	out = append(out, try("nil embedding", func() {
		var pw *WD
		f := pw.String
		_ = f
	}))
	return out
}
