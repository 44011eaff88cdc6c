package server_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// ahoSrc is the start of an Aho–Corasick automaton whose CreateNewState
// adds a row to the caller's trie, as it would compiled as plain Go. Its
// callers, in its package and in another, get their trie back unchanged:
// the call goes through CreateNewState's proxy, its arguments as JSON.
const ahoSrc = `package aho

// CreateNewState adds the row of a new state to trie.
//
//microfn:service
func CreateNewState(state int, trie map[int]map[uint8]int) int {
	trie[state] = map[uint8]int{}
	return state + 1
}

// Build builds the trie of a word.
//
//microfn:service
func Build(word string) int {
	trie := map[int]map[uint8]int{}
	state := 0
	for i := range len(word) {
		next := CreateNewState(state+1, trie)
		if row, ok := trie[state]; ok {
			row[word[i]] = next
		}
		state = next
	}
	return len(trie)
}
`

const searchSrc = `package search

import "example.com/aho/aho"

// Search builds a trie through aho's service.
//
//microfn:service
func Search(word string) int {
	trie := map[int]map[uint8]int{}
	aho.CreateNewState(0, trie)
	return len(trie)
}
`

// TestArgWriteWarnings: a service that writes into its argument while
// other services call it through its proxy loads and serves, with a
// warning at the write in the log and in /healthz (the package stays
// ok), on the package of each caller: its own and the one that calls it
// from another package. The write is lost, as the warning says.
func TestArgWriteWarnings(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{
		"go.mod":           "module example.com/aho\n\ngo 1.22\n",
		"aho/aho.go":       ahoSrc,
		"search/search.go": searchSrc,
	}, server.WithQuiet(true))
	if r := in.Get("/aho/Build?word=ab"); r.Status != 200 || strings.TrimSpace(r.Body) != "0" {
		t.Errorf("Build = %d %s, want 0 (every row was added to a copy)", r.Status, r.Body)
	}
	const at = "aho/aho.go:7:2: CreateNewState sets an entry of the map in its parameter trie, but "
	want := map[string]string{
		"aho":    at + "Build calls it through its proxy (aho.go:18:11)",
		"search": at + "Search calls it through its proxy (search.go:10:6)",
	}
	for _, p := range health(t, in).Packages {
		w, ok := want[p.Dir]
		if !ok {
			continue
		}
		if p.State != "ok" || len(p.Errors) > 0 || len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], w) {
			t.Errorf("package %s: state %s, errors %q, warnings %q; want ok with the warning %q", p.Dir, p.State, p.Errors, p.Warnings, w)
		}
		delete(want, p.Dir)
	}
	if len(want) > 0 {
		t.Errorf("no packages %v in /healthz", want)
	}
	logged := in.Logs().Count(func(r microfntest.Record) bool {
		return r.Level == slog.LevelWarn && strings.Contains(r.Msg, "warning: ") && strings.Contains(r.Msg, "aho/aho.go:7:2: CreateNewState sets an entry of the map")
	})
	if logged != 2 {
		t.Errorf("the warning is logged %d times, want once per package that calls the service", logged)
	}
}
