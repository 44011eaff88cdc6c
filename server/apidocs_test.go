package server_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// docsSources: a package with a doc comment, a service mapping its
// errors to statuses, an enum type and example functions in its
// _test.go files (one in the package, one in an external test package).
func docsSources() map[string]string {
	return map[string]string{
		"go.mod": "module example.com/docs\n\ngo 1.23\n",
		"billing/doc.go": `// Package billing charges cards and quotes prices.
package billing
`,
		"billing/billing.go": `package billing

import (
	"errors"
	"fmt"
)

// ErrDeclined is a card the bank refused.
var ErrDeclined = errors.New("card declined")

// ErrExpired is a card past its date.
var ErrExpired = errors.New("card expired")

// Status is where a charge stands.
type Status string

// The statuses of a charge.
const (
	Pending Status = "pending" // not settled yet
	Paid    Status = "paid"    // settled
)

// Plan is a plan of payments.
type Plan int

const (
	Once Plan = iota + 1
	Monthly
)

// A Card is a payment card.
type Card struct {
	Last4 string ` + "`json:\"last4\"`" + `
}

// Charge charges a card.
//
//microfn:service errors=ErrDeclined:402,ErrExpired:402
func Charge(card Card, cents int64, plan Plan) (Status, error) {
	if card.Last4 == "0000" {
		return "", fmt.Errorf("charge: %w", ErrDeclined)
	}
	return Paid, nil
}

// Quote prices n items.
//
//microfn:service
func Quote(n int) int { return n * 500 }
`,
		"billing/billing_test.go": `package billing

import "fmt"

// A card that is accepted.
func ExampleCharge() {
	s, err := Charge(Card{Last4: "4242"}, 500, Monthly)
	fmt.Println(s, err)
	// Output: paid <nil>
}
`,
		"billing/quote_test.go": `package billing_test

import (
	"fmt"

	"example.com/docs/billing"
)

func ExampleQuote() {
	fmt.Println(billing.Quote(3))
	// Output: 1500
}
`,
		"hello.go": `// Package docs greets.
package docs

// Hello greets.
//
//microfn:service
func Hello() string { return "hi" }
`,
	}
}

// TestOpenAPIDocs: operations are tagged with their package (the tag has
// the package's doc comment); Example functions of _test.go files show
// in the description, their literal arguments as request examples and
// their output as the answer's; the constants of a named type are its
// schema's enum; errors= statuses are answers of their own.
func TestOpenAPIDocs(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, docsSources(), server.WithQuiet(true))
	r := in.Get("/openapi.json")
	if r.Status != 200 {
		t.Fatalf("/openapi.json = %d %s", r.Status, r.Body)
	}
	type media struct {
		Schema   map[string]any
		Examples map[string]struct{ Value any }
	}
	type op struct {
		Tags        []string
		Description string
		Parameters  []struct {
			Name    string
			Example any
		}
		RequestBody struct{ Content map[string]media } `json:"requestBody"`
		Responses   map[string]struct {
			Description string
			Content     map[string]media
		}
	}
	var doc struct {
		Tags []struct {
			Name, Description string
		}
		Paths      map[string]map[string]op
		Components struct {
			Schemas map[string]struct {
				Enum        []any
				Description string
				VarNames    []string `json:"x-enum-varnames"`
			}
		}
	}
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
		t.Fatal(err)
	}
	tags, _ := json.Marshal(doc.Tags)
	if string(tags) != `[{"Name":"billing","Description":"Package billing charges cards and quotes prices."},{"Name":"docs","Description":"Package docs greets."}]` {
		t.Errorf("tags = %s", tags)
	}
	charge, quote := doc.Paths["/billing/Charge"]["post"], doc.Paths["/billing/Quote"]["post"]
	if len(charge.Tags) != 1 || charge.Tags[0] != "billing" || doc.Paths["/Hello"]["get"].Tags[0] != "docs" {
		t.Errorf("operation tags: Charge %v, Hello %v", charge.Tags, doc.Paths["/Hello"]["get"].Tags)
	}
	if !strings.Contains(charge.Description, "**ExampleCharge**: A card that is accepted.") || !strings.Contains(charge.Description, "s, err := Charge(Card{Last4: \"4242\"}, 500, Monthly)") || !strings.Contains(charge.Description, "paid <nil>") {
		t.Errorf("Charge's description lacks its example:\n%s", charge.Description)
	}
	ex, _ := json.Marshal(charge.RequestBody.Content["application/json"].Examples["ExampleCharge"].Value)
	if string(ex) != `{"card":{"last4":"4242"},"cents":500,"plan":2}` {
		t.Errorf("Charge's request example = %s", ex)
	}
	ex, _ = json.Marshal(quote.RequestBody.Content["application/json"].Examples["ExampleQuote"].Value)
	res, _ := json.Marshal(quote.Responses["200"].Content["application/json"].Examples["ExampleQuote"].Value)
	if string(ex) != `{"n":3}` || string(res) != `1500` {
		t.Errorf("Quote's examples: request %s, answer %s", ex, res)
	}
	if p := doc.Paths["/billing/Quote"]["get"].Parameters; len(p) != 1 || p[0].Example != float64(3) {
		t.Errorf("Quote's GET parameter example: %+v", p)
	}
	st := doc.Components.Schemas["billing.Status"]
	if e, _ := json.Marshal(st.Enum); string(e) != `["pending","paid"]` || strings.Join(st.VarNames, ",") != "Pending,Paid" || !strings.Contains(st.Description, "not settled yet") {
		t.Errorf("Status schema: %+v", st)
	}
	if e, _ := json.Marshal(doc.Components.Schemas["billing.Plan"].Enum); string(e) != `[1,2]` {
		t.Errorf("Plan enum = %s", e)
	}
	d402 := charge.Responses["402"].Description
	if !strings.Contains(d402, "ErrDeclined") || !strings.Contains(d402, "card the bank refused") || !strings.Contains(d402, "ErrExpired") {
		t.Errorf("Charge's 402 = %q", d402)
	}
	if _, ok := quote.Responses["402"]; ok {
		t.Errorf("Quote has a 402 it never answers")
	}
	// The mapped status is what a call answers.
	if r := in.Post("/billing/Charge", `{"card":{"last4":"0000"},"cents":1,"plan":1}`); r.Status != 402 {
		t.Errorf("a declined charge = %d %s", r.Status, r.Body)
	}
}
