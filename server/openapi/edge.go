package openapi

import (
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/microfn/microfn/funcs"
)

// The media types of streamed answers.
const (
	ndjsonType = "application/x-ndjson"
	sseType    = "text/event-stream"
)

// fillFile describes microfn.File in JSON.
func fillFile(_ *generator, s *openapi3.Schema, _ *funcs.Type) {
	no := false
	str := func(desc string) *openapi3.SchemaRef {
		return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, Description: desc})
	}
	data := str("the content, base64 (standard encoding)")
	data.Value.Format = "byte"
	data.Value.Nullable = true
	s.Type = &openapi3.Types{openapi3.TypeObject}
	s.Title = "microfn.File"
	s.Description = "A file: in a multipart/form-data upload, a part of the parameter's name; in JSON, this object."
	s.Properties = openapi3.Schemas{
		"name":        str("the file's name"),
		"contentType": str("the media type of the content"),
		"data":        data,
	}
	s.Required = []string{"name", "contentType", "data"}
	s.AdditionalProperties = openapi3.AdditionalProperties{Has: &no}
}

// binary is the schema of a file's content as it is.
func binary(desc string) *openapi3.SchemaRef {
	return openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, Format: "binary", Description: desc})
}

// binaryPart returns the part of a kind that takes a file: its content,
// described by desc.
func binaryPart(desc string) func() *openapi3.SchemaRef {
	return func() *openapi3.SchemaRef { return binary(desc) }
}

// uploads reports whether d takes a file, which a multipart/form-data
// body gives.
func uploads(d *funcs.Descriptor) bool {
	for _, p := range d.Params {
		t := p.Type
		if t.Kind == funcs.Pointer || (t.Kind == funcs.Slice && t.Elem.Kind == funcs.FileKind) {
			t = t.Elem
		}
		if kindSchemaOf(t.Kind).part != nil {
			return true
		}
	}
	return false
}

// multipartBody describes the multipart/form-data upload of d: a part per
// parameter, the files' content as binary, the others as their text.
func (g *generator) multipartBody(d *funcs.Descriptor) *openapi3.MediaType {
	obj := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeObject}, Properties: openapi3.Schemas{}}
	enc := map[string]*openapi3.Encoding{}
	for _, p := range d.Params {
		t := p.Type
		if t.Kind == funcs.Pointer {
			t = t.Elem
		}
		part := kindSchemaOf(t.Kind).part
		switch {
		case part != nil:
			obj.Properties[p.Name] = part()
		case t.Kind == funcs.Slice && t.Elem.Kind == funcs.FileKind:
			obj.Properties[p.Name] = openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeArray}, Items: binary("a file"), Description: "files: a part each, all of this name"})
		case isScalar(t):
			obj.Properties[p.Name] = g.schema(t)
		default:
			obj.Properties[p.Name] = g.schema(p.Type)
			enc[p.Name] = &openapi3.Encoding{ContentType: "application/json"}
		}
		if p.Type.Kind != funcs.Pointer {
			obj.Required = append(obj.Required, p.Name)
		}
	}
	mt := &openapi3.MediaType{Schema: openapi3.NewSchemaRef("", obj)}
	if len(enc) > 0 {
		mt.Encoding = enc
	}
	return mt
}

// rawResponse describes the 200 answer of d when its result is not JSON:
// a file, a []byte with a content type, or a stream; ok is false
// otherwise.
func (g *generator) rawResponse(d *funcs.Descriptor) (*openapi3.Response, bool) {
	if len(d.Results) != 1 {
		return nil, false
	}
	r := d.Results[0]
	if resp := kindSchemaOf(r.Kind).response; resp != nil {
		return resp(g, d, r)
	}
	return nil, false
}

// fileResponse describes a download: the file's content, with its
// Content-Type and a Content-Disposition.
func (g *generator) fileResponse(*funcs.Descriptor, *funcs.Type) (*openapi3.Response, bool) {
	desc := "The file the function returns: its content, with its Content-Type, and its name in a Content-Disposition attachment. (A nested call gets it as a microfn.File.)"
	resp := &openapi3.Response{Description: &desc, Content: openapi3.Content{"*/*": &openapi3.MediaType{Schema: binary("the file's content")}}}
	resp.Headers = openapi3.Headers{"Content-Disposition": &openapi3.HeaderRef{Value: &openapi3.Header{Parameter: openapi3.Parameter{
		Description: `attachment; filename="NAME", when the file has a name`,
		Schema:      openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}}),
	}}}}
	return resp, true
}

// bytesResponse describes the bytes a service with a content type
// (content-type= in the directive) sends as they are; without one, they
// are JSON.
func (g *generator) bytesResponse(d *funcs.Descriptor, _ *funcs.Type) (*openapi3.Response, bool) {
	if d.ContentType == "" {
		return nil, false
	}
	desc := "The bytes the function returns, as they are."
	return &openapi3.Response{Description: &desc, Content: openapi3.Content{d.ContentType: &openapi3.MediaType{Schema: binary("the content")}}}, true
}

// streamResponse describes a stream: newline-delimited JSON, or
// server-sent events.
func (g *generator) streamResponse(_ *funcs.Descriptor, r *funcs.Type) (*openapi3.Response, bool) {
	desc := fmt.Sprintf("A stream of %s values, sent as they are produced: newline-delimited JSON, one value per line (each line's schema is given), or, for Accept: text/event-stream, server-sent events (data: VALUE; an event end when the stream ends). A client that stops reading stops the producer. An error before the first value is a problem with its status; after it, the last line is {\"microfn_error\": PROBLEM} (an event error).", r.Elem)
	return &openapi3.Response{Description: &desc, Content: openapi3.Content{
		ndjsonType: &openapi3.MediaType{Schema: g.schema(r.Elem)},
		sseType:    &openapi3.MediaType{Schema: openapi3.NewSchemaRef("", &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, Description: "data: VALUE events, then event: end"})},
	}}, true
}
