package wire_test

// This file declares the types of the differential tests. The tests parse
// this very file with funcs.Parse, so the source types and the compiled
// ones are the same. Keep it free of functions and methods.

import (
	"math/big"
	"net/netip"
	"time"
)

type Name string

type MyByte byte

type Celsius float64

type Scalars struct {
	B    bool
	I    int
	I8   int8
	I16  int16
	I32  int32
	I64  int64
	U    uint
	U8   uint8
	U16  uint16
	U32  uint32
	U64  uint64
	Uptr uintptr
	F32  float32
	F64  float64
	S    string
	R    rune
	By   byte
	N    Name
	C    Celsius
	D    time.Duration
	T    time.Time
}

type Tagged struct {
	Renamed      int            `json:"renamed"`
	Empty        string         `json:",omitempty"`
	OmitInt      int            `json:"oi,omitempty"`
	OmitZero     int            `json:"oz,omitzero"`
	Skipped      int            `json:"-"`
	Dash         int            `json:"-,"`
	BadName      int            `json:"a\\b"`
	Spaces       int            `json:"with space"`
	Unicode      int            `json:"ünï"`
	HTML         int            `json:"<b>&"`
	OtherTag     int            `xml:"other"`
	OmitPtr      *int           `json:",omitempty"`
	OmitSlice    []int          `json:",omitempty"`
	OmitMap      map[string]int `json:",omitempty"`
	OmitArr0     [0]int         `json:",omitempty"`
	OmitArr2     [2]int         `json:",omitempty"`
	OmitStruct   Inner          `json:",omitempty"`
	OmitZStruct  Inner          `json:",omitzero"`
	OmitZArr     [2]int         `json:",omitzero"`
	OmitZSlice   []int          `json:",omitzero"`
	OmitZTime    time.Time      `json:",omitzero"`
	OmitZTimePtr *time.Time     `json:",omitzero"`
	OmitETime    time.Time      `json:",omitempty"`
	OmitEAny     any            `json:",omitempty"`
	OmitZAny     any            `json:",omitzero"`
	OmitEFloat   float64        `json:",omitempty"`
	OmitZFloat   float64        `json:",omitzero"`
	OmitEDur     time.Duration  `json:",omitempty"`
	OmitEBytes   []byte         `json:",omitempty"`
	OmitZBytes   []byte         `json:",omitzero"`
	OmitEBool    bool           `json:",omitempty"`
	Both         string         `json:"both,omitempty,omitzero"`
	unexported   int
	_            int
}

type Inner struct {
	A int
	B string `json:"b"`
}

type inner struct {
	C int
	D int `json:"d"`
	T time.Time
	V any
}

type innerP struct {
	E int
}

type Base struct {
	ID   int
	Name string
}

type Embeds struct {
	Inner
	inner
	*innerP
	*Base
	Name string
}

type TaggedEmbed struct {
	Inner `json:"inner"`
	X     int
}

// TaggedUnexported embeds an unexported struct under a tag name:
// encoding/json writes and reads it as a key of its own.
type TaggedUnexported struct {
	inner `json:"in"`
	X     int
}

type OmitEmbed struct {
	Inner `json:",omitempty"`
	X     int
}

type SkipEmbed struct {
	Inner `json:"-"`
	X     int
}

type C1 struct {
	X int
	Y int `json:"y"`
	Z int
	W int `json:"w"`
}

type C2 struct {
	X int
	Y int
	Z int `json:"Z"`
}

type Conflict struct {
	C1
	C2
}

type D0 struct {
	V int
	U int
}

type L struct {
	D0
	Only int
}

type R struct {
	D0
}

type Diamond struct {
	L
	R
}

type Wrapper struct {
	Inner
	V int
}

type DeepVsShallow struct {
	Wrapper
	A int `json:"A"`
}

type Label string

type lower string

type EmbedNonStruct struct {
	Label
	lower
	*Celsius
	time.Duration
}

type Recursive struct {
	Name string
	Next *Recursive `json:",omitempty"`
	Kids []Recursive
}

type Nested struct {
	Matrix  [][]int
	Grid    [2][3]int
	Ptrs    []*int
	PP      **string
	Maps    map[string]map[string]int
	ByName  map[Name]int
	Slices  map[string][]string
	Bytes   []byte
	MyBytes []MyByte
	ByteArr [3]byte
	Times   []time.Time
	Durs    map[string]time.Duration
	Anys    []any
	AnyMap  map[string]any
	Any     any
	Empty   struct{}
	Anon    struct {
		X int `json:"x"`
		y int
	}
	PtrStruct *Inner
}

type Floats struct {
	F64 float64
	F32 float32
	L64 []float64
	L32 []float32
}

type Strings struct {
	S     string
	Names []Name
	M     map[string]string
}

type ID int

type Small uint8

// Keys has maps keyed by every kind encoding/json accepts besides
// strings: integers (decimal strings) and types with a MarshalText
// method.
type Keys struct {
	Ints  map[int]string
	I8    map[int8]int
	U8    map[uint8]bool
	I64   map[int64][]int
	U64   map[uint64]string
	Uptr  map[uintptr]int
	IDs   map[ID]Inner
	Small map[Small]*int
	Durs  map[time.Duration]int
	Addrs map[netip.Addr]int
	Ports map[netip.AddrPort]string
	Nets  map[netip.Prefix]bool
	Deep  map[int]map[uint16][]float64
}

// TimeKeys is keyed by times, which encoding/json writes with MarshalText.
type TimeKeys struct {
	Times map[time.Time]string
}

// Std has fields of the standard-library types that encode themselves.
type Std struct {
	Int    big.Int
	IntP   *big.Int
	Float  big.Float
	FloatP *big.Float
	Rat    big.Rat
	RatP   *big.Rat
	Addr   netip.Addr
	AddrP  *netip.Addr
	Port   netip.AddrPort
	Prefix netip.Prefix
	Ints   []*big.Int
	Addrs  []netip.Addr
	Nets   map[string]netip.Prefix
	OmitE  netip.Addr `json:",omitempty"`
	OmitZ  netip.Addr `json:",omitzero"`
	OmitZI *big.Int   `json:",omitzero"`
	OmitZB big.Int    `json:",omitzero"`
}

// Specials holds floats that JSON numbers cannot: microfn writes NaN and
// the infinities as strings.
type Specials struct {
	F64 float64
	F32 float32
	C   Celsius
	P   *float64
	L   []float64
	A   [2]float32
	M   map[string]float64
	K   map[int]Celsius
}
