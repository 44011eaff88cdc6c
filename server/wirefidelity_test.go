package server_test

import (
	"strings"
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// floatsSrc returns NaN and infinities, directly and through nested
// calls: through typed proxies (host types only) and an interpreted one
// (a struct of the package).
const floatsSrc = `package floats

import (
	"fmt"
	"math"
)

// Special returns a float JSON numbers cannot hold.
//
//microfn:service
func Special(kind string) float64 {
	switch kind {
	case "nan":
		return math.NaN()
	case "inf":
		return math.Inf(1)
	case "-inf":
		return math.Inf(-1)
	}
	return 1.5
}

// Caller shows what a nested call of Special gives back.
//
//microfn:service
func Caller(kind string) string {
	f := Special(kind)
	return fmt.Sprintf("%v nan=%v inf=%v", f, math.IsNaN(f), math.IsInf(f, 0))
}

// Echo returns its arguments.
//
//microfn:service
func Echo(f float64, xs []float32, m map[string]float64) (float64, []float32, map[string]float64) {
	return f, xs, m
}

// Stats is a type of the package: its proxy is interpreted.
type Stats struct {
	Mean float64
	Max  *float32
}

// Mean averages xs.
//
//microfn:service
func Mean(xs []float64) Stats {
	var s Stats
	for _, x := range xs {
		s.Mean += x / float64(len(xs))
		if m := float32(x); s.Max == nil || m > *s.Max {
			s.Max = &m
		}
	}
	return s
}

// Nested calls the services above through their proxies.
//
//microfn:service
func Nested() string {
	nan, inf := math.NaN(), math.Inf(1)
	f, xs, m := Echo(nan, []float32{float32(-inf), 2}, map[string]float64{"i": inf})
	s := Mean([]float64{inf, 1})
	return fmt.Sprintf("%v %v %v | %v %v | %v", f, xs, m, s.Mean, *s.Max, Caller("-inf"))
}
`

// wideSrc takes and returns maps keyed by integers and addresses, and
// math/big numbers, directly and through nested calls (their proxies are
// interpreted: math/big and netip types have methods).
const wideSrc = `package wide

import (
	"fmt"
	"math"
	"math/big"
	"net/netip"
	"sort"
)

// Echo returns its argument.
//
//microfn:service
func Echo(m map[int]string, u map[uint8][]int64) (map[int]string, map[uint8][]int64) { return m, u }

// Add adds big numbers.
//
//microfn:service
func Add(a, b *big.Int) *big.Int { return new(big.Int).Add(a, b) }

// Route finds the prefixes that hold ip.
//
//microfn:service
func Route(ip netip.Addr, nets map[netip.Prefix]int) ([]int, netip.Addr) {
	var hits []int
	for p, n := range nets {
		if p.Contains(ip) {
			hits = append(hits, n)
		}
	}
	sort.Ints(hits)
	return hits, ip.Next()
}

// Host is a struct of the package with fields of the new kinds.
type Host struct {
	Addr   netip.Addr       ` + "`json:\"addr\"`" + `
	Ports  map[uint16]string ` + "`json:\"ports,omitempty\"`" + `
	Weight *big.Rat         ` + "`json:\"weight,omitempty\"`" + `
	Score  float64          ` + "`json:\"score\"`" + `
}

// Index keys hosts by their position.
//
//microfn:service
func Index(hs []Host) map[int]Host {
	m := map[int]Host{}
	for i, h := range hs {
		m[i] = h
	}
	return m
}

// Nested calls the services above through their proxies.
//
//microfn:service
func Nested() string {
	m, u := Echo(map[int]string{-1: "minus", 10: "ten"}, map[uint8][]int64{255: {-1}})
	huge, _ := new(big.Int).SetString("123456789012345678901234567890", 10)
	sum := Add(huge, huge)
	hits, next := Route(netip.MustParseAddr("10.1.2.3"), map[netip.Prefix]int{netip.MustParsePrefix("10.0.0.0/8"): 8, netip.MustParsePrefix("10.1.0.0/16"): 16, netip.MustParsePrefix("192.0.2.0/24"): 24})
	idx := Index([]Host{{Addr: netip.MustParseAddr("::1"), Ports: map[uint16]string{443: "https"}, Weight: big.NewRat(1, 3), Score: math.Inf(-1)}})
	h := idx[0]
	return fmt.Sprintf("%v %v | %v | %v %v | %v %v %v %v", m, u, sum, hits, next, h.Addr, h.Ports, h.Weight, h.Score)
}
`

// A callMode is a way a nested call can be carried, for the tests that
// run the same checks in each.
type callMode struct {
	name string
	opts []server.Option
	// app serves the application microfn build makes of the folder.
	app bool
}

// start serves files in the mode, with opts.
func (m callMode) start(t testing.TB, files map[string]string, opts ...server.Option) *microfntest.Instance {
	t.Helper()
	opts = append(opts, m.opts...)
	if m.app {
		return microfntest.StartApp(t, files, opts...)
	}
	return microfntest.Start(t, files, opts...)
}

// startDir serves dir in the mode, with opts.
func (m callMode) startDir(t testing.TB, dir string, opts ...server.Option) *microfntest.Instance {
	t.Helper()
	opts = append(opts, m.opts...)
	if m.app {
		return microfntest.StartDirApp(t, dir, opts...)
	}
	return microfntest.StartDir(t, dir, opts...)
}

// compiled reports whether the mode runs compiled code.
func (m callMode) compiled() bool { return m.app || strings.HasPrefix(m.name, "compiled") }

// callModes are the ways a nested call can be carried: between worker
// processes through the server, in a worker (--monolith), in the
// server's own process (--isolate=none), in process with both, between
// compiled workers (--tier=compiled), with and without --monolith, and
// in the application microfn build makes (its workers are the
// application's executable), with and without --monolith.
var callModes = []callMode{
	{name: "http"},
	{name: "monolith", opts: []server.Option{server.WithMonolith(true)}},
	{name: "in-process", opts: []server.Option{server.WithIsolation(server.IsolateNone)}},
	{name: "in-process monolith", opts: []server.Option{server.WithIsolation(server.IsolateNone), server.WithMonolith(true)}},
	{name: "compiled", opts: []server.Option{server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierCompiled)}},
	{name: "compiled monolith", opts: []server.Option{server.WithIsolation(server.IsolatePackage), server.WithTier(server.TierCompiled), server.WithMonolith(true)}},
	{name: "app", app: true},
	{name: "app monolith", opts: []server.Option{server.WithMonolith(true)}, app: true},
}

// TestWireFidelityModes: what a service returns, and what a nested call
// gives back, is the same over HTTP between worker processes, in process
// (--isolate=none), and with --monolith: NaN and the infinities travel as
// "NaN", "Infinity" and "-Infinity" and come back as Go's values;
// integer- and address-keyed maps and math/big numbers cross every
// boundary intact.
func TestWireFidelityModes(t *testing.T) {
	t.Parallel()
	type call struct {
		method, path, body string
		want               string
	}
	calls := []call{
		{"GET", "/floats/Special?kind=nan", "", `"NaN"`},
		{"GET", "/floats/Special?kind=inf", "", `"Infinity"`},
		{"POST", "/floats/Special", `{"kind":"-inf"}`, `"-Infinity"`},
		{"GET", "/floats/Caller?kind=nan", "", `"NaN nan=true inf=false"`},
		{"GET", "/floats/Caller?kind=inf", "", `"+Inf nan=false inf=true"`},
		{"GET", "/floats/Caller?kind=x", "", `"1.5 nan=false inf=false"`},
		{"POST", "/floats/Echo", `{"f":"NaN","xs":["Infinity",1.5,"-Infinity"],"m":{"a":"NaN","b":-0.5}}`, `["NaN",["Infinity",1.5,"-Infinity"],{"a":"NaN","b":-0.5}]`},
		{"GET", `/floats/Echo?f=-Inf&xs=NaN&xs=0.5&m={"x":"Infinity"}`, "", `["-Infinity",["NaN",0.5],{"x":"Infinity"}]`},
		{"GET", "/floats/Echo?f=Infinity&xs=1&m={}", "", `["Infinity",[1],{}]`},
		{"POST", "/floats/Mean", `{"xs":["-Infinity",1]}`, `{"Mean":"-Infinity","Max":1}`},
		{"GET", "/floats/Nested", "", `"NaN [-Inf 2] map[i:+Inf] | +Inf +Inf | -Inf nan=false inf=true"`},
		{"POST", "/wide/Echo", `{"m":{"2":"b","10":"j","-1":"m"},"u":{"0":null,"255":[1]}}`, `[{"-1":"m","10":"j","2":"b"},{"0":null,"255":[1]}]`},
		{"GET", `/wide/Echo?m={"7":"x"}&u={}`, "", `[{"7":"x"},{}]`},
		{"POST", "/wide/Add", `{"a":123456789012345678901234567890,"b":1}`, `123456789012345678901234567891`},
		{"GET", "/wide/Add?a=-5&b=7", "", `2`},
		{"POST", "/wide/Route", `{"ip":"10.1.2.3","nets":{"10.0.0.0/8":8,"10.1.0.0/16":16}}`, `[[8,16],"10.1.2.4"]`},
		{"POST", "/wide/Index", `{"hs":[{"addr":"192.0.2.1","ports":{"80":"http"},"weight":"0.5","score":"NaN"},{"addr":"","score":1}]}`,
			`{"0":{"addr":"192.0.2.1","ports":{"80":"http"},"weight":"1/2","score":"NaN"},"1":{"addr":"","score":1}}`},
		{"GET", "/wide/Nested", "", `"map[-1:minus 10:ten] map[255:[-1]] | 246913578024691357802469135780 | [8 16] 10.1.2.4 | ::1 map[443:https] 1/3 -Inf"`},
	}
	got := map[string][]string{}
	for _, m := range callModes {
		in := m.start(t, map[string]string{"floats/floats.go": floatsSrc, "wide/wide.go": wideSrc}, server.WithQuiet(true))
		for _, c := range calls {
			var r microfntest.Response
			if c.method == "GET" {
				r = in.Get(c.path)
			} else {
				r = in.Post(c.path, c.body)
			}
			body := strings.TrimSpace(r.Body)
			key := c.method + " " + c.path + " " + c.body
			got[key] = append(got[key], m.name+": "+body)
			if r.Status != 200 || body != c.want {
				t.Errorf("%s: %s = %d %s, want 200 %s", m.name, key, r.Status, body, c.want)
			}
		}
	}
	if t.Failed() {
		for k, v := range got {
			t.Logf("%s\n\t%s", k, strings.Join(v, "\n\t"))
		}
	}
}

// TestWireFidelityBadInput: the new types refuse bad input with a 400
// naming the parameter.
func TestWireFidelityBadInput(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"floats/floats.go": floatsSrc, "wide/wide.go": wideSrc}, server.WithQuiet(true))
	for _, c := range []struct {
		method, path, body string
		words              []string
	}{
		{"POST", "/floats/Echo", `{"f":"nan","xs":[],"m":{}}`, []string{`parameter \"f\"`, `\"NaN\"`}},
		{"GET", "/floats/Echo?f=1&xs=infinite&m={}", "", []string{`parameter \"xs\"`, "want float32"}},
		{"POST", "/wide/Echo", `{"m":{"one":"x"},"u":{}}`, []string{`parameter \"m\"`, `at [\"one\"]`, "want a key of type int"}},
		{"GET", `/wide/Echo?m={}&u={"256":[]}`, "", []string{`parameter \"u\"`, "want a key of type uint8", "out of range"}},
		{"POST", "/wide/Add", `{"a":1.5,"b":1}`, []string{`parameter \"a\"`, "big.Int"}},
		{"GET", "/wide/Route?ip=10.1.2&nets={}", "", []string{`parameter \"ip\"`, "netip.Addr"}},
		{"POST", "/wide/Route", `{"ip":"10.1.2.3","nets":{"10.0.0.0":1}}`, []string{`parameter \"nets\"`, "want a key of type netip.Prefix"}},
	} {
		var r microfntest.Response
		if c.method == "GET" {
			r = in.Get(c.path)
		} else {
			r = in.Post(c.path, c.body)
		}
		if r.Status != 400 {
			t.Errorf("%s %s %s = %d %s, want 400", c.method, c.path, c.body, r.Status, r.Body)
			continue
		}
		for _, w := range c.words {
			if !strings.Contains(r.Body, w) {
				t.Errorf("%s %s %s: problem %s lacks %s", c.method, c.path, c.body, r.Body, w)
			}
		}
	}
}
