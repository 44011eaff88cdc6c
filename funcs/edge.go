package funcs

import (
	"fmt"
	"mime"
	"strings"
)

// What a call from outside must show, as the directive's auth= option
// says it.
const (
	// AuthNone: nothing; the service is open.
	AuthNone = "none"
	// AuthToken: the server's bearer token (serve --token).
	AuthToken = "token"
	// AuthJWT: a JSON Web Token the server verifies with its keys (serve
	// --jwt-keys, or --auth PREFIX=jwt:FILE).
	AuthJWT = "jwt"
)

// checkAuth validates the value of an auth= option.
func checkAuth(value string) error {
	switch value {
	case AuthNone, AuthToken, AuthJWT:
		return nil
	}
	return fmt.Errorf("auth: want none, token or jwt, got %q", value)
}

// checkContentType validates the value of a content-type= option: a
// media type such as image/png or text/csv;charset=utf-8.
func checkContentType(value string) error {
	mt, _, err := mime.ParseMediaType(value)
	if err != nil || !strings.Contains(mt, "/") {
		return fmt.Errorf("content-type: want a media type such as image/png, got %q", value)
	}
	return nil
}
