package server_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

// badBodies are hostile or malformed request body microfn must answer
// with a 4xx problem (or a correct 200), per service parameter list.
func badBodies() map[string]string {
	deep := strings.Repeat("[", 100000) + strings.Repeat("]", 100000)
	deepObj := strings.Repeat(`{"a":`, 100000) + "1" + strings.Repeat("}", 100000)
	return map[string]string{
		"malformed":          `{"x": }`,
		"truncated":          `{"x": 1`,
		"trailing garbage":   `{"x": 1} xyz`,
		"not an object":      `[1, 2, 3]`,
		"null":               `null`,
		"string":             `"x"`,
		"deep array":         `{"x": ` + deep + `}`,
		"deep object":        `{"x": ` + deepObj + `}`,
		"invalid utf8":       "{\"x\": \"\xff\xfe\"}",
		"invalid utf8 key":   "{\"\xff\": 1}",
		"duplicate keys":     `{"x": 1, "x": 2}`,
		"unknown param":      `{"nope": 1}`,
		"huge number":        `{"x": 1e400}`,
		"huge int":           `{"x": 123456789012345678901234567890}`,
		"NaN":                `{"x": NaN}`,
		"Infinity":           `{"x": Infinity}`,
		"long string":        `{"x": "` + strings.Repeat("a", 500000) + `"}`,
		"long key":           `{"` + strings.Repeat("k", 100000) + `": 1}`,
		"wrong type bool":    `{"x": true}`,
		"wrong type string":  `{"x": "5"}`,
		"wrong type array":   `{"x": [5]}`,
		"wrong type object":  `{"x": {"a": 5}}`,
		"negative for float": `{"x": -0}`,
		"control chars":      "{\"x\": \"\x01\"}",
	}
}

func TestBadInputMatrix(t *testing.T) {
	t.Parallel()
	in := microfntest.StartDir(t, "../examples/seed", server.WithQuiet(true), server.WithBodyLimit(4<<20))
	services := []string{"/IsEven", "/IsOdd", "/Fib", "/Factorial", "/Area", "/Distance", "/SlowFunction", "/BuggyFunction"}
	check := func(t *testing.T, what string, r microfntest.Response) {
		t.Helper()
		switch {
		case r.Status == 200:
		case r.Status >= 400 && r.Status < 500:
			problem(t, r)
		case r.Status == 500 && strings.HasPrefix(what, "/BuggyFunction"):
			// BuggyFunction fails at random by design.
		default:
			t.Errorf("%s: status %d %.200s, want 4xx problem or 200", what, r.Status, r.Body)
		}
	}
	for _, svc := range services {
		for name, b := range badBodies() {
			r := in.Post(svc, b)
			check(t, svc+" "+name, r)
		}
		for _, ct := range []string{"text/plain", "application/xml", "", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"} {
			r := in.Do("POST", svc, ct, `{"x": 1}`)
			check(t, svc+" content-type "+ct, r)
		}
		r := in.Do("POST", svc, "application/json", "")
		check(t, svc+" empty body", r)
	}
	// Overflow each integer kind through the Echo services of types_test.
	echo := microfntest.Start(t, map[string]string{"echo.go": echoSource()}, server.WithQuiet(true))
	overflows := map[string][]string{
		"int8": {"128", "-129"}, "int16": {"32768"}, "int32": {"2147483648"}, "int64": {"9223372036854775808"},
		"uint8": {"256", "-1"}, "uint16": {"65536"}, "uint32": {"4294967296"}, "uint64": {"18446744073709551616", "-1"},
		"float32": {"1e39"}, "float64": {"1e309"}, "int": {"1.5", "1e3"},
	}
	for i, tc := range echoTypes {
		for _, v := range overflows[tc.typ] {
			r := echo.Post("/"+echoName(i), `{"v":`+v+`}`)
			if r.Status != 400 {
				t.Errorf("%s given %s by POST = %d %s, want 400", tc.typ, v, r.Status, r.Body)
			}
			r = echo.Get("/" + echoName(i) + "?v=" + v)
			if r.Status != 400 {
				t.Errorf("%s given %s by GET = %d %s, want 400", tc.typ, v, r.Status, r.Body)
			}
		}
	}
	for _, q := range []string{"x=NaN", "x=Inf", "x=%zz", "x=1&x=2", "x=%", "x=" + strings.Repeat("9", 5000), "%80=1", "x=1;y=2"} {
		check(t, "/IsEven?"+q, rawGet(t, in, "/IsEven?"+q))
	}
	for _, q := range []string{"a=NaN", "a=Infinity", `a={"x":1e999,"y":0}`} {
		check(t, "/Distance?"+q, rawGet(t, in, "/Distance?"+q))
	}
	if r := in.Get("/IsEven?x=2"); body(r) != "true" {
		t.Fatalf("server unusable after the matrix: %d %s", r.Status, r.Body)
	}
}

// rawGet sends a request line as written, without a client's escaping.
func rawGet(t *testing.T, in *microfntest.Instance, target string) microfntest.Response {
	t.Helper()
	resps := raw(t, in, "GET "+target+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 1)
	return resps[0]
}

// raw writes request bytes on one connection and reads n responses.
func raw(t *testing.T, in *microfntest.Instance, request string, n int) []microfntest.Response {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(in.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, request); err != nil {
		t.Fatal(err)
	}
	br := bufio.NewReader(conn)
	var out []microfntest.Response
	for range n {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("read response to %.80q: %v", request, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		out = append(out, microfntest.Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)})
	}
	return out
}

func TestBadRequestsOnTheWire(t *testing.T) {
	t.Parallel()
	in := microfntest.StartDir(t, "../examples/seed", server.WithQuiet(true))
	for _, target := range []string{"/../IsEven?x=1", "/%2e%2e/IsEven?x=1", "/IsEven/../../etc/passwd", "/%2e%2e%2fetc%2fpasswd", "//IsEven?x=1", "/IsEven%00?x=1", "/" + strings.Repeat("a", 8000)} {
		r := rawGet(t, in, target)
		if r.Status == 200 && !strings.HasSuffix(strings.SplitN(target, "?", 2)[0], "IsEven") {
			t.Errorf("GET %.60s = 200 %s", target, r.Body)
		}
		if r.Status >= 500 {
			t.Errorf("GET %.60s = %d %s", target, r.Status, r.Body)
		}
	}
	// HTTP/1.0.
	r := raw(t, in, "GET /IsEven?x=4 HTTP/1.0\r\n\r\n", 1)[0]
	if r.Status != 200 || strings.TrimSpace(r.Body) != "true" {
		t.Errorf("HTTP/1.0 = %d %s", r.Status, r.Body)
	}
	// Pipelined requests, one of them bad, on one connection.
	resps := raw(t, in, "GET /IsEven?x=1 HTTP/1.1\r\nHost: x\r\n\r\nGET /IsEven?x=bad HTTP/1.1\r\nHost: x\r\n\r\nGET /Fib?n=5 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 3)
	want := []struct {
		status int
		body   string
	}{{200, "false"}, {400, ""}, {200, "8"}}
	for i, w := range want {
		if resps[i].Status != w.status || (w.body != "" && strings.TrimSpace(resps[i].Body) != w.body) {
			t.Errorf("pipelined %d = %d %s, want %d %s", i, resps[i].Status, resps[i].Body, w.status, w.body)
		}
	}
	// A very long header.
	long := raw(t, in, fmt.Sprintf("GET /IsEven?x=1 HTTP/1.1\r\nHost: x\r\nX-Long: %s\r\nConnection: close\r\n\r\n", strings.Repeat("h", 64<<10)), 1)[0]
	if long.Status < 400 || long.Status >= 500 {
		t.Errorf("64 KiB header = %d, want 4xx", long.Status)
	}
	if r := in.Get("/IsEven?x=2"); body(r) != "true" {
		t.Fatalf("server unusable after bad requests: %d %s", r.Status, r.Body)
	}
}

// TestOddMethodsAndAttempts: a method Fiber does not know, lower-case
// ones included, gets a 405 problem; every answer, refusals included,
// says how many attempts it took.
func TestOddMethodsAndAttempts(t *testing.T) {
	t.Parallel()
	in := microfntest.StartDir(t, "../examples/seed")
	for _, tc := range []struct {
		method, path string
		status       int
		attempts     string
	}{
		{"get", "/IsEven?x=1", 405, "0"},
		{"FOO", "/IsEven?x=1", 405, "0"},
		{"PUT", "/IsEven?x=1", 405, "0"},
		{"GET", "/Nope", 404, "0"},
		{"GET", "/IsEven?x=abc", 400, ""},
		{"GET", "/IsEven?x=2", 200, "1"},
	} {
		r := in.Do(tc.method, tc.path, "", "")
		if r.Status != tc.status {
			t.Errorf("%s %s = %d %s, want %d", tc.method, tc.path, r.Status, r.Body, tc.status)
		}
		if r.Status >= 400 && r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: Content-Type %q, want a problem", tc.method, tc.path, r.Header.Get("Content-Type"))
		}
		got := r.Header.Get("Microfn-Attempts")
		if got == "" || (tc.attempts != "" && got != tc.attempts) {
			t.Errorf("%s %s: Microfn-Attempts %q, want %q", tc.method, tc.path, got, tc.attempts)
		}
	}
}

// TestBodyOverLimitRawClient: a client that writes its whole body before
// it reads still gets the 413 problem, not a reset connection.
func TestBodyOverLimitRawClient(t *testing.T) {
	t.Parallel()
	in := microfntest.StartDir(t, "../examples/seed")
	for _, size := range []int{2 << 20, 8 << 20} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(in.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		conn.SetDeadline(time.Now().Add(10 * time.Second))
		body := strings.Repeat(" ", size)
		fmt.Fprintf(conn, "POST /IsEven HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", size)
		// Write it all, ignoring a write error: the answer is what counts.
		conn.Write([]byte(body))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Errorf("%d bytes: reading the answer: %v", size, err)
			conn.Close()
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		conn.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "over the limit") {
			t.Errorf("%d bytes: %d %s, want a 413 problem", size, resp.StatusCode, b)
		}
	}
}
