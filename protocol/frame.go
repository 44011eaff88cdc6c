package protocol

import (
	"encoding/binary"
	"fmt"
	"io"
)

// A frame is the unit of the protocol on the wire: a 16-byte header, then
// a payload.
//
//	length  [4]byte  little endian: the payload's length
//	type    [1]byte  a frameType
//	flags   [1]byte  flagEnd, …
//	        [2]byte  zero
//	stream  [8]byte  little endian: the id of the call the frame belongs to
//	payload [length]byte
const frameHeaderLen = 16

// maxPayload bounds the payload of one frame: a longer body is sent in
// several frames.
const maxPayload = 1 << 20

// A frameType says what a frame carries.
type frameType uint8

const (
	// frameHello opens a connection in each direction: its payload is
	// the protocol version (uvarint). Stream 0.
	frameHello frameType = 1 + iota
	// frameCall opens a stream: a call's head (see Call) and the start
	// of its body.
	frameCall
	// frameReply answers a stream: a reply's head (see Reply) and the
	// start of its body.
	frameReply
	// frameData carries more of a body: the call's (from the caller) or
	// the reply's (from the callee).
	frameData
	// frameCancel ends a stream early: the caller gave up on the call,
	// or the callee will not answer it. Its payload is a reason (text).
	frameCancel
	// frameWindow grants the sender of a reply's body more bytes to send
	// (uvarint).
	frameWindow
)

func (t frameType) String() string {
	switch t {
	case frameHello:
		return "hello"
	case frameCall:
		return "call"
	case frameReply:
		return "reply"
	case frameData:
		return "data"
	case frameCancel:
		return "cancel"
	case frameWindow:
		return "window"
	}
	return fmt.Sprintf("frame type %d", uint8(t))
}

// Frame flags.
const (
	// flagEnd marks the last frame of a body.
	flagEnd = 1 << iota
)

// A frameHeader is a decoded frame header.
type frameHeader struct {
	length uint32
	typ    frameType
	flags  uint8
	stream uint64
}

func (h frameHeader) put(b *[frameHeaderLen]byte) {
	binary.LittleEndian.PutUint32(b[0:], h.length)
	b[4] = byte(h.typ)
	b[5] = h.flags
	b[6], b[7] = 0, 0
	binary.LittleEndian.PutUint64(b[8:], h.stream)
}

// readFrameHeader reads and checks a frame header.
func readFrameHeader(r io.Reader, b *[frameHeaderLen]byte) (frameHeader, error) {
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return frameHeader{}, err
	}
	h := frameHeader{
		length: binary.LittleEndian.Uint32(b[0:]),
		typ:    frameType(b[4]),
		flags:  b[5],
		stream: binary.LittleEndian.Uint64(b[8:]),
	}
	switch {
	case h.typ < frameHello || h.typ > frameWindow:
		return h, &ViolationError{fmt.Errorf("protocol: unknown %s", h.typ)}
	case h.length > maxPayload+maxHeadLen:
		return h, &ViolationError{fmt.Errorf("protocol: %s frame of %d bytes exceeds the limit", h.typ, h.length)}
	case b[6] != 0 || b[7] != 0 || h.flags&^flagEnd != 0:
		return h, &ViolationError{fmt.Errorf("protocol: %s frame with unknown flags", h.typ)}
	}
	return h, nil
}

// maxHeadLen bounds the head of a call or a reply in a frame, beside its
// body's first part.
const maxHeadLen = 64 << 10
