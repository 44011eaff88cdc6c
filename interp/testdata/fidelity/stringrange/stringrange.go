// Package prog ranges over strings, valid and invalid UTF-8, in every
// form, and converts between strings, bytes and runes.
package prog

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text is a named string type.
type Text string

const greeting = "héllo, 世界"

func upper(s string) string { return strings.ToUpper(s) }

// Offsets lists the index of each iteration of a range over s, with the
// index alone.
//
//microfn:service
func Offsets(s string) []int {
	var out []int
	for i := range s {
		out = append(out, i)
	}
	return out
}

// Pairs lists index and rune of each iteration over s.
//
//microfn:service
func Pairs(s string) []string {
	var out []string
	for i, r := range s {
		out = append(out, fmt.Sprintf("%d:%U", i, r))
	}
	return out
}

// Bytes ranges over the string of b, which may not be valid UTF-8, in
// every form.
//
//microfn:service
func Bytes(b []byte) []string {
	s := string(b)
	var idx []int
	for i := range s {
		idx = append(idx, i)
	}
	var runes []rune
	for _, r := range s {
		runes = append(runes, r)
	}
	var pairs []string
	for i, r := range string(b) {
		pairs = append(pairs, fmt.Sprint(i, ":", r))
	}
	n := 0
	for range s {
		n++
	}
	var blank []int
	for i, _ := range Text(s) {
		blank = append(blank, i)
	}
	return []string{
		fmt.Sprint(idx), fmt.Sprint(runes), strings.Join(pairs, " "),
		fmt.Sprint(n, utf8.RuneCountInString(s), len(s), utf8.ValidString(s)),
		fmt.Sprint(blank), fmt.Sprint([]rune(s)), fmt.Sprint(len([]rune(s))),
		fmt.Sprint([]byte(string([]rune(s)))),
	}
}

// Forms ranges over a constant, a named string type, a conversion and a
// function result, and assigns to variables declared outside.
//
//microfn:service
func Forms(s string) []string {
	var out []string
	for i, r := range greeting {
		out = append(out, fmt.Sprint(i, string(r)))
	}
	for i := range Text(s) {
		out = append(out, fmt.Sprint("text ", i))
	}
	for i, r := range string([]rune(s)) {
		out = append(out, fmt.Sprint("runes ", i, string(r)))
	}
	for i, r := range upper(s) {
		out = append(out, fmt.Sprint("call ", i, string(r)))
	}
	var i int
	var r rune
	for i, r = range s {
	}
	out = append(out, fmt.Sprint("last ", i, string(r)))
	return out
}

// Fields splits s at commas by ranging over it and slicing with the
// index.
//
//microfn:service
func Fields(s string) []string {
	var fields []string
	start := 0
	for i, r := range s {
		if r == ',' {
			fields = append(fields, s[start:i])
			start = i + 1
		}
	}
	return append(fields, s[start:])
}

// Conversions converts s to bytes and runes and back.
//
//microfn:service
func Conversions(s string) []string {
	b := []byte(s)
	rs := []rune(s)
	return []string{
		fmt.Sprint(b), fmt.Sprint(rs), string(b), string(rs), string(rs[len(rs)-1]),
		fmt.Sprint(len(b), len(rs)), string(b[:1]), fmt.Sprintf("%q", string(b[1:2])),
	}
}
