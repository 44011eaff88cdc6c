// Package prog builds values of struct types that refer to each other,
// declared in several orders and files, through pointers, slices, maps,
// functions and channels, and held by value by types they refer to.
package prog

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
)

var first = &Element{}

// Element and List are container/list's: a List holds an Element by
// value, which points back to it.
type Element struct {
	next, prev *Element
	list       *List
	Value      int
}

type List struct {
	root Element
	len  int
}

func newList() *List {
	l := &List{}
	l.root.next, l.root.prev = &l.root, &l.root
	return l
}

func (l *List) pushBack(v int) {
	e := &Element{Value: v, list: l}
	at := l.root.prev
	e.prev, e.next = at, at.next
	e.prev.next = e
	e.next.prev = e
	l.len++
}

func (l *List) values() []int {
	var out []int
	for e := l.root.next; e != &l.root; e = e.next {
		if e.list != l {
			panic("element of another list")
		}
		out = append(out, e.Value)
	}
	return out
}

// Lists pushes n values on a list and reads them back.
//
//microfn:service
func Lists(n int) []string {
	l := newList()
	for i := 0; i < n; i++ {
		l.pushBack(i * i)
	}
	return []string{fmt.Sprint(l.values(), l.len), fmt.Sprint(reflect.TypeOf(List{}).Size() == reflect.TypeOf(Element{}).Size()+8)}
}

// Graphs builds a graph of nodes and edges that refer to each other and
// walks it.
//
//microfn:service
func Graphs(names []string) []string {
	g := &Graph{Nodes: map[string]*Node{}}
	var prev *Node
	for _, name := range names {
		n := &Node{Name: name, Graph: g, Index: map[string]*Edge{}}
		g.Nodes[name] = n
		if prev != nil {
			e := &Edge{From: prev, To: n, Graph: g}
			prev.Out = append(prev.Out, e)
			prev.Index[name] = e
			n.In = append(n.In, *e)
			g.Edges = append(g.Edges, e)
		}
		prev = n
	}
	g.Visit = func(n *Node) []*Node {
		var out []*Node
		for _, e := range n.Out {
			out = append(out, e.To)
		}
		return out
	}
	var out []string
	keys := make([]string, 0, len(g.Nodes))
	for k := range g.Nodes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		n := g.Nodes[k]
		var next []string
		for _, m := range g.Visit(n) {
			next = append(next, m.Name)
		}
		from := ""
		if len(n.In) > 0 {
			from = n.In[0].From.Name
		}
		out = append(out, fmt.Sprintf("%s<-%s->%s %v", k, from, strings.Join(next, ","), n.Graph == g))
	}
	ch := make(chan *Edge, len(g.Edges))
	for _, e := range g.Edges {
		ch <- e
	}
	close(ch)
	count := 0
	for e := range ch {
		if e.Graph.Nodes[e.To.Name] == e.To {
			count++
		}
	}
	return append(out, fmt.Sprint(count))
}
