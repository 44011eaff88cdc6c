package openapi

// This file is both compiled into the tests and, with its package clause
// renamed, parsed by funcs.Load as a package of services (see
// loadFixture): the compiled types are the ones the parsed descriptors
// describe, so encoding/json of their values is the wire format to check
// the generated schemas against.

import (
	"context"
	"errors"
	"math/big"
	"net/netip"
	"time"
)

// Point is a point in the plane.
type Point struct {
	X float64 `json:"x"` // the abscissa
	Y float64 `json:"y"`
}

// Rect is an axis-aligned rectangle.
type Rect struct {
	Min   Point  `json:"min"`
	Max   Point  `json:"max"`
	Label string `json:"label,omitempty"`
}

// Celsius is a temperature.
type Celsius float64

// Base holds what every record has.
type Base struct {
	ID      int       `json:"id"`
	Created time.Time `json:"created"`
	Note    string
	Kind    string
}

// Meta is embedded by pointer: its fields may be missing.
type Meta struct {
	Version int `json:"version"`
	Note    string
	Kind    string `json:"Kind"`
}

type inner struct {
	Deep   string `json:"deep"`
	hidden int
}

type tagged struct {
	Inside int `json:"inside"`
}

type secretive struct {
	Peek string `json:"peek"`
}

// Record shows how encoding/json flattens embedded structs.
type Record struct {
	Base
	*Meta
	inner
	*secretive
	tagged `json:"tagged"`
	Point  `json:"origin"`
	Celsius
	// ID hides Base.ID.
	ID     string    `json:"id"`
	Tags   []string  `json:"tags,omitempty"`
	When   time.Time `json:"when,omitzero"`
	Ref    *Point    `json:"ref"`
	secret string
	Skip   string `json:"-"`
	Dash   string `json:"-,"`
}

// Leaf is embedded twice at the same depth by Both: its fields vanish.
type Leaf struct {
	Leaf1 int
}

// Left embeds Leaf.
type Left struct {
	Leaf
	L int
}

// Right embeds Leaf.
type Right struct {
	Leaf
	R int
}

// Both embeds Left and Right.
type Both struct {
	Left
	Right
}

// TagA and TagB both tag "x": embedded side by side, neither wins.
type TagA struct {
	X int `json:"x"`
	A int `json:"a,omitempty"`
}

// TagB is the other half of Clash.
type TagB struct {
	X string `json:"x"`
	B *int   `json:"b"`
}

// Clash embeds TagA by value and TagB by pointer.
type Clash struct {
	TagA
	*TagB
	Own int `json:"own"`
}

// Node is a tree.
type Node struct {
	Name     string  `json:"name"`
	Children []*Node `json:"children"`
}

// Kinds has a field of every kind.
type Kinds struct {
	I     int
	I8    int8
	I16   int16
	I32   int32
	I64   int64
	U     uint
	U8    uint8
	U16   uint16
	U32   uint32
	U64   uint64
	UP    uintptr
	F32   float32
	F64   float64
	B     bool
	S     string
	Bytes []byte
	T     time.Time
	D     time.Duration
	P     *int
	M     map[string]int
	A     [3]int
	Any   any
	Anon  struct {
		A int `json:"a"`
	}
	Temps []Celsius
	PP    **Point
}

// IsEven reports whether x is even. Zero is even.
//
//microfn:service
func IsEven(x int) bool { return x%2 == 0 }

// Area returns the area of r.
//
//microfn:service retry=5 timeout=2s budget=1m30s
func Area(r Rect) (float64, error) {
	if r.Max.X < r.Min.X || r.Max.Y < r.Min.Y {
		return 0, errors.New("inverted rectangle")
	}
	return (r.Max.X - r.Min.X) * (r.Max.Y - r.Min.Y), nil
}

// Ints takes every integer kind.
//
//microfn:service
func Ints(a int, b int8, c int16, d int32, e int64, f uint, g uint8, h uint16, i uint32, j uint64, k uintptr) int {
	return 0
}

// Misc takes the other kinds.
//
//microfn:service
func Misc(ctx context.Context, data []byte, at time.Time, d time.Duration, p *int, m map[string]int, arr [3]int, v any, xs []int, ps *Point, t Celsius, pt *Celsius) (Kinds, error) {
	return Kinds{}, ctx.Err()
}

// Reset forgets everything.
//
//microfn:service
func Reset() {}

// DivMod divides.
//
//microfn:service
func DivMod(a, b int) (int, int, error) {
	if b == 0 {
		return 0, 0, errors.New("division by zero")
	}
	return a / b, a % b, nil
}

// Tree returns its argument.
//
//microfn:service name=tree
func Tree(root Node) *Node { return &root }

// Flatten returns its record.
//
//microfn:service
func Flatten(r Record, b Both, c Clash) Record { return r }

// Stats returns the mean of xs and how many there are.
//
//microfn:service
func Stats(xs []float64) (mean float64, n int, err error) {
	for _, x := range xs {
		mean += x
	}
	if len(xs) > 0 {
		mean /= float64(len(xs))
	}
	return mean, len(xs), nil
}

// Wide has what encoding/json encodes beyond the basic kinds: maps keyed
// by integers, times and addresses, and standard-library types that
// encode themselves.
type Wide struct {
	Temp   float64
	Temps  []float32
	ByID   map[int]string
	ByByte map[uint8]bool
	ByDur  map[time.Duration]int
	ByTime map[time.Time]int
	ByAddr map[netip.Addr]int
	Big    *big.Int
	BigV   big.Int
	Float  big.Float
	Rat    *big.Rat
	Addr   netip.Addr
	Port   netip.AddrPort
	Net    *netip.Prefix
	Nets   []netip.Prefix
}

// Extras takes and returns the wider types.
//
//microfn:service
func Extras(w Wide, f float64, ip netip.Addr, n *big.Int, ids map[int]string, fs []float64) (Wide, float32) {
	return w, 0
}
