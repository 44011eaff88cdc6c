// Package prog declares package-level variables from one value of
// several results: binary and interpreted calls, function literals, map
// indexes, type assertions and receives, with _ in every position, some
// depending on declarations of another file.
package prog

import (
	"encoding/hex"
	"fmt"
	"strconv"
)

var B, _ = hex.DecodeString("4142")
var _, Err = hex.DecodeString("zz")
var N, NErr = strconv.Atoi("12")

var A1, S1 = two()
var A2, _ = two()
var _, S3 = two()
var _, _ = two()
var T1, _, T3 = three()
var Min, Max = func() (float64, float64) { return 1.5, 9.5 }()
var TA, TB int = func() (int, int) { return 4, 5 }()

var V, OK = table["k"]
var _, Missing = table["z"]

var Str, IsStr = boxed.(string)
var _, IsInt = boxed.(int)

var R, ROK = <-ready

// Values reads the variables from a function.
//
//microfn:service
func Values() []string {
	return []string{
		fmt.Sprint(string(B), Err, N, NErr),
		fmt.Sprint(A1, S1, A2, S3, T1, T3, Min, Max, TA, TB),
		fmt.Sprint(V, OK, Missing, Str, IsStr, IsInt, R, ROK),
		fmt.Sprint(Lo, Hi, Code),
	}
}

// Decode decodes s as the package-level B was.
//
//microfn:service
func Decode(s string) (string, error) {
	b, err := hex.DecodeString(s)
	return string(b) + string(B), err
}
