package protocol

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"os"
)

// The kinds of message on a worker's channel: the first byte of each.
const (
	// ChannelReadyPart is a part of the Ready message (its JSON), more
	// parts following.
	ChannelReadyPart = 'r'
	// ChannelReady is the last part of the Ready message, or all of it.
	ChannelReady = 'R'
	// ChannelRecord is one log record of the worker, a JSON object as
	// slog.JSONHandler writes it.
	ChannelRecord = 'L'
)

// ChannelMACSize is the size of the signature that ends every message of
// a worker's channel: HMAC-SHA256 of the kind and the payload, under the
// Spec's LogKey, truncated.
const ChannelMACSize = 16

// MaxChannelMessage bounds one message of a worker's channel, signature
// included: a SOCK_SEQPACKET message cannot exceed the socket's send
// buffer (about 208 KiB by default), and a log record of service output
// is cut at 64 KiB of text.
const MaxChannelMessage = 192 << 10

// readyPart is the size of the parts of a Ready message: a prepare
// process's Ready, which carries the prepared code, can be far larger
// than a message.
const readyPart = 64 << 10

// A Channel is the worker's side of its channel to its server, on file
// descriptor [ChannelFD]: the worker sends its Ready message and its own
// log records on it, each signed with the LogKey of its Spec, so that
// nothing service code writes there passes for them. The key is the
// worker's own, made for this process: it signs what the worker says to
// its supervisor and grants nothing else. A Channel is safe for
// concurrent use: each Write is one message.
type Channel struct {
	w   io.Writer
	key []byte
}

// OpenChannel opens the worker's channel, file descriptor [ChannelFD],
// with the key of its Spec.
func OpenChannel(key []byte) (*Channel, error) {
	f := os.NewFile(ChannelFD, "channel")
	if f == nil {
		return nil, errors.New("open the channel to the server: no file descriptor 3")
	}
	return NewChannel(f, key)
}

// NewChannel returns a Channel that writes each message with one Write
// to w, a socket that keeps messages apart.
func NewChannel(w io.Writer, key []byte) (*Channel, error) {
	if len(key) == 0 {
		return nil, errors.New("open the channel to the server: the spec has no log key")
	}
	return &Channel{w: w, key: key}, nil
}

// Ready sends the worker's Ready message, in parts if it is large.
func (c *Channel) Ready(r Ready) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	for len(b) > readyPart {
		if err := c.send(ChannelReadyPart, b[:readyPart]); err != nil {
			return err
		}
		b = b[readyPart:]
	}
	return c.send(ChannelReady, b)
}

// Write sends one log record (a JSON object on one line, as
// slog.JSONHandler writes it). A record longer than a message can be is
// cut, and the server then logs it as text.
func (c *Channel) Write(p []byte) (int, error) {
	if err := c.send(ChannelRecord, p[:min(len(p), MaxChannelMessage-ChannelMACSize-1)]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// send sends one signed message.
func (c *Channel) send(kind byte, payload []byte) error {
	msg := make([]byte, 0, 1+len(payload)+ChannelMACSize)
	msg = append(msg, kind)
	msg = append(msg, payload...)
	msg = append(msg, channelMAC(c.key, msg)...)
	_, err := c.w.Write(msg)
	return err
}

// channelMAC returns the signature of msg under key.
func channelMAC(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)[:ChannelMACSize]
}

// VerifyChannelMessage splits a message of a worker's channel into its
// kind and payload, and reports whether it carries key's signature.
func VerifyChannelMessage(key, msg []byte) (kind byte, payload []byte, ok bool) {
	if len(key) == 0 || len(msg) < 1+ChannelMACSize {
		return 0, nil, false
	}
	body, mac := msg[:len(msg)-ChannelMACSize], msg[len(msg)-ChannelMACSize:]
	if !hmac.Equal(channelMAC(key, body), mac) {
		return 0, nil, false
	}
	return body[0], body[1:], true
}
