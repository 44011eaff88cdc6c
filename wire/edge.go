package wire

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"reflect"

	"github.com/microfn/microfn"
	"github.com/microfn/microfn/funcs"
)

// fileType is the host type of microfn.File, which the interpreter and
// compiled code share.
var fileType = reflect.TypeFor[microfn.File]()

// encodeFile appends the JSON of a microfn.File, as encoding/json writes
// it: {"name":…,"contentType":…,"data":BASE64}.
func (*Codec) encodeFile(b []byte, _ *funcs.Type, v reflect.Value, _ int) ([]byte, error) {
	f, _ := v.Interface().(microfn.File)
	var err error
	b = append(b, `{"name":`...)
	if b, err = appendString(b, f.Name); err != nil {
		return b, err
	}
	b = append(b, `,"contentType":`...)
	if b, err = appendString(b, f.ContentType); err != nil {
		return b, err
	}
	b = append(b, `,"data":`...)
	if f.Data == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, f.Data)
		b = append(b, '"')
	}
	return append(b, '}'), nil
}

// decodeFile decodes the JSON object of a microfn.File into dst, refusing
// unknown members as for any struct.
func (*Codec) decodeFile(dst reflect.Value, t *funcs.Type, v any, path string) error {
	obj, ok := v.(object)
	if !ok {
		return mismatch(path, t, v)
	}
	var f microfn.File
	for _, m := range obj {
		sub := m.key
		if path != "" {
			sub = path + "." + m.key
		}
		switch m.key {
		case "name", "contentType":
			s, ok := m.value.(string)
			if !ok && m.value != nil {
				return &decodeError{path: sub, msg: "want a string, got " + jsonKind(m.value)}
			}
			if m.key == "name" {
				f.Name = s
			} else {
				f.ContentType = s
			}
		case "data":
			if m.value == nil {
				f.Data = nil
				continue
			}
			s, ok := m.value.(string)
			if !ok {
				return &decodeError{path: sub, msg: "want the file's content as a base64 string, got " + jsonKind(m.value)}
			}
			data, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return &decodeError{path: sub, msg: "want the file's content as a base64 string: " + err.Error()}
			}
			f.Data = data
		default:
			return &decodeError{path: path, msg: fmt.Sprintf("unknown field %q in microfn.File (fields: name, contentType, data)", m.key)}
		}
	}
	dst.Set(reflect.ValueOf(f))
	return nil
}

// isFileParam reports whether a parameter of type t takes the content of
// an uploaded file: microfn.File or []byte, or a pointer to one (an
// optional file).
func isFileParam(t *funcs.Type) bool {
	if t.Kind == funcs.Pointer {
		t = t.Elem
	}
	return codecOf(t.Kind).upload != nil
}

// uploadFile binds a part to a microfn.File: its file name, content type
// and content.
func uploadFile(dst reflect.Value, file microfn.File) { dst.Set(reflect.ValueOf(file)) }

// uploadBytes binds a part to a []byte: its content.
func uploadBytes(dst reflect.Value, file microfn.File) { dst.SetBytes(file.Data) }

// Uploads reports whether the service takes a file: a parameter of type
// microfn.File, []microfn.File or []byte, which a multipart/form-data
// upload can give.
func (f *Func) Uploads() bool {
	for _, p := range f.desc.Params {
		if isFileParam(p.Type) || (p.Type.Kind == funcs.Slice && p.Type.Elem.Kind == funcs.FileKind) {
			return true
		}
	}
	return false
}

// BindMultipart binds a multipart/form-data body whose boundary is
// boundary: each part is the parameter of its name. A part of a
// microfn.File parameter gives the file, with the part's file name and
// content type; of a []microfn.File parameter, one more file; of a
// []byte parameter, its content; of any other parameter, its text, read
// as in a query string.
func (f *Func) BindMultipart(body []byte, boundary string) ([]reflect.Value, error) {
	args := f.newArgs()
	given := make([]bool, len(args))
	r := multipart.NewReader(bytes.NewReader(body), boundary)
	for {
		part, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, &BindError{Msg: "malformed multipart/form-data body: " + err.Error()}
		}
		name := part.FormName()
		data, err := io.ReadAll(part)
		if err != nil {
			return nil, &BindError{Param: name, Msg: "read the part: " + err.Error()}
		}
		if name == "" {
			continue // not a form field
		}
		i, ok := f.byName[name]
		if !ok {
			return nil, f.unknown(name)
		}
		t := f.desc.Params[i].Type
		dst := args[i]
		file := microfn.File{Name: part.FileName(), ContentType: part.Header.Get("Content-Type"), Data: data}
		if file.ContentType == "" && file.Name != "" {
			file.ContentType = "application/octet-stream"
		}
		switch {
		case t.Kind == funcs.Slice && t.Elem.Kind == funcs.FileKind:
			dst.Set(reflect.Append(dst, reflect.ValueOf(file).Convert(dst.Type().Elem())))
			given[i] = true
			continue
		case given[i] && t.Kind == funcs.Slice && isScalar(t.Elem):
			if err := f.appendScalar(dst, t, name, string(data)); err != nil {
				return nil, err
			}
			continue
		case given[i]:
			return nil, f.bindError(name, "given more than once")
		}
		given[i] = true
		if t.Kind == funcs.Pointer && isFileParam(t) {
			p := reflect.New(dst.Type().Elem())
			dst.Set(p)
			dst, t = p.Elem(), t.Elem
		}
		if up := codecOf(t.Kind).upload; up != nil {
			up(dst, file)
		} else if err := f.setText(dst, t, name, string(data)); err != nil {
			return nil, err
		}
	}
	if err := f.checkMissing(given); err != nil {
		return nil, err
	}
	return args, nil
}

// Raw reports whether a successful answer is the service's result as it
// is rather than JSON: a microfn.File, or a []byte with a content type
// (content-type= in the directive).
func (f *Func) Raw() bool {
	rs := f.desc.Results
	if len(rs) != 1 {
		return false
	}
	return rs[0].Kind == funcs.FileKind || (rs[0].Kind == funcs.Bytes && f.desc.ContentType != "")
}

// RawResult returns the answer of a service whose result is sent as it is
// (see Raw): its content type, its Content-Disposition (empty for none)
// and the data. A File without a content type gets one sniffed from its
// data (http.DetectContentType).
func (f *Func) RawResult(results []reflect.Value) (contentType, disposition string, data []byte) {
	if f.desc.Results[0].Kind == funcs.Bytes {
		return f.desc.ContentType, "", results[0].Bytes()
	}
	file, _ := results[0].Interface().(microfn.File)
	contentType = file.ContentType
	if contentType == "" {
		contentType = http.DetectContentType(file.Data)
	}
	if file.Name != "" {
		disposition = mime.FormatMediaType("attachment", map[string]string{"filename": file.Name})
	}
	return contentType, disposition, file.Data
}

// Streams reports whether the service's result is a stream: iter.Seq[T]
// or iter.Seq2[T, error], whose values are sent as they are produced.
func (f *Func) Streams() bool {
	rs := f.desc.Results
	return len(rs) == 1 && rs[0].Kind == funcs.Seq
}

// Each runs the stream seq, a value of the service's result type (see
// Streams), calling each with every value it yields, and with the error
// of an iter.Seq2 (elem is then the value yielded beside it). each
// returning false stops the stream: the producer's yield returns false.
func (f *Func) Each(seq reflect.Value, each func(elem reflect.Value, err error) bool) {
	if !seq.IsValid() || seq.IsNil() {
		return
	}
	t := f.desc.Results[0]
	yt := seq.Type().In(0)
	yield := reflect.MakeFunc(yt, func(args []reflect.Value) []reflect.Value {
		var err error
		if t.SeqErr && !args[1].IsNil() {
			err, _ = args[1].Interface().(error)
			if err == nil {
				err = fmt.Errorf("%v", args[1].Interface())
			}
		}
		return []reflect.Value{reflect.ValueOf(each(args[0], err))}
	})
	seq.Call([]reflect.Value{yield})
}

// AppendElem appends the JSON of one value of the service's stream.
func (f *Func) AppendElem(b []byte, v reflect.Value) ([]byte, error) {
	return f.codec.appendValue(b, f.desc.Results[0].Elem, v, 0)
}

// A SeqSource is what a proxy's stream reads: the JSON of each value of
// a stream, in order, until io.EOF, or the error that ended the stream.
type SeqSource func() ([]byte, error)

// MakeSeq returns a stream of the type typ (the service's result type, as
// the caller's code has it) that, each time it is ranged over, opens the
// source with open and yields the values it decodes, until the source
// ends or the caller's loop stops (then it calls close). A source's error
// is yielded with the zero value by an iter.Seq2, and panics in the loop
// of an iter.Seq, which has no way to say it.
func (f *Func) MakeSeq(typ reflect.Type, open func() (next SeqSource, close func(), err error)) reflect.Value {
	t := f.desc.Results[0]
	et := typ.In(0).In(0)
	var errType reflect.Type
	if t.SeqErr {
		errType = typ.In(0).In(1)
	}
	return reflect.MakeFunc(typ, func(args []reflect.Value) []reflect.Value {
		yield := args[0]
		fail := func(err error) {
			if !t.SeqErr {
				panic(err)
			}
			ev := reflect.New(errType).Elem()
			ev.Set(reflect.ValueOf(err))
			yield.Call([]reflect.Value{reflect.New(et).Elem(), ev})
		}
		next, closeFn, err := open()
		if err != nil {
			fail(err)
			return nil
		}
		defer closeFn()
		for {
			data, err := next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				fail(err)
				return nil
			}
			v := reflect.New(et).Elem()
			if err := f.decodeElem(v, t.Elem, data); err != nil {
				fail(err)
				return nil
			}
			in := []reflect.Value{v}
			if t.SeqErr {
				in = append(in, reflect.New(errType).Elem())
			}
			if !yield.Call(in)[0].Bool() {
				return nil
			}
		}
	})
}

// decodeElem decodes the JSON of one value of a stream into dst.
func (f *Func) decodeElem(dst reflect.Value, t *funcs.Type, data []byte) (err error) {
	v, err := decodeJSON(data)
	if err != nil {
		return fmt.Errorf("decode a value of the stream of %s: %w", f.desc.Name, err)
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("decode a value of the stream of %s: %v", f.desc.Name, r)
		}
	}()
	if err := f.codec.set(dst, t, v, ""); err != nil {
		return fmt.Errorf("decode a value of the stream of %s: %w", f.desc.Name, err)
	}
	return nil
}
