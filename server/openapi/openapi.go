// Package openapi builds the OpenAPI document of the services microfn serves.
//
// [Build] describes every service as one path, /ROUTE, with two
// operations: GET, whose query parameters are the function's parameters
// (scalars as text, composite values as JSON text), and POST, whose body is
// a JSON object keyed by parameter names. A 200 response carries the
// function's result as JSON: the result itself, null when the function
// returns none, a JSON array when it returns several. Errors are RFC 9457
// problem details (application/problem+json).
//
// The schemas follow the wire format, which is encoding/json of the types
// as written in the service's source: unexported fields never appear,
// untagged embedded structs are flattened, json tags rename and omit
// fields, []byte is base64, time.Time an RFC 3339 string, time.Duration an
// integer count of nanoseconds, and pointers, slices, maps and []byte may
// be null. Beyond encoding/json, a float may be NaN or infinite, written
// as the string "NaN", "Infinity" or "-Infinity": its schema is oneOf a
// number and those strings, so that every document microfn writes
// validates against it. Maps keyed by integers, times or netip addresses
// are objects like any other (OpenAPI 3.0 has no propertyNames): their
// description says how keys are written. The standard-library types that
// encode themselves (math/big.Int, net/netip.Addr, …) are described by
// the JSON their methods write: big.Int an integer, the others strings. Named types of a service's package become component schemas
// (#/components/schemas/NAME, NAME prefixed with the package's directory
// for subpackages: "billing.Invoice"); other types are written inline.
//
// The document is OpenAPI 3.0.3 as modelled by kin-openapi and is
// validated before it is returned. Its JSON encoding is deterministic.
package openapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/microfn/microfn/funcs"
	"github.com/microfn/microfn/policy"
)

// Version is the OpenAPI version of the documents [Build] returns.
const Version = "3.0.3"

// PolicyExtension is the key of the extension that carries a service's
// call policy on each of its operations. Its value is a [PolicyInfo].
const PolicyExtension = "x-microfn-policy"

// DatabasesExtension is the key of the extension that names the
// databases a service's package uses (microfn.Database, microfn.KV,
// migrations), on each of its operations (a list of names), and that
// lists every database with its kind and the services that use it, on
// the document (a list of [Database]).
const DatabasesExtension = "x-microfn-databases"

// ProblemContentType is the media type of error responses.
const ProblemContentType = "application/problem+json"

// A Service is one served function with its route and policy.
type Service struct {
	// Route is the full route without the leading slash, e.g. "IsEven" or
	// "billing/Charge".
	Route  string
	Desc   *funcs.Descriptor
	Policy policy.Policy
	// Databases are the names of the databases its package uses, sorted.
	Databases []string
	// Auth is what a call from outside must show: funcs.AuthToken,
	// funcs.AuthJWT, or funcs.AuthNone (or empty) for nothing.
	Auth string
	// Package is the service's package: its operations are tagged with
	// it, and show its examples. Nil for none.
	Package *Package
}

// Info is the document's title and version, and the kinds of the
// databases its services use.
type Info struct {
	Title, Version string
	// DatabaseKinds maps the name of a database to its kind ("sqlite"
	// or "postgres"), for the document's list of databases.
	DatabaseKinds map[string]string
}

// A Database is an entry of the document's list of databases (see
// [DatabasesExtension]).
type Database struct {
	Name string `json:"name"`
	// Kind is "sqlite" or "postgres" (empty if unknown).
	Kind string `json:"kind,omitempty"`
	// Services are the routes of the services that use it, sorted.
	Services []string `json:"services"`
}

// PolicyInfo is the value of the x-microfn-policy extension: a service's
// call policy, with the option names of the //microfn:service directive
// and durations written as Go durations ("10ms", "1m30s"; budget "0s"
// means no budget).
type PolicyInfo struct {
	Retry   int    `json:"retry"`
	Backoff string `json:"backoff"`
	Base    string `json:"base"`
	Cap     string `json:"cap"`
	Jitter  int    `json:"jitter"` // percent
	Budget  string `json:"budget"`
	Timeout string `json:"timeout"`
	Scale   int    `json:"scale"`
	Queue   int    `json:"queue"`
}

// NewPolicyInfo returns the extension value describing p.
func NewPolicyInfo(p policy.Policy) PolicyInfo {
	return PolicyInfo{
		Retry:   p.Attempts,
		Backoff: p.Backoff,
		Base:    policy.FormatDuration(p.Base),
		Cap:     policy.FormatDuration(p.Cap),
		Jitter:  p.Jitter,
		Budget:  policy.FormatDuration(p.Budget),
		Timeout: policy.FormatDuration(p.Timeout),
		Scale:   p.Scale,
		Queue:   p.Queue,
	}
}

// apiDescription tells the calling conventions shared by every service.
const apiDescription = `Each service is served at /ROUTE by GET and POST.

GET takes the parameters in the query string: scalars as text (x=5, s=hello, t=2024-01-02T03:04:05Z, d=1.5s), composite values as JSON text (p={"x":1}); a slice of scalars may also repeat its key (xs=1&xs=2). POST takes a JSON object of the parameters by name ({"x": 5}). Pointer parameters are optional; all others are required.

Floats that JSON numbers cannot hold are written as the strings "NaN", "Infinity" and "-Infinity", in results and parameters alike (in a query string: NaN, Inf, -Inf, Infinity).

A successful call answers 200 with the result as JSON: the result itself, null when the function returns none, and a JSON array of the results when it returns several. Errors are RFC 9457 problem details (application/problem+json).

The extension x-microfn-policy of each operation gives the service's call policy (retries, backoff, timeout, concurrency and queue).`

// Build returns the OpenAPI 3.0.3 document for services, validated. An
// empty title or version is replaced by a default. Services are described
// in route order; routes and operation ids must be unique.
func Build(info Info, services []Service) (*openapi3.T, error) {
	if info.Title == "" {
		info.Title = "microfn services"
	}
	if info.Version == "" {
		info.Version = "0.0.0"
	}
	services = slices.Clone(services)
	slices.SortStableFunc(services, func(a, b Service) int { return strings.Compare(a.Route, b.Route) })

	g := newGenerator()
	doc := &openapi3.T{
		OpenAPI: Version,
		Info: &openapi3.Info{
			Title:       info.Title,
			Version:     info.Version,
			Description: apiDescription,
		},
		Paths: openapi3.NewPaths(),
		Components: &openapi3.Components{
			Schemas:         g.schemas,
			Responses:       g.problems,
			SecuritySchemes: g.security,
		},
	}

	var errs []error
	ops := map[string]string{}
	for _, svc := range services {
		if err := checkService(svc); err != nil {
			errs = append(errs, err)
			continue
		}
		p := "/" + svc.Route
		if doc.Paths.Value(p) != nil {
			errs = append(errs, fmt.Errorf("route %s is given twice", p))
			continue
		}
		id := operationSuffix(svc.Route)
		if prev, dup := ops[id]; dup {
			errs = append(errs, fmt.Errorf("routes /%s and /%s give the same operation id %q", prev, svc.Route, "get_"+id))
			continue
		}
		ops[id] = svc.Route
		g.prefix = componentPrefix(svc.Route)
		doc.Paths.Set(p, g.pathItem(svc, id))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	if dbs := databases(info, services); len(dbs) > 0 {
		doc.Extensions = map[string]any{DatabasesExtension: dbs}
		doc.Info.Description += "\n\n" + describeDatabases(dbs)
	}
	if len(g.security) == 0 {
		doc.Components.SecuritySchemes = nil
	}
	doc.Tags = tags(services)
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi: the generated document is invalid: %w", err)
	}
	return doc, nil
}

// databases lists the databases services use, by name, each with the
// routes of the services that use it.
func databases(info Info, services []Service) []Database {
	byName := map[string]*Database{}
	var names []string
	for _, svc := range services {
		for _, n := range svc.Databases {
			d := byName[n]
			if d == nil {
				d = &Database{Name: n, Kind: info.DatabaseKinds[n]}
				byName[n] = d
				names = append(names, n)
			}
			d.Services = append(d.Services, "/"+svc.Route)
		}
	}
	slices.Sort(names)
	out := make([]Database, 0, len(names))
	for _, n := range names {
		out = append(out, *byName[n])
	}
	return out
}

// kindNames are the kinds of database as the document's description
// names them.
var kindNames = map[string]string{"sqlite": "SQLite", "postgres": "PostgreSQL"}

// describeDatabases says, for the document's description (Markdown,
// which the docs page shows at its top), which services use which
// database.
func describeDatabases(dbs []Database) string {
	var b strings.Builder
	b.WriteString("Databases (the extension " + DatabasesExtension + " of the document, and of each operation, lists them):\n")
	for _, d := range dbs {
		fmt.Fprintf(&b, "\n- **%s**", d.Name)
		if k := kindNames[d.Kind]; k != "" {
			fmt.Fprintf(&b, " (%s)", k)
		}
		fmt.Fprintf(&b, ": %s", strings.Join(d.Services, ", "))
	}
	return b.String()
}

func checkService(svc Service) error {
	switch {
	case svc.Desc == nil:
		return fmt.Errorf("service at route %q has no descriptor", svc.Route)
	case svc.Route == "" || strings.HasPrefix(svc.Route, "/") || strings.HasSuffix(svc.Route, "/") || strings.Contains(svc.Route, "//"):
		return fmt.Errorf("service %s: route %q must be a path without leading or trailing slash", svc.Desc.Name, svc.Route)
	case strings.ContainsAny(svc.Route, "{}?#"):
		return fmt.Errorf("service %s: route %q holds one of the characters {}?#", svc.Desc.Name, svc.Route)
	}
	for _, p := range svc.Desc.Params {
		if p.Type == nil {
			return fmt.Errorf("service %s: parameter %s has no type", svc.Desc.Name, p.Name)
		}
	}
	for i, r := range svc.Desc.Results {
		if r == nil {
			return fmt.Errorf("service %s: result %d has no type", svc.Desc.Name, i+1)
		}
	}
	return nil
}

// operationSuffix turns a route into the part of operation ids after
// "get_" or "post_": slashes, and any other character than letters,
// digits, "_", "." and "-", become underscores.
func operationSuffix(route string) string {
	return sanitize(route)
}

// componentPrefix qualifies the component names of the types of the
// package serving route: "" at the root, "billing." for "billing/Charge".
func componentPrefix(route string) string {
	dir := path.Dir(route)
	if dir == "." {
		return ""
	}
	return strings.ReplaceAll(dir, "/", ".") + "."
}

// pathItem describes the GET and POST operations of svc.
func (g *generator) pathItem(svc Service, id string) *openapi3.PathItem {
	d := svc.Desc
	pol := NewPolicyInfo(svc.Policy)

	get := &openapi3.Operation{
		Summary:     d.Summary(),
		Description: d.Doc,
		OperationID: "get_" + id,
		Extensions:  map[string]any{PolicyExtension: pol},
	}
	for _, p := range d.Params {
		get.Parameters = append(get.Parameters, &openapi3.ParameterRef{Value: g.queryParam(p)})
	}
	get.Responses = g.responses(d, false)
	if len(svc.Databases) > 0 {
		get.Extensions[DatabasesExtension] = svc.Databases
	}

	post := &openapi3.Operation{
		Summary:     d.Summary(),
		Description: d.Doc,
		OperationID: "post_" + id,
		Extensions:  map[string]any{PolicyExtension: pol},
		RequestBody: &openapi3.RequestBodyRef{Value: g.requestBody(d)},
	}
	post.Responses = g.responses(d, true)
	if len(svc.Databases) > 0 {
		post.Extensions[DatabasesExtension] = svc.Databases
	}
	g.secure(get, svc)
	g.secure(post, svc)
	g.mappedErrors(get.Responses, d)
	g.mappedErrors(post.Responses, d)
	if svc.Package != nil && svc.Package.Tag != "" {
		get.Tags, post.Tags = []string{svc.Package.Tag}, []string{svc.Package.Tag}
	}
	g.describeExamples(get, post, svc)

	return &openapi3.PathItem{Get: get, Post: post}
}

// queryParam describes the parameter p in a query string: scalars (and
// pointers to them) with a schema, slices of scalars as a form-exploded
// array (the key repeated), everything else as JSON text.
func (g *generator) queryParam(p funcs.Param) *openapi3.Parameter {
	qp := &openapi3.Parameter{
		Name:     p.Name,
		In:       openapi3.ParameterInQuery,
		Required: p.Type.Kind != funcs.Pointer,
	}
	t := p.Type
	if t.Kind == funcs.Pointer && isScalar(t.Elem) {
		t = t.Elem
	}
	desc := "Go type " + p.Type.String()
	switch {
	case isScalar(t):
		qp.Schema = g.schema(t)
		desc += queryNote(t)
	case t.Kind == funcs.Slice && isScalar(t.Elem):
		qp.Schema = g.schema(t)
		desc += ": repeat the key for each element (" + p.Name + "=1&" + p.Name + "=2), or give a JSON array"
	default:
		qp.Content = openapi3.NewContentWithJSONSchemaRef(g.schema(p.Type))
		desc += ", written as JSON" + queryNote(t)
	}
	if p.Type.Kind == funcs.Pointer {
		desc += "; optional (null when left out)"
	}
	qp.Description = desc + "."
	return qp
}

// queryNote says how a query parameter of type t is written, beyond its
// type (see kindSchema.queryNote).
func queryNote(t *funcs.Type) string {
	if n := kindSchemaOf(t.Kind).queryNote; n != nil {
		return n(t)
	}
	return ""
}

// requestBody describes the JSON object of a POST: one property per
// parameter, the non-pointer ones required, no others.
func (g *generator) requestBody(d *funcs.Descriptor) *openapi3.RequestBody {
	no := false
	obj := &openapi3.Schema{
		Type:                 &openapi3.Types{openapi3.TypeObject},
		Properties:           openapi3.Schemas{},
		AdditionalProperties: openapi3.AdditionalProperties{Has: &no},
	}
	for _, p := range d.Params {
		obj.Properties[p.Name] = g.schema(p.Type)
		if p.Type.Kind != funcs.Pointer {
			obj.Required = append(obj.Required, p.Name)
		}
	}
	desc := "The parameters by name."
	if len(d.Params) == 0 {
		desc = "The function takes no parameters: send {} or nothing."
	}
	body := &openapi3.RequestBody{
		Description: desc,
		Required:    len(obj.Required) > 0,
		Content:     openapi3.NewContentWithJSONSchema(obj),
	}
	if uploads(d) {
		body.Description += " Files may be uploaded as multipart/form-data, a part per parameter."
		body.Content["multipart/form-data"] = g.multipartBody(d)
	}
	return body
}

// responses describes the 200 response of d and the error responses.
func (g *generator) responses(d *funcs.Descriptor, post bool) *openapi3.Responses {
	var desc string
	switch len(d.Results) {
	case 0:
		desc = "Done. The body is null: the function returns no result."
	case 1:
		desc = "The result."
	default:
		desc = fmt.Sprintf("The %d results, in order, as a JSON array.", len(d.Results))
	}
	ok, raw := g.rawResponse(d)
	if !raw {
		ok = &openapi3.Response{
			Description: &desc,
			Content:     openapi3.NewContentWithJSONSchemaRef(g.resultSchema(d.Results)),
		}
	}
	rs := openapi3.NewResponses(openapi3.WithStatus(http.StatusOK, &openapi3.ResponseRef{Value: ok}))
	for _, e := range errorStatuses {
		if e.status == http.StatusRequestEntityTooLarge && !post {
			continue
		}
		rs.Set(fmt.Sprint(e.status), g.responseRef(e.name))
	}
	rs.Set("default", g.responseRef(problemName))
	return rs
}

// responseRef refers to the component response name.
func (g *generator) responseRef(name string) *openapi3.ResponseRef {
	return &openapi3.ResponseRef{Ref: responseRefPrefix + name, Value: g.problems[name].Value}
}
