package protocol

import (
	"encoding/binary"
	"errors"
	"math"
)

// errShort reports a message that ends before its fields do.
var errShort = errors.New("protocol: message too short")

// An encoder appends fields to a message.
type encoder struct{ b []byte }

func (e *encoder) u8(v uint8)       { e.b = append(e.b, v) }
func (e *encoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *encoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *encoder) u64(v uint64)     { e.b = binary.LittleEndian.AppendUint64(e.b, v) }
func (e *encoder) raw(p []byte)     { e.b = append(e.b, p...) }

// bytes appends p with its length.
func (e *encoder) bytes(p []byte) {
	e.uvarint(uint64(len(p)))
	e.b = append(e.b, p...)
}

// str appends s with its length.
func (e *encoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

// A decoder reads the fields of a message in order. The first error
// sticks: every later read returns a zero value, and err reports it.
type decoder struct {
	b   []byte
	err error
	// names, if set, keeps the strings name reads, for the next calls.
	names *nameTable
}

// maxNames bounds a nameTable.
const maxNames = 1024

// A nameTable keeps the strings that come again and again in the calls
// of a connection (routes, methods, content types), so that reading one
// does not allocate it anew. It is not safe for concurrent use: a
// connection's reader owns it.
type nameTable struct {
	m map[string]string
}

// name reads a string that is likely to come again: a route, a method, a
// content type.
func (d *decoder) name() string {
	b := d.bytes()
	t := d.names
	if t == nil || len(b) == 0 {
		return string(b)
	}
	if s, ok := t.m[string(b)]; ok {
		return s
	}
	s := string(b)
	if t.m == nil {
		t.m = map[string]string{}
	}
	if len(t.m) < maxNames {
		t.m[s] = s
	}
	return s
}

func (d *decoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
	d.b = nil
}

func (d *decoder) u8() uint8 {
	if len(d.b) < 1 {
		d.fail(errShort)
		return 0
	}
	v := d.b[0]
	d.b = d.b[1:]
	return v
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail(errShort)
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) u64() uint64 {
	if len(d.b) < 8 {
		d.fail(errShort)
		return 0
	}
	v := binary.LittleEndian.Uint64(d.b)
	d.b = d.b[8:]
	return v
}

// length reads a length that must fit in what is left of the message.
func (d *decoder) length() int {
	n := d.uvarint()
	if n > uint64(len(d.b)) || n > math.MaxInt32 {
		d.fail(errShort)
		return 0
	}
	return int(n)
}

// bytes reads a length-prefixed byte string. It aliases the message.
func (d *decoder) bytes() []byte {
	n := d.length()
	if d.err != nil {
		return nil
	}
	p := d.b[:n:n]
	d.b = d.b[n:]
	return p
}

// str reads a length-prefixed string.
func (d *decoder) str() string {
	return string(d.bytes())
}

// fixed reads exactly len(out) bytes into out.
func (d *decoder) fixed(out []byte) {
	if len(d.b) < len(out) {
		d.fail(errShort)
		return
	}
	copy(out, d.b)
	d.b = d.b[len(out):]
}
