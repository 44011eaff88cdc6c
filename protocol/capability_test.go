package protocol

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
	"time"
)

func testCapability(now time.Time) Capability {
	return Capability{
		Package: "billing",
		Chain: Chain{
			ID:       [16]byte{1, 2, 3},
			Trace:    [16]byte{4, 5, 6},
			Span:     7,
			Depth:    3,
			Deadline: now.Add(time.Second),
		},
		Caller: "alice",
		Claims: []byte(`{"sub":"alice"}`),
	}
}

func TestCapabilityVerify(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{0x42}, 32)
	other := bytes.Repeat([]byte{0x43}, 32)
	now := time.Unix(1_700_000_000, 0)
	tests := []struct {
		name   string
		change func(c *Capability) // after signing
		key    []byte              // to verify with; key if nil
		pkg    string              // to verify for; "billing" if empty
		at     time.Time           // when; now if zero
		want   error               // nil, or the error it wraps; errAny for any other
	}{
		{name: "valid"},
		{name: "deeper claimed shallower", change: func(c *Capability) { c.Chain.Depth = 0 }, want: ErrForgedCapability},
		{name: "later deadline", change: func(c *Capability) { c.Chain.Deadline = c.Chain.Deadline.Add(time.Hour) }, want: ErrForgedCapability},
		{name: "another chain", change: func(c *Capability) { c.Chain.ID[0] ^= 1 }, want: ErrForgedCapability},
		{name: "another trace", change: func(c *Capability) { c.Chain.Trace[15] ^= 1 }, want: ErrForgedCapability},
		{name: "another caller", change: func(c *Capability) { c.Caller = "mallory" }, want: ErrForgedCapability},
		{name: "other claims", change: func(c *Capability) { c.Claims = []byte(`{"sub":"root"}`) }, want: ErrForgedCapability},
		{name: "package renamed", change: func(c *Capability) { c.Package = "orders" }, pkg: "orders", want: ErrForgedCapability},
		{name: "signed with another key", key: other, want: ErrForgedCapability},
		{name: "for another package", pkg: "orders", want: errAny},
		{name: "at its deadline", at: now.Add(time.Second), want: ErrExpiredCapability},
		{name: "past its deadline", at: now.Add(time.Minute), want: ErrExpiredCapability},
		{name: "no key", key: []byte{}, want: errAny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := testCapability(now)
			c.Sign(key)
			if tt.change != nil {
				tt.change(&c)
			}
			k, pkg, at := key, "billing", now
			if tt.key != nil {
				k = tt.key
			}
			if tt.pkg != "" {
				pkg = tt.pkg
			}
			if !tt.at.IsZero() {
				at = tt.at
			}
			err := c.Verify(k, pkg, at)
			switch {
			case tt.want == nil && err != nil:
				t.Fatalf("Verify = %v, want nil", err)
			case tt.want == errAny && err == nil:
				t.Fatal("Verify = nil, want an error")
			case tt.want != nil && tt.want != errAny && !errors.Is(err, tt.want):
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}

// errAny stands for any error in TestCapabilityVerify.
var errAny = errors.New("any error")

func TestCapabilityUnsignedExpires(t *testing.T) {
	t.Parallel()
	key := []byte("k")
	c := testCapability(time.Now())
	c.Chain.Deadline = time.Time{}
	c.Sign(key)
	if err := c.Verify(key, "billing", time.Now()); !errors.Is(err, ErrExpiredCapability) {
		t.Fatalf("a capability without a deadline: Verify = %v, want %v", err, ErrExpiredCapability)
	}
}

func TestCapabilitiesRoundTrip(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_700_000_000, 123)
	a := testCapability(now)
	a.Sign([]byte("a key"))
	b := testCapability(now)
	b.Package, b.Claims, b.Caller = ".", nil, ""
	b.Sign([]byte("b key"))
	for _, caps := range [][]Capability{nil, {a}, {a, b}} {
		var e encoder
		appendCapabilities(&e, caps)
		d := decoder{b: e.b}
		got := decodeCapabilities(&d)
		if d.err != nil {
			t.Fatalf("decode %d capabilities: %v", len(caps), d.err)
		}
		if len(d.b) != 0 {
			t.Fatalf("decode %d capabilities: %d bytes left", len(caps), len(d.b))
		}
		if !reflect.DeepEqual(got, caps) {
			t.Fatalf("round trip:\ngot  %+v\nwant %+v", got, caps)
		}
		for i := range got {
			key := []byte("a key")
			if i == 1 {
				key = []byte("b key")
			}
			if err := got[i].Verify(key, got[i].Package, now); err != nil {
				t.Fatalf("capability %d after the round trip: %v", i, err)
			}
		}
	}
}

func TestCapabilitiesDecodeBad(t *testing.T) {
	t.Parallel()
	var e encoder
	a := testCapability(time.Now())
	appendCapabilities(&e, []Capability{a})
	whole := e.b
	for n := range len(whole) {
		d := decoder{b: whole[:n]}
		if caps := decodeCapabilities(&d); d.err == nil && n > 0 {
			t.Fatalf("%d of %d bytes decoded without error: %+v", n, len(whole), caps)
		}
	}
	var many encoder
	many.uvarint(maxCapabilities + 1)
	d := decoder{b: many.b}
	if decodeCapabilities(&d); d.err == nil {
		t.Fatal("more than maxCapabilities decoded without error")
	}
}
