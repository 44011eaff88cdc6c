package server

import (
	"sort"
	"strings"
	"sync"
)

// A generation is the route table published to requests: every service of
// every package's current version. It is immutable.
type generation struct {
	routes map[string]*endpoint
	// names are the routes, sorted, for "did you mean" answers.
	names []string
	// stale maps a package to the error of its failed reload, for the
	// Microfn-Stale header.
	stale map[string]string

	// openapi is the generation's OpenAPI document, built on first use.
	openapi struct {
		once sync.Once
		body []byte
		err  error
	}
}

func newGeneration(versions map[string]*version, stale map[string]string) *generation {
	g := &generation{routes: map[string]*endpoint{}, stale: stale}
	for _, v := range versions {
		for _, e := range v.endpoints {
			if !e.local {
				continue
			}
			g.routes[e.route] = e
			g.names = append(g.names, e.route)
		}
	}
	sort.Strings(g.names)
	return g
}

// nearest returns up to three routes closest to route, for 404 answers.
func (g *generation) nearest(route string) []string {
	type scored struct {
		name string
		d    int
	}
	var list []scored
	lower := strings.ToLower(route)
	for _, n := range g.names {
		list = append(list, scored{n, levenshtein(lower, strings.ToLower(n))})
	}
	sort.SliceStable(list, func(i, j int) bool { return list[i].d < list[j].d })
	var out []string
	for _, s := range list {
		if len(out) == 3 || s.d > max(3, len(route)/2) {
			break
		}
		out = append(out, s.name)
	}
	return out
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
