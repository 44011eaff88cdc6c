// Package validation validates requests with
// github.com/go-playground/validator/v10.
package validation

import (
	"errors"
	"fmt"

	"github.com/go-playground/validator/v10"
)

// A Signup is what a new user sends.
type Signup struct {
	Email    string   `json:"email" validate:"required,email"`
	Name     string   `json:"name" validate:"required,min=2,max=20"`
	Age      int      `json:"age" validate:"gte=13,lte=130"`
	Password string   `json:"password" validate:"required,min=8"`
	Confirm  string   `json:"confirm" validate:"eqfield=Password"`
	Tags     []string `json:"tags" validate:"max=3,dive,alphanum"`
}

var validate = validator.New(validator.WithRequiredStructEnabled())

// Check lists what is wrong with a signup: field, rule and value.
//
//microfn:service
func Check(s Signup) []string {
	err := validate.Struct(s)
	var errs validator.ValidationErrors
	if !errors.As(err, &errs) {
		return []string{}
	}
	out := []string{}
	for _, e := range errs {
		out = append(out, fmt.Sprintf("%s %s=%s (%v)", e.Namespace(), e.Tag(), e.Param(), e.Value()))
	}
	return out
}

// Var validates one value against a rule.
//
//microfn:service
func Var(value, rule string) string {
	if err := validate.Var(value, rule); err != nil {
		return err.Error()
	}
	return "ok"
}
