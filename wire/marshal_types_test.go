package wire_test

// This file declares the types of the tests of types that encode
// themselves, with their methods. The tests parse it with funcs.Parse, so
// the source types and the compiled ones are the same.

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Token is written as its text (MarshalText on the value, as
// github.com/google/uuid.UUID).
type Token [4]byte

func (id Token) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(id[:])), nil }

func (id *Token) UnmarshalText(b []byte) error {
	if len(b) != 8 {
		return fmt.Errorf("invalid token length: %d", len(b))
	}
	_, err := hex.Decode(id[:], b)
	return err
}

// Money is written as the JSON its MarshalJSON method writes, spaced and
// with characters encoding/json escapes; null reads as zero (as
// github.com/shopspring/decimal.Decimal).
type Money struct {
	units int64
	cur   string
}

func (m Money) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`{ "units" : %d, "cur" : %q }`, m.units, m.cur)), nil
}

func (m *Money) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*m = Money{}
		return nil
	}
	var v struct {
		Units int64
		Cur   string
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf("money: %w", err)
	}
	if v.Cur == "" {
		return errors.New("money: no currency")
	}
	m.units, m.cur = v.Units, v.Cur
	return nil
}

// Code is a string type with text methods: as a map key, encoding/json
// writes the string itself, and reads it with UnmarshalText.
type Code string

func (c Code) MarshalText() ([]byte, error) { return []byte(strings.ToUpper(string(c))), nil }

func (c *Code) UnmarshalText(b []byte) error { *c = Code(strings.ToLower(string(b))); return nil }

// Counter has its methods on the pointer receiver.
type Counter struct{ n int }

func (c *Counter) MarshalText() ([]byte, error) { return []byte(strconv.Itoa(c.n)), nil }

func (c *Counter) UnmarshalText(b []byte) error {
	n, err := strconv.Atoi(string(b))
	c.n = n
	return err
}

// Level is written as JSON and read from text only.
type Level int

func (l Level) MarshalJSON() ([]byte, error) { return []byte(`"L` + strconv.Itoa(int(l)) + `"`), nil }

func (l *Level) UnmarshalText(b []byte) error {
	n, err := strconv.Atoi(strings.TrimPrefix(string(b), "L"))
	*l = Level(n)
	return err
}

// Boom's methods panic.
type Boom struct{}

func (Boom) MarshalText() ([]byte, error) { panic("boom") }

func (*Boom) UnmarshalText([]byte) error { panic("boom") }

// Bad writes what is not JSON.
type Bad struct{}

func (Bad) MarshalJSON() ([]byte, error) { return []byte("{nope"), nil }

func (*Bad) UnmarshalJSON([]byte) error { return nil }

// Order holds types that encode themselves everywhere they may be.
type Order struct {
	Token   Token
	Total   Money
	Tip     *Money
	Codes   map[Code]Token
	ByID    map[Token]int
	Lines   []Token
	Counter Counter
	Level   Level
	Any     any
}
