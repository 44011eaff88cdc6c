package openapi

import (
	"net/http"
	"strconv"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/microfn/microfn/funcs"
)

// The names of the security schemes of the document: the server's bearer
// token, and JSON Web Tokens.
const (
	TokenScheme = "token"
	JWTScheme   = "jwt"
)

// unauthorizedName names the component response of 401.
const unauthorizedName = "Unauthorized"

// unauthorizedDesc describes a 401 answer.
const unauthorizedDesc = "The call did not show what this service requires (the WWW-Authenticate header says what): no Authorization header, a token that is not the server's, or a JSON Web Token that is expired, malformed or not signed by the server's keys."

// secure adds to op what svc requires of a call from outside: a security
// requirement of the token or JWT scheme, and the 401 answer.
func (g *generator) secure(op *openapi3.Operation, svc Service) {
	var name string
	switch svc.Auth {
	case funcs.AuthToken:
		name = TokenScheme
		if g.security[name] == nil {
			g.security[name] = &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{
				Type: "http", Scheme: "bearer",
				Description: "The server's token (microfn serve --token): Authorization: Bearer TOKEN.",
			}}
		}
	case funcs.AuthJWT:
		name = JWTScheme
		if g.security[name] == nil {
			g.security[name] = &openapi3.SecuritySchemeRef{Value: &openapi3.SecurityScheme{
				Type: "http", Scheme: "bearer", BearerFormat: "JWT",
				Description: "A JSON Web Token signed by a key the server trusts (--jwt-keys, --auth PREFIX=jwt:FILE), with an exp claim: Authorization: Bearer JWT. Its subject is the caller service code sees (microfn.RequestOf), its claims are the request's Claims.",
			}}
		}
	default:
		return
	}
	op.Security = &openapi3.SecurityRequirements{openapi3.NewSecurityRequirement().Authenticate(name)}
	if g.problems[unauthorizedName] == nil {
		desc := unauthorizedDesc
		g.problems[unauthorizedName] = &openapi3.ResponseRef{Value: &openapi3.Response{
			Description: &desc,
			Content: openapi3.Content{
				ProblemContentType: &openapi3.MediaType{Schema: openapi3.NewSchemaRef(schemaRefPrefix+problemName, g.schemas[problemName].Value)},
			},
		}}
	}
	op.Responses.Set(strconv.Itoa(http.StatusUnauthorized), g.responseRef(unauthorizedName))
}
