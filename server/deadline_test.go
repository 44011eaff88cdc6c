package server_test

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/protocol"
	"github.com/microfn/microfn/server"
)

const deadlineSrc = `package dl

import "time"

// Sleep sleeps for d.
//
//microfn:service timeout=10s
func Sleep(d time.Duration) string {
	time.Sleep(d)
	return "done"
}
`

// TestClientDeadline: a caller from outside may send Microfn-Deadline, as
// Unix nanoseconds (what proxies send) or as an RFC 3339 time; the call is
// answered 504 when it passes, not when the function ends. A value that is
// neither is a 400 problem naming the header.
func TestClientDeadline(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		header     func(deadline time.Time) string
		wantStatus int
	}{
		{"unix nanoseconds", func(d time.Time) string { return strconv.FormatInt(d.UnixNano(), 10) }, http.StatusGatewayTimeout},
		{"RFC 3339", func(d time.Time) string { return d.Format(time.RFC3339Nano) }, http.StatusGatewayTimeout},
		{"RFC 3339 with a zone", func(d time.Time) string { return d.In(time.FixedZone("x", 3600)).Format(time.RFC3339Nano) }, http.StatusGatewayTimeout},
		{"garbage", func(time.Time) string { return "soon" }, http.StatusBadRequest},
		{"zero", func(time.Time) string { return "0" }, http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			in := microfntest.Start(t, map[string]string{"dl.go": deadlineSrc}, server.WithQuiet(true))
			req, err := http.NewRequest(http.MethodGet, in.URL+"/Sleep?d=1500ms", nil)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			req.Header.Set(protocol.HeaderDeadline, tc.header(start.Add(200*time.Millisecond)))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			took := time.Since(start)
			if resp.StatusCode != tc.wantStatus {
				t.Fatalf("status %d (%s), want %d", resp.StatusCode, body, tc.wantStatus)
			}
			if tc.wantStatus == http.StatusBadRequest && !strings.Contains(string(body), protocol.HeaderDeadline) {
				t.Errorf("the 400 does not name the header: %s", body)
			}
			if tc.wantStatus != http.StatusGatewayTimeout {
				return
			}
			if took > time.Second {
				t.Errorf("the 504 took %s; it must come at the deadline (200ms), not when the function ends", took)
			}
			// The execution runs on until its sleep ends; the test waits
			// for it, so no goroutine outlives the test.
			microfntest.Eventually(t, 10*time.Second, func() (bool, string) {
				n := in.Logs().Count(func(r microfntest.Record) bool { return strings.Contains(r.Msg, "runaway call finished") })
				return n == 1, fmt.Sprintf("%d runaway lines", n)
			})
		})
	}
}

// TestBadDepthHeader: a Microfn-Depth that is not a whole number >= 0 is a
// 400 problem naming the header.
func TestBadDepthHeader(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{"dl.go": deadlineSrc}, server.WithQuiet(true))
	for _, depth := range []string{"x", "-1", "1.5"} {
		req, err := http.NewRequest(http.MethodGet, in.URL+"/Sleep?d=0s", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set(protocol.HeaderDepth, depth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), protocol.HeaderDepth) {
			t.Errorf("depth %q: %d %s, want a 400 naming %s", depth, resp.StatusCode, body, protocol.HeaderDepth)
		}
	}
}
