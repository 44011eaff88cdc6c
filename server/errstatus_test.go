package server_test

import (
	"strings"
	"testing"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// errStatusModule: payments maps its errors to statuses next to its code
// (ErrDeclined, and a variable of an imported library), orders calls it.
func errStatusModule() map[string]string {
	return map[string]string{
		"go.mod":     "module example.com/errs\n\ngo 1.22\n",
		"lib/lib.go": "package lib\n\nimport \"errors\"\n\n// ErrGone is a library's error.\nvar ErrGone = errors.New(\"gone\")\n",
		"payments/p.go": `package payments

import (
	"errors"
	"fmt"

	"example.com/errs/lib"
)

// ErrDeclined is a declined card.
var ErrDeclined = errors.New("card declined")

var tries int

// Charge charges a card.
//
//microfn:service retry=3 errors=ErrDeclined:402,lib.ErrGone:410
func Charge(card string) (string, error) {
	tries++
	switch card {
	case "0000":
		return "", fmt.Errorf("charge %s: %w", card, ErrDeclined)
	case "9999":
		return "", lib.ErrGone
	case "boom":
		return "", errors.New("boom")
	}
	return "ok " + card, nil
}

//microfn:service
func Tries() int { return tries }
`,
		"orders/o.go": `package orders

import (
	"errors"
	"fmt"

	"example.com/errs/payments"
	"github.com/microfn/microfn"
)

//microfn:service
func Place(card string) string {
	_, err := payments.Charge(card)
	return fmt.Sprint(errors.Is(err, payments.ErrDeclined), " ", microfn.StatusOf(err))
}
`,
	}
}

// TestErrorStatuses: errors=ErrDeclined:402 answers a matching error (at
// any depth of wrapping, or a variable of an imported package) with its
// status, never retries a mapped 4xx, and a caller's proxy sees the
// status and errors.Is; an unmapped error is a 500, retried.
func TestErrorStatuses(t *testing.T) {
	t.Parallel()
	for _, m := range callModes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			in := m.start(t, errStatusModule(), server.WithQuiet(true))
			for _, c := range []struct {
				path     string
				status   int
				attempts string
				body     string
			}{
				{"/payments/Charge?card=0000", 402, "1", "charge 0000: card declined"},
				{"/payments/Charge?card=9999", 410, "1", "gone"},
				{"/payments/Charge?card=boom", 500, "3", "boom"},
				{"/payments/Charge?card=42", 200, "1", `"ok 42"`},
				{"/orders/Place?card=0000", 200, "1", `"true 402"`},
			} {
				r := in.Get(c.path)
				if r.Status != c.status || r.Header.Get("Microfn-Attempts") != c.attempts || !strings.Contains(r.Body, c.body) {
					t.Errorf("%s = %d (attempts %s) %s, want %d after %s attempts, with %s", c.path, r.Status, r.Header.Get("Microfn-Attempts"), r.Body, c.status, c.attempts, c.body)
				}
			}
		})
	}
}

// TestErrorStatusesRefused: an errors= option that names no error
// variable is a load error at the directive.
func TestErrorStatusesRefused(t *testing.T) {
	t.Parallel()
	src := "package bad\n\nvar notAnError = 3\n\n//microfn:service errors=notAnError:404,Missing:410\nfunc F() error { return nil }\n\n//microfn:service errors=ErrX:200\nfunc G() error { return nil }\n"
	in := microfntest.Start(t, map[string]string{"bad/bad.go": src}, server.WithQuiet(true))
	errs := strings.Join(health(t, in).Packages[0].Errors, "\n")
	for _, want := range []string{"bad.go:8:", "the status must be a number from 400 to 599"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors %q lack %q", errs, want)
		}
	}
	src = "package bad\n\nvar notAnError = 3\n\n//microfn:service errors=notAnError:404,Missing:410\nfunc F() error { return nil }\n"
	in.Write("bad/bad.go", src)
	microfntest.Eventually(t, 30e9, func() (bool, string) {
		errs := strings.Join(health(t, in).Packages[0].Errors, "\n")
		return strings.Contains(errs, "bad.go:5:") && strings.Contains(errs, "notAnError is a int, not an error") && strings.Contains(errs, "Missing is not a package-level error variable"), errs
	})
}
