// Package ids derives and parses UUIDs with github.com/google/uuid.
package ids

import (
	"fmt"

	"github.com/google/uuid"
)

// Name derives the version 5 UUID of a name in the URL namespace, and
// the version 3 one in the DNS namespace.
//
//microfn:service
func Name(name string) []string {
	return []string{
		uuid.NewSHA1(uuid.NameSpaceURL, []byte(name)).String(),
		uuid.NewMD5(uuid.NameSpaceDNS, []byte(name)).String(),
	}
}

// Inspect parses a UUID and describes it.
//
//microfn:service
func Inspect(s string) (string, error) {
	id, err := uuid.Parse(s)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%s version=%d variant=%s urn=%s", id, id.Version(), id.Variant(), id.URN()), nil
}

// Echo takes and returns a uuid.UUID, which travels as its text.
//
//microfn:service
func Echo(id uuid.UUID) uuid.UUID { return id }
