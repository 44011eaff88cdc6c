// Package tokens signs and verifies JSON Web Tokens with
// github.com/golang-jwt/jwt/v5.
package tokens

import (
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

var key = []byte("a key for the corpus only")

// Sign signs a token for the subject with the roles, valid until 2100,
// issued at a fixed time.
//
//microfn:service
func Sign(subject string, roles []string) (string, error) {
	claims := jwt.MapClaims{
		"sub":   subject,
		"roles": roles,
		"iat":   time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Unix(),
		"exp":   time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC).Unix(),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
}

// Claims are the registered claims with the roles.
type Claims struct {
	Roles []string `json:"roles"`
	jwt.RegisteredClaims
}

// Verify checks a token's signature and expiry and describes it.
//
//microfn:service
func Verify(token string) (string, error) {
	var c Claims
	t, err := jwt.ParseWithClaims(token, &c, func(t *jwt.Token) (any, error) { return key, nil }, jwt.WithValidMethods([]string{"HS256"}))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("valid=%v alg=%s sub=%s roles=%v exp=%s", t.Valid, t.Method.Alg(), c.Subject, c.Roles, c.ExpiresAt.UTC().Format(time.RFC3339)), nil
}
