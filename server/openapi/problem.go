package openapi

import (
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
)

// problemName names the component schema and the generic component
// response of error bodies.
const problemName = "Problem"

// responseRefPrefix starts the reference of a component response.
const responseRefPrefix = "#/components/responses/"

// problemDesc describes the generic error response.
const problemDesc = "An error, as RFC 9457 problem details. A service may answer with any 4xx or 5xx status it chooses."

// errorStatuses are the error responses each operation lists, with the
// name of their component response. 413 is listed for POST only.
var errorStatuses = []struct {
	status int
	name   string
	desc   string
}{
	{http.StatusBadRequest, "BadRequest", "Bad input: a parameter is missing, unknown or not of its type, or the body is not a JSON object of the parameters; or the service refused its input. Not retried."},
	{http.StatusNotFound, "NotFound", "No service is served at this route (any more), or the service reported that what was asked for does not exist."},
	{http.StatusMethodNotAllowed, "MethodNotAllowed", "Only GET and POST are served."},
	{http.StatusRequestEntityTooLarge, "ContentTooLarge", "The request body is larger than the server accepts."},
	{http.StatusTooManyRequests, "TooManyRequests", "Too many calls are waiting for this service (its policy's scale and queue); the Retry-After header tells when to try again."},
	{http.StatusInternalServerError, "InternalServerError", "The function failed or panicked, after the attempts its policy allows."},
	{http.StatusGatewayTimeout, "GatewayTimeout", "The call ran past its policy's timeout or budget."},
	{http.StatusLoopDetected, "LoopDetected", "The chain of nested calls went deeper than the server allows: a service probably calls itself without end."},
}

// problemSchema describes the body of error responses.
func problemSchema() *openapi3.Schema {
	str := func(desc string) *openapi3.SchemaRef {
		return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, Description: desc})
	}
	lo, hi := 100.0, 599.0
	return &openapi3.Schema{
		Title:       problemName,
		Description: "Problem details for HTTP APIs (RFC 9457). Members other than these may appear.",
		Type:        &openapi3.Types{openapi3.TypeObject},
		Properties: openapi3.Schemas{
			"type":  str(`a URI reference that identifies the problem type; "about:blank" when the status says it all`),
			"title": str("a short summary of the problem type: the status text"),
			"status": openapi3.NewSchemaRef("", &openapi3.Schema{
				Type: &openapi3.Types{openapi3.TypeInteger}, Format: "int32", Min: &lo, Max: &hi,
				Description: "the HTTP status code",
			}),
			"detail":   str("what went wrong on this call, for a person to read"),
			"instance": str("the path of the request"),
			"service":  str("the nested service whose call failed, if any"),
			"cause":    str("the innermost failure of a failed nested call"),
			"returned": openapi3.NewSchemaRef("", &openapi3.Schema{
				Type:        &openapi3.Types{openapi3.TypeObject},
				Description: "present when the service returned an error (rather than panicked or failed to run); detail is then that error's text",
				Properties: openapi3.Schemas{
					"status": openapi3.NewSchemaRef("", &openapi3.Schema{
						Type: &openapi3.Types{openapi3.TypeInteger}, Format: "int32",
						Description: "the error's own status (microfn.StatusOf), which a failed nested call's response status (500) may hide",
					}),
					"is": openapi3.NewSchemaRef("", &openapi3.Schema{
						Type:        &openapi3.Types{openapi3.TypeArray},
						Items:       str("import path (or package name), dot, variable name"),
						Description: "the package-level error variables and constants the error matches with errors.Is",
					}),
					"results": openapi3.NewSchemaRef("", &openapi3.Schema{
						Description: "the service's other results returned with the error, encoded as a successful call's",
					}),
				},
				Required: []string{"status"},
			}),
		},
		Required: []string{"type", "title", "status", "detail"},
	}
}

// newProblemComponents returns the component responses of errors, keyed
// by name, which all carry a Problem body (schema, the Problem component).
func newProblemComponents(schema *openapi3.SchemaRef) openapi3.ResponseBodies {
	rs := openapi3.ResponseBodies{}
	add := func(name, desc string) {
		rs[name] = &openapi3.ResponseRef{Value: &openapi3.Response{
			Description: &desc,
			Content: openapi3.Content{
				ProblemContentType: &openapi3.MediaType{Schema: openapi3.NewSchemaRef(schemaRefPrefix+problemName, schema.Value)},
			},
		}}
	}
	add(problemName, problemDesc)
	for _, e := range errorStatuses {
		add(e.name, e.desc)
	}
	return rs
}
