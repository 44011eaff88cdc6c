package supervisor

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
)

// The file descriptors a worker inherits besides its standard streams.
const (
	// ChannelFD is the worker's end of its channel to the supervisor:
	// its Ready message, then its own log records (see [Channel]).
	ChannelFD = 3
	// BrokerFD is the worker's end of its connection broker: the
	// supervisor hands it the connections its server sends calls on, and
	// those it asks for (see [Broker]).
	BrokerFD = 4
)

// The kinds of message on a worker's channel.
const (
	msgReady  = 'R'
	msgRecord = 'L'
)

// macLen is the length of the signature that ends every message of a
// worker's channel: HMAC-SHA256, truncated.
const macLen = 16

// maxMessage bounds one message of a worker's channel or broker: a
// SOCK_SEQPACKET message cannot exceed the socket's send buffer, about
// 200 KiB by default, and a log record is cut at 64 KiB of text.
const maxMessage = 192 << 10

// A Channel is the worker's side of its channel to the supervisor, on
// file descriptor [ChannelFD]: the worker sends its Ready message and its
// own log records on it, each signed with the key of its Spec. A message
// service code writes on the descriptor (with --allow os it can open it)
// does not carry the signature: the supervisor logs it as service output,
// never as the worker's or the server's own record. It is safe for
// concurrent use.
type Channel struct {
	file *os.File // ChannelFD itself, blocking: each Write is one message
	key  []byte
}

// OpenChannel opens the worker's channel with the key of its Spec.
func OpenChannel(key []byte) (*Channel, error) {
	if len(key) == 0 {
		return nil, errors.New("open the channel to the supervisor: no key")
	}
	f := os.NewFile(ChannelFD, "channel")
	if f == nil {
		return nil, errors.New("open the channel to the supervisor: no file descriptor 3")
	}
	return &Channel{file: f, key: key}, nil
}

// Ready sends the worker's Ready message.
func (c *Channel) Ready(r Ready) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if len(b) > maxMessage-macLen-1 {
		// Too many load errors: the first of each package say enough.
		for rel, list := range r.Failed {
			r.Failed[rel] = list[:min(len(list), 10)]
		}
		if b, err = json.Marshal(r); err != nil {
			return err
		}
	}
	return c.send(msgReady, b)
}

// Write sends one log record (a JSON object on one line, as
// slog.JSONHandler writes it). A record longer than a message can be is
// cut, and the supervisor then logs it as text.
func (c *Channel) Write(p []byte) (int, error) {
	if err := c.send(msgRecord, p[:min(len(p), maxMessage-macLen-1)]); err != nil {
		return 0, err
	}
	return len(p), nil
}

// send sends one signed message.
func (c *Channel) send(kind byte, payload []byte) error {
	msg := make([]byte, 0, 1+len(payload)+macLen)
	msg = append(msg, kind)
	msg = append(msg, payload...)
	msg = append(msg, sign(c.key, msg)...)
	_, err := c.file.Write(msg)
	return err
}

// sign returns the signature of msg under key.
func sign(key, msg []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(msg)
	return m.Sum(nil)[:macLen]
}

// verify splits a message of a worker's channel into its kind and
// payload, and reports whether its signature is key's.
func verify(key, msg []byte) (kind byte, payload []byte, ok bool) {
	if len(msg) < 1+macLen {
		return 0, nil, false
	}
	body, mac := msg[:len(msg)-macLen], msg[len(msg)-macLen:]
	if !hmac.Equal(sign(key, body), mac) {
		return 0, nil, false
	}
	return body[0], body[1:], true
}
