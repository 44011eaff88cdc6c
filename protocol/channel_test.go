package protocol

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// messages keeps each Write as one message, as a SOCK_SEQPACKET socket
// does.
type messages [][]byte

func (m *messages) Write(p []byte) (int, error) {
	*m = append(*m, append([]byte(nil), p...))
	return len(p), nil
}

// TestChannel: every message a Channel writes carries the signature of
// its key, which another key, a changed byte or a message cut short do
// not; a large Ready message comes in parts of at most a message each,
// the last marked; a record too long for a message is cut.
func TestChannel(t *testing.T) {
	t.Parallel()
	var out messages
	c, err := NewChannel(&out, []byte("key"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewChannel(&out, nil); err == nil {
		t.Error("a channel without a key")
	}
	big := Ready{Loaded: []string{strings.Repeat("p", 200<<10)}}
	if err := c.Ready(big); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte(`{"msg":"hello"}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(bytes.Repeat([]byte("x"), 2*MaxChannelMessage)); err != nil {
		t.Fatal(err)
	}
	var ready []byte
	for i, m := range out {
		if len(m) > MaxChannelMessage {
			t.Errorf("message %d: %d bytes, over %d", i, len(m), MaxChannelMessage)
		}
		kind, payload, ok := VerifyChannelMessage([]byte("key"), m)
		if !ok {
			t.Fatalf("message %d does not verify", i)
		}
		last := len(out) - 3
		switch {
		case i < last && kind != ChannelReadyPart, i == last && kind != ChannelReady, i > last && kind != ChannelRecord:
			t.Errorf("message %d of %d is of kind %q", i, len(out), kind)
		}
		if i <= last {
			ready = append(ready, payload...)
		}
		if _, _, ok := VerifyChannelMessage([]byte("other key"), m); ok {
			t.Errorf("message %d verifies with another key", i)
		}
		changed := append([]byte(nil), m...)
		changed[len(changed)/2] ^= 1
		if _, _, ok := VerifyChannelMessage([]byte("key"), changed); ok {
			t.Errorf("message %d verifies changed", i)
		}
		if _, _, ok := VerifyChannelMessage([]byte("key"), m[:len(m)-1]); ok {
			t.Errorf("message %d verifies cut short", i)
		}
	}
	var r Ready
	if err := json.Unmarshal(ready, &r); err != nil || len(r.Loaded) != 1 || r.Loaded[0] != big.Loaded[0] {
		t.Errorf("the parts make %d bytes: %v", len(ready), err)
	}
	if _, _, ok := VerifyChannelMessage([]byte("key"), []byte("L{}")); ok {
		t.Error("an unsigned message verifies")
	}
}
