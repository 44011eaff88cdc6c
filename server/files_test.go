package server_test

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// filesSrc takes and returns files: a microfn.File upload with a text
// field, raw bytes, several files, a File result (a download), a []byte
// result with a content type, and a nested call that gets a File back.
const filesSrc = `package files

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/microfn/microfn"
)

// Upload describes the file it gets.
//
//microfn:service
func Upload(doc microfn.File, note string) string {
	return fmt.Sprintf("%s %s %d %x %s", doc.Name, doc.ContentType, len(doc.Data), sha256.Sum256(doc.Data), note)
}

// Size counts the bytes of a raw upload.
//
//microfn:service
func Size(data []byte, label *string) string {
	l := "none"
	if label != nil {
		l = *label
	}
	return fmt.Sprint(len(data), " ", l)
}

// Many lists the names of the files it gets.
//
//microfn:service
func Many(docs []microfn.File) string {
	var names []string
	for _, d := range docs {
		names = append(names, d.Name+"="+string(d.Data))
	}
	return strings.Join(names, ",")
}

// Report is a CSV of n lines, as a download.
//
//microfn:service
func Report(n int) microfn.File {
	return microfn.File{Name: "report-Ü.csv", ContentType: "text/csv", Data: []byte(strings.Repeat("a,b\n", n))}
}

// Sniffed has no content type: it is sniffed from the data.
//
//microfn:service
func Sniffed() microfn.File {
	return microfn.File{Data: []byte("<html><body>hi</body></html>")}
}

// Pixel is a PNG's signature, with its content type.
//
//microfn:service content-type=image/png
func Pixel() []byte { return []byte("\x89PNG\r\n\x1a\n") }

// Relay calls Report: a nested call gets the File.
//
//microfn:service
func Relay(n int) string {
	f := Report(n)
	return fmt.Sprintf("%s %s %d", f.Name, f.ContentType, len(f.Data))
}
`

// multipartBody builds a multipart/form-data body of parts: each is a
// form field, or a file when it has a file name.
func multipartBody(t *testing.T, parts ...formPart) (string, *bytes.Buffer) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, p := range parts {
		var pw io.Writer
		var err error
		if p.file != "" {
			h := make(map[string][]string)
			h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name=%q; filename=%q`, p.name, p.file)}
			if p.contentType != "" {
				h["Content-Type"] = []string{p.contentType}
			}
			pw, err = w.CreatePart(h)
		} else {
			pw, err = w.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pw.Write(p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return w.FormDataContentType(), &buf
}

type formPart struct {
	name, file, contentType string
	data                    []byte
}

// post sends a body to path.
func post(t *testing.T, in *microfntest.Instance, path, contentType string, body io.Reader) microfntest.Response {
	t.Helper()
	resp, err := http.Post(in.URL+path, contentType, body)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return microfntest.Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// rawPost writes a whole request before it reads the answer, as a
// client that does not watch for an early answer does.
func rawPost(t *testing.T, in *microfntest.Instance, path, contentType string, body []byte) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(in.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", path, contentType, len(body))
	conn.Write(body) // a write error is fine: the answer is what counts
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("read the answer: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestFiles: a multipart/form-data upload binds microfn.File and []byte
// parameters (a 10 MiB file arrives whole under a 16 MiB --body-limit; a
// bigger one is a 413 problem); a File result is a download with its
// content type and a Content-Disposition naming it; a []byte result with
// content-type= is sent as it is; a nested call gets the File as a value;
// JSON callers send and get the File as an object.
func TestFiles(t *testing.T) {
	t.Parallel()
	big := make([]byte, 10<<20)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(big)
	modes := append(callModes[:0:0], callModes[0], callModes[2], callModes[4])
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			in := microfntest.Start(t, map[string]string{"files/files.go": filesSrc},
				append([]server.Option{server.WithQuiet(true), server.WithBodyLimit(16 << 20)}, m.opts...)...)

			ct, b := multipartBody(t, formPart{name: "doc", file: "big.bin", contentType: "application/x-test", data: big}, formPart{name: "note", data: []byte("hello")})
			want := fmt.Sprintf(`"big.bin application/x-test %d %s hello"`, len(big), hex.EncodeToString(sum[:]))
			if r := post(t, in, "/files/Upload", ct, b); r.Status != 200 || body(r) != want {
				t.Errorf("upload 10 MiB = %d %.300s, want %s", r.Status, r.Body, want)
			}
			tooBig := append(big, big[:7<<20]...)
			ct, b = multipartBody(t, formPart{name: "doc", file: "huge.bin", data: tooBig}, formPart{name: "note", data: []byte("x")})
			if status, answer := rawPost(t, in, "/files/Upload", ct, b.Bytes()); status != 413 || !strings.Contains(answer, "over the limit") {
				t.Errorf("upload 17 MiB = %d %.300s, want 413", status, answer)
			}
			for _, c := range []struct {
				parts []formPart
				want  string
			}{
				{[]formPart{{name: "data", file: "x", data: []byte("12345")}}, `"5 none"`},
				{[]formPart{{name: "data", data: []byte("123")}, {name: "label", data: []byte("L")}}, `"3 L"`},
			} {
				ct, b := multipartBody(t, c.parts...)
				if r := post(t, in, "/files/Size", ct, b); r.Status != 200 || body(r) != c.want {
					t.Errorf("Size = %d %s, want %s", r.Status, r.Body, c.want)
				}
			}
			ct, b = multipartBody(t, formPart{name: "docs", file: "a.txt", data: []byte("A")}, formPart{name: "docs", file: "b.txt", data: []byte("B")})
			if r := post(t, in, "/files/Many", ct, b); r.Status != 200 || body(r) != `"a.txt=A,b.txt=B"` {
				t.Errorf("Many = %d %s", r.Status, r.Body)
			}
			ct, b = multipartBody(t, formPart{name: "note", data: []byte("no file")})
			if r := post(t, in, "/files/Upload", ct, b); r.Status != 400 || !strings.Contains(r.Body, `parameter \"doc\": missing`) {
				t.Errorf("Upload without the file = %d %s, want 400 naming doc", r.Status, r.Body)
			}
			ct, b = multipartBody(t, formPart{name: "other", file: "x", data: []byte("x")})
			if r := post(t, in, "/files/Size", ct, b); r.Status != 400 || !strings.Contains(r.Body, "unknown parameter") {
				t.Errorf("Size with an unknown part = %d %s, want 400", r.Status, r.Body)
			}
			// A File in JSON.
			j := fmt.Sprintf(`{"doc":{"name":"j.txt","contentType":"text/plain","data":%q},"note":"json"}`, base64.StdEncoding.EncodeToString([]byte("abc")))
			s := sha256.Sum256([]byte("abc"))
			if r := in.Post("/files/Upload", j); r.Status != 200 || body(r) != fmt.Sprintf(`"j.txt text/plain 3 %x json"`, s) {
				t.Errorf("Upload as JSON = %d %s", r.Status, r.Body)
			}

			// Downloads.
			r := in.Get("/files/Report?n=3")
			_, params, err := mime.ParseMediaType(r.Header.Get("Content-Disposition"))
			if r.Status != 200 || r.Body != "a,b\na,b\na,b\n" || r.Header.Get("Content-Type") != "text/csv" || err != nil || params["filename"] != "report-Ü.csv" {
				t.Errorf("Report = %d %q %q %q", r.Status, r.Body, r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
			}
			if r := in.Get("/files/Sniffed"); r.Header.Get("Content-Type") != "text/html; charset=utf-8" || r.Header.Get("Content-Disposition") != "" {
				t.Errorf("Sniffed = %q %q", r.Header.Get("Content-Type"), r.Header.Get("Content-Disposition"))
			}
			if r := in.Get("/files/Pixel"); r.Header.Get("Content-Type") != "image/png" || r.Body != "\x89PNG\r\n\x1a\n" {
				t.Errorf("Pixel = %q %q", r.Header.Get("Content-Type"), r.Body)
			}
			if r := in.Get("/files/Relay?n=2"); body(r) != `"report-Ü.csv text/csv 8"` {
				t.Errorf("Relay = %d %s", r.Status, r.Body)
			}
		})
	}
}

// TestFilesStreamsOpenAPI: the document describes uploads as
// multipart/form-data with binary parts, downloads as binary content
// with a Content-Disposition, and streams as newline-delimited JSON of
// their values or server-sent events.
func TestFilesStreamsOpenAPI(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"files/files.go": filesSrc, "go.mod": "module example.com/st\n\ngo 1.23\n", "stream/stream.go": streamSrc}, server.WithQuiet(true))
	r := in.Get("/openapi.json")
	var doc struct {
		Paths map[string]map[string]struct {
			RequestBody struct {
				Content map[string]struct {
					Schema struct {
						Properties map[string]struct{ Type, Format string }
					}
				}
			} `json:"requestBody"`
			Responses map[string]struct {
				Content map[string]struct {
					Schema struct {
						Type, Format string
						Ref          string `json:"$ref"`
					} `json:"schema"`
				}
				Headers map[string]any
			}
		}
	}
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
		t.Fatal(err)
	}
	up := doc.Paths["/files/Upload"]["post"].RequestBody.Content["multipart/form-data"].Schema.Properties
	if up["doc"].Format != "binary" || up["note"].Type != "string" {
		t.Errorf("Upload's multipart body: %+v", up)
	}
	rep := doc.Paths["/files/Report"]["get"].Responses["200"]
	if rep.Content["*/*"].Schema.Format != "binary" || rep.Headers["Content-Disposition"] == nil {
		t.Errorf("Report's 200: %+v", rep)
	}
	if px := doc.Paths["/files/Pixel"]["get"].Responses["200"]; px.Content["image/png"].Schema.Format != "binary" {
		t.Errorf("Pixel's 200: %+v", px)
	}
	h := doc.Paths["/stream/History"]["get"].Responses["200"]
	if h.Content["application/x-ndjson"].Schema.Ref != "#/components/schemas/stream.Order" || h.Content["text/event-stream"].Schema.Type != "string" {
		t.Errorf("History's 200: %+v", h)
	}
}
