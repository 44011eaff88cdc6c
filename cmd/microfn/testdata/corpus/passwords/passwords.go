// Package passwords hashes and checks passwords with
// golang.org/x/crypto/bcrypt.
package passwords

import (
	"golang.org/x/crypto/bcrypt"
)

// Check reports whether password matches the bcrypt hash, and the hash's
// cost.
//
//microfn:service
func Check(hash, password string) (map[string]any, error) {
	cost, err := bcrypt.Cost([]byte(hash))
	if err != nil {
		return nil, err
	}
	err = bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
	return map[string]any{"cost": cost, "match": err == nil, "mismatch": err == bcrypt.ErrMismatchedHashAndPassword}, nil
}

// RoundTrip hashes the password at the lowest cost (the salt is random)
// and checks the hash against it and against another password.
//
//microfn:service
func RoundTrip(password string) ([]bool, error) {
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		return nil, err
	}
	return []bool{
		bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil,
		bcrypt.CompareHashAndPassword(hash, []byte(password+"!")) == nil,
		len(hash) == 60,
	}, nil
}
