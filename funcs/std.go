package funcs

import (
	"path"
	"strings"
)

// A StdType is a type of the standard library that services may take and
// return although it is declared in another package: a compiled type of
// the host whose JSON its own methods (MarshalJSON or MarshalText, and
// UnmarshalJSON or UnmarshalText) define. The interpreter cannot expose
// the methods of types declared in service code to encoding/json, but
// these are host types, so their methods can be called: microfn encodes
// and decodes them with those methods, as encoding/json does.
//
// The list is reviewed by hand (see [StdTypes]); a type joins it when
// its text or JSON form says everything about its value, so that a value
// crosses a call intact, and when a schema can describe that form.
type StdType struct {
	// Path is the import path of the declaring package: "math/big".
	Path string
	// Name is the type's name in that package: "Int".
	Name string
	// Number reports that the JSON form is a number (big.Int); it is a
	// string otherwise.
	Number bool
	// Key reports that the type may key a map: its value (not only its
	// pointer) has a MarshalText method, which encoding/json requires of
	// map keys.
	Key bool
	// Doc says what the JSON form holds, for messages and documents.
	Doc string
	// Example is the JSON of a typical value.
	Example string
}

// String returns the name as service code writes it: "big.Int".
func (s *StdType) String() string { return path.Base(s.Path) + "." + s.Name }

// QualifiedName returns the import path and the name: "math/big.Int".
func (s *StdType) QualifiedName() string { return s.Path + "." + s.Name }

// stdTypes is the reviewed list. Left out on purpose: net/url.URL (no
// text or JSON methods: encoding/json writes its fields, and its User
// field as {}, so a URL does not cross a call intact; take a string and
// url.Parse it), net.IP (package net is outside the sandbox), and types
// whose JSON loses part of the value.
var stdTypes = []*StdType{
	{Path: "math/big", Name: "Int", Number: true,
		Doc:     "an integer of any size, as a JSON number",
		Example: "123456789012345678901234567890"},
	{Path: "math/big", Name: "Float",
		Doc:     `a decimal number of any precision, as a string ("1.5", "-2.5e+100", "+Inf"); decoding rounds to 64 bits of mantissa`,
		Example: `"1.5"`},
	{Path: "math/big", Name: "Rat",
		Doc:     `a fraction "a/b" or an integer, as a string ("1/3", "5"); a decimal like "0.5" is read too`,
		Example: `"1/3"`},
	{Path: "net/netip", Name: "Addr", Key: true,
		Doc:     `an IPv4 or IPv6 address, as a string ("192.0.2.1", "2001:db8::1"); "" is the zero Addr`,
		Example: `"192.0.2.1"`},
	{Path: "net/netip", Name: "AddrPort", Key: true,
		Doc:     `an IP address and port, as a string ("192.0.2.1:80", "[2001:db8::1]:443"); "" is the zero AddrPort`,
		Example: `"192.0.2.1:80"`},
	{Path: "net/netip", Name: "Prefix", Key: true,
		Doc:     `an IP network prefix in CIDR notation, as a string ("192.0.2.0/24"); "" is the zero Prefix`,
		Example: `"192.0.2.0/24"`},
}

// StdTypes returns the standard-library types services may use besides
// time.Time, time.Duration and context.Context, in a fixed order.
func StdTypes() []*StdType {
	return append([]*StdType(nil), stdTypes...)
}

// lookupStd returns the StdType path.name, or nil.
func lookupStd(path, name string) *StdType {
	for _, s := range stdTypes {
		if s.Path == path && s.Name == name {
			return s
		}
	}
	return nil
}

// supportedQualified lists, for messages, the types of other packages
// services may use.
func supportedQualified() string {
	names := []string{"time.Time", "time.Duration", "context.Context (first parameter)"}
	for _, s := range stdTypes {
		names = append(names, s.QualifiedName())
	}
	return strings.Join(names, ", ")
}
