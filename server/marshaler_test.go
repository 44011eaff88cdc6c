package server_test

import (
	"encoding/json"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
)

// marshalOrdersSrc and marshalPaymentsSrc are a shop whose types hold
// github.com/google/uuid.UUID (text methods) and
// github.com/shopspring/decimal.Decimal (JSON and text methods), in
// fields, slices, pointers and map keys; payments calls orders across
// packages, and orders calls itself. The wanted answers are what the same
// calls give compiled (go run).
const marshalOrdersSrc = `package orders

import (
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// Line is one line of an order.
type Line struct {
	SKU   uuid.UUID       ` + "`json:\"sku\"`" + `
	Price decimal.Decimal ` + "`json:\"price\"`" + `
	Qty   int             ` + "`json:\"qty\"`" + `
}

// Order is an order.
type Order struct {
	ID    uuid.UUID            ` + "`json:\"id\"`" + `
	Lines []Line               ` + "`json:\"lines\"`" + `
	Tip   *decimal.Decimal     ` + "`json:\"tip\"`" + `
	Notes map[uuid.UUID]string ` + "`json:\"notes,omitempty\"`" + `
}

// Total sums an order.
//
//microfn:service
func Total(o Order) (decimal.Decimal, error) {
	sum := decimal.Zero
	for _, l := range o.Lines {
		sum = sum.Add(l.Price.Mul(decimal.NewFromInt(int64(l.Qty))))
	}
	if o.Tip != nil {
		sum = sum.Add(*o.Tip)
	}
	return sum, nil
}

// Reissue returns the order under the id given.
//
//microfn:service
func Reissue(o Order, id uuid.UUID) Order {
	o.ID = id
	return o
}

// Price reads a price and an id from a query string.
//
//microfn:service
func Price(p decimal.Decimal, id uuid.UUID, ids []uuid.UUID) string {
	return p.StringFixed(2) + " " + id.String() + " " + uuid.NewSHA1(id, []byte(p.String())).String() + " " + decimal.NewFromInt(int64(len(ids))).String()
}

// Checkout totals and reissues an order through the services above.
//
//microfn:service
func Checkout(o Order) (string, error) {
	total, err := Total(o)
	if err != nil {
		return "", err
	}
	r := Reissue(o, uuid.NewSHA1(o.ID, []byte("reissued")))
	return total.String() + " " + r.ID.String() + " " + r.Lines[0].Price.String() + " " + r.Notes[o.Lines[0].SKU], nil
}
`

const marshalPaymentsSrc = `package payments

import (
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"example.com/shop/orders"
)

// Receipt is what a charge gives back.
type Receipt struct {
	Order  uuid.UUID       ` + "`json:\"order\"`" + `
	Amount decimal.Decimal ` + "`json:\"amount\"`" + `
	Order2 orders.Order    ` + "`json:\"reissued\"`" + `
}

// Charge charges an order: its total and its new id come from orders'
// services.
//
//microfn:service
func Charge(o orders.Order) (Receipt, error) {
	total, err := orders.Total(o)
	if err != nil {
		return Receipt{}, err
	}
	r := orders.Reissue(o, uuid.NewSHA1(o.ID, []byte("charged")))
	return Receipt{Order: r.ID, Amount: total.Round(1), Order2: r}, nil
}
`

// marshalShop writes the shop as a module requiring uuid and decimal, as
// thirdPartyModule does.
func marshalShop(t *testing.T) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the Go toolchain is not on PATH: third-party modules come from the module cache it fills")
	}
	dir := t.TempDir()
	microfntest.WriteFile(t, dir, "go.mod", "module example.com/shop\n\ngo 1.22\n\nrequire (\n\tgithub.com/google/uuid v1.6.0\n\tgithub.com/shopspring/decimal v1.6.0\n)\n")
	microfntest.WriteFile(t, dir, "orders/orders.go", marshalOrdersSrc)
	microfntest.WriteFile(t, dir, "payments/payments.go", marshalPaymentsSrc)
	goCmd(t, goTool, dir, "mod", "tidy")
	return dir
}

const marshalOrder = `{"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","lines":[{"sku":"6ba7b811-9dad-11d1-80b4-00c04fd430c8","price":"1.10","qty":3},{"sku":"6ba7b812-9dad-11d1-80b4-00c04fd430c8","price":"0.05","qty":2}],"tip":"0.5","notes":{"6ba7b811-9dad-11d1-80b4-00c04fd430c8":"gift"}}`

// TestMarshalerTypesEndToEnd: types of other modules that encode
// themselves (uuid.UUID, decimal.Decimal) travel as what their methods
// write, in request bodies, query strings and results, and across nested
// calls within a package and across packages, in both directions, in
// every way a nested call is carried, interpreted and compiled; what
// their methods refuse is a 400 naming the parameter.
func TestMarshalerTypesEndToEnd(t *testing.T) {
	t.Parallel()
	dir := marshalShop(t)
	q := url.QueryEscape
	calls := []struct {
		method, path, body string
		want               string
	}{
		{"POST", "/orders/Total", `{"o":` + marshalOrder + `}`, `"3.9"`},
		{"GET", "/orders/Total?o=" + q(marshalOrder), "", `"3.9"`},
		{"GET", "/orders/Reissue?id=6ba7b814-9dad-11d1-80b4-00c04fd430c8&o=" + q(marshalOrder), "",
			`{"id":"6ba7b814-9dad-11d1-80b4-00c04fd430c8","lines":[{"sku":"6ba7b811-9dad-11d1-80b4-00c04fd430c8","price":"1.1","qty":3},{"sku":"6ba7b812-9dad-11d1-80b4-00c04fd430c8","price":"0.05","qty":2}],"tip":"0.5","notes":{"6ba7b811-9dad-11d1-80b4-00c04fd430c8":"gift"}}`},
		{"GET", "/orders/Price?p=2.5&id=6ba7b810-9dad-11d1-80b4-00c04fd430c8&ids=6ba7b811-9dad-11d1-80b4-00c04fd430c8&ids=6ba7b812-9dad-11d1-80b4-00c04fd430c8", "",
			`"2.50 6ba7b810-9dad-11d1-80b4-00c04fd430c8 b3457c74-8f3d-589f-ab85-589aa90e1b05 2"`},
		{"GET", "/orders/Checkout?o=" + q(marshalOrder), "", `"3.9 54039c66-f51b-51a0-9555-df5163d7e7c6 1.1 gift"`},
		{"POST", "/payments/Charge", `{"o":` + marshalOrder + `}`,
			`{"order":"3de0aca1-f7fd-5d54-b58c-29d18ca7c0fd","amount":"3.9","reissued":{"id":"3de0aca1-f7fd-5d54-b58c-29d18ca7c0fd","lines":[{"sku":"6ba7b811-9dad-11d1-80b4-00c04fd430c8","price":"1.1","qty":3},{"sku":"6ba7b812-9dad-11d1-80b4-00c04fd430c8","price":"0.05","qty":2}],"tip":"0.5","notes":{"6ba7b811-9dad-11d1-80b4-00c04fd430c8":"gift"}}}`},
	}
	bad := []struct {
		method, path, body string
		param              string
		words              []string
	}{
		{"GET", "/orders/Reissue?id=nope&o=" + q(marshalOrder), "", "id", []string{"want uuid.UUID", "invalid UUID length: 4"}},
		{"POST", "/orders/Total", `{"o":{"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","lines":[{"price":"abc","qty":1}]}}`, "o", []string{"at lines[0].price", "want decimal.Decimal", "can't convert abc to decimal"}},
		{"POST", "/orders/Total", `{"o":{"id":7}}`, "o", []string{"at id", "want uuid.UUID", "got the number 7"}},
		{"GET", "/orders/Price?p=x&id=6ba7b810-9dad-11d1-80b4-00c04fd430c8", "", "p", []string{"want decimal.Decimal", "can't convert x to decimal"}},
	}
	for _, m := range callModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			in := m.startDir(t, dir, allowUUID, server.WithQuiet(true))
			for _, c := range calls {
				r := in.Do(c.method, c.path, "application/json", c.body)
				if body := strings.TrimSpace(r.Body); r.Status != 200 || body != c.want {
					t.Errorf("%s %s %s = %d %s\nwant 200 %s", c.method, c.path, c.body, r.Status, body, c.want)
				}
				if tier := r.Header.Get(protocol.HeaderTier); m.compiled() != (tier == "compiled") {
					t.Errorf("%s %s served by the %s tier", c.method, c.path, tier)
				}
			}
			for _, c := range bad {
				r := in.Do(c.method, c.path, "application/json", c.body)
				var p struct{ Detail string }
				_ = json.Unmarshal([]byte(r.Body), &p)
				if r.Status != 400 || !strings.HasPrefix(p.Detail, `parameter "`+c.param+`": `) {
					t.Errorf("%s %s %s = %d %s, want 400 naming parameter %q", c.method, c.path, c.body, r.Status, r.Body, c.param)
					continue
				}
				for _, w := range c.words {
					if !strings.Contains(p.Detail, w) {
						t.Errorf("%s %s: detail %q lacks %q", c.method, c.path, p.Detail, w)
					}
				}
			}
		})
	}
}

// ownUtilSrc and ownAPISrc are a module whose own types encode
// themselves: a string type with text methods (a map key written as the
// string itself, read back by UnmarshalText, as encoding/json does) and an
// integer type with JSON methods. The wanted answer is what the same
// calls give compiled (go run).
const ownUtilSrc = `package util

import (
	"errors"
	"strings"
)

// Code is a product code, written in upper case.
type Code string

func (c Code) MarshalText() ([]byte, error) { return []byte(strings.ToUpper(string(c))), nil }

func (c *Code) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		return errors.New("empty code")
	}
	*c = Code(strings.ToLower(string(b)))
	return nil
}
`

const ownAPISrc = `package api

import (
	"encoding/json"
	"fmt"

	"example.com/own/util"
)

// Cents is an amount, written as {"eur":"1.50"}.
type Cents int64

func (c Cents) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(` + "`" + `{"eur":"%d.%02d"}` + "`" + `, c/100, c%100)), nil
}

func (c *Cents) UnmarshalJSON(b []byte) error {
	var v struct{ EUR string }
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	var e, ct int64
	if _, err := fmt.Sscanf(v.EUR, "%d.%d", &e, &ct); err != nil {
		return fmt.Errorf("cents: %w", err)
	}
	*c = Cents(e*100 + ct)
	return nil
}

// Item is priced by code.
type Item struct {
	Code   util.Code
	Price  Cents
	ByCode map[util.Code]Cents
}

// Double doubles the prices of an item.
//
//microfn:service
func Double(it Item) Item {
	by := map[util.Code]Cents{}
	for k, v := range it.ByCode {
		by[k] = v * 2
	}
	return Item{Code: it.Code, Price: it.Price * 2, ByCode: by}
}

// Caller prices an item through Double.
//
//microfn:service
func Caller(code util.Code, price Cents) (Item, error) {
	return Double(Item{Code: code, Price: price, ByCode: map[util.Code]Cents{code: price}}), nil
}
`

// TestModuleMarshalerTypes: the module's own types that encode
// themselves travel as what their methods write, across a nested call,
// interpreted and compiled; what their methods refuse is a 400 naming
// the parameter.
func TestModuleMarshalerTypes(t *testing.T) {
	t.Parallel()
	files := map[string]string{"go.mod": "module example.com/own\n\ngo 1.22\n", "util/util.go": ownUtilSrc, "api/api.go": ownAPISrc}
	for _, m := range callModes {
		if m.name != "http" && m.name != "compiled" {
			continue
		}
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			in := m.start(t, files, server.WithQuiet(true))
			path := "/api/Caller?code=ab&price=" + url.QueryEscape(`{"eur":"1.05"}`)
			want := `{"Code":"AB","Price":{"eur":"2.10"},"ByCode":{"ab":{"eur":"2.10"}}}`
			if r := in.Get(path); r.Status != 200 || strings.TrimSpace(r.Body) != want {
				t.Errorf("GET %s = %d %s, want %s", path, r.Status, r.Body, want)
			}
			r := in.Get("/api/Caller?code=&price=" + url.QueryEscape(`{"eur":"1.05"}`))
			if r.Status != 400 || !strings.Contains(r.Body, `parameter \"code\": want util.Code (a string: the text of its MarshalText method), got \"\": empty code`) {
				t.Errorf("an empty code = %d %s, want 400 with Code's error", r.Status, r.Body)
			}
			r = in.Post("/api/Double", `{"it":{"Code":"x","Price":{"eur":"one"},"ByCode":null}}`)
			if r.Status != 400 || !strings.Contains(r.Body, `parameter \"it\": at Price: want Cents (the JSON of its MarshalJSON method), got an object: cents: expected integer`) {
				t.Errorf("a bad price = %d %s, want 400 with Cents' error", r.Status, r.Body)
			}
		})
	}
}
