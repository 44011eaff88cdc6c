// Package prog declares a table of typed and untyped constant
// expressions.
package prog

import (
	"fmt"
	"math"
	"time"
)

type Weekday int

const (
	Sunday Weekday = iota
	Monday
	Tuesday
)

type Size uint64

const (
	_       = iota
	KB Size = 1 << (10 * iota)
	MB
	GB
	TB
)

const (
	a, b = iota, iota * 10
	c, d
	e, f
)

type Flag uint8

const (
	FlagA Flag = 1 << iota
	FlagB
	_
	FlagD
)

type Level string

const (
	Low  Level = "low"
	High Level = "high"
)

type Enabled bool

const (
	A             = 1
	B             = A * 2.5
	C     float64 = B / 3
	D             = "x" + "y"
	E             = len(D)
	F             = 'a' + 1
	G             = math.MaxInt64
	H             = math.Pi * 2
	I             = time.Second * 3
	J             = -7 >> 1
	K             = ^0
	L     uint8   = 255
	M             = L + 0
	N             = 1e300 * 1e300 / 1e300
	P             = 10 % 3
	Q             = true && !false
	R             = "abc" < "abd"
	S             = 1 < 2 && 2 < 3 || false
	T             = A == 1
	U     int32   = 1 << 30
	V             = uint(1) << 63
	W             = 0x7f &^ 0x0f
	X             = 1_000_000
	Y             = 0b1010 | 0o17
	Z             = float32(0.1)
	Third         = 1.0 / 3
	Big           = 1 << 100
	Huge          = Big >> 98
	On    Enabled = E > 1
	Sum           = FlagA | FlagB | FlagD
	Same          = Low == "low"
	Neg           = -A
	Char          = 'x' - 'a'
	Mixed         = 7 / 2 * 2.0
	Cplx          = complex(1, -2)
	Re            = real(Cplx)
	Im            = imag(Cplx) * 2
)

// (Typed complex constants are not in the table: the interpreter fails
// to load them, at their position.)
const (
	Bits = 1 << iota
	More
)

//microfn:service
func Table() []string {
	return []string{
		fmt.Sprint(Sunday, Monday, Tuesday, KB, MB, GB, TB),
		fmt.Sprint(a, b, c, d, e, f),
		fmt.Sprint(FlagA, FlagB, FlagD, Sum, Low, High, Same),
		fmt.Sprint(A, B, C, D, E, F, G, H, I, J, K, L, M, N),
		fmt.Sprint(P, Q, R, S, T, U, V, W, X, Y, Z),
		fmt.Sprint(Third*3 == 1, Huge, On, Neg, Char, Mixed),
		fmt.Sprint(Cplx, Re, Im, Bits, More),
		// (%T of a value of the package's named types is not in the
		// table: the interpreter's types have no names.)
		fmt.Sprintf("%T %T %T %T", B, C, F, I),
	}
}

//microfn:service
func Local(n int) []string {
	const limit = 10
	const (
		n0    = 3
		small = n0 < limit
	)
	const greeting = "hi" + "!"
	const ok = greeting != "" && limit > 5
	return []string{fmt.Sprint(small, ok, greeting, n < limit, n*limit)}
}

//microfn:service
func Arrays() []int {
	const n = 2 + 1
	var arr [n * 2]int
	var grid [n][E]bool
	return []int{len(arr), len(grid), len(grid[0])}
}
