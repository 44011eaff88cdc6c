package server_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/microfn/microfn/internal/microfntest"
	"github.com/microfn/microfn/server"
)

func TestToken(t *testing.T) {
	t.Parallel()
	in := microfntest.StartDir(t, "../examples/seed", server.WithToken("s3cret"))
	call := func(path, auth string) microfntest.Response {
		req, _ := http.NewRequest("GET", in.URL+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return microfntest.Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
	}
	tests := []struct {
		path, auth string
		status     int
	}{
		{"/IsEven?x=2", "", 401},
		{"/IsEven?x=2", "Bearer wrong", 401},
		{"/IsEven?x=2", "s3cret", 401},
		{"/IsEven?x=2", "Bearer s3cret", 200},
		{"/Fib?n=6", "Bearer s3cret", 200}, // nested calls carry the token
		{"/metrics", "", 401},
		{"/openapi.json", "", 401},
		{"/Nope", "", 401}, // no route discovery without the token
		{"/healthz", "", 200},
		{"/readyz", "", 200},
		{"/docs/", "", 200},
	}
	for _, tc := range tests {
		r := call(tc.path, tc.auth)
		if r.Status != tc.status {
			t.Errorf("GET %s with %q = %d %s, want %d", tc.path, tc.auth, r.Status, r.Body, tc.status)
		}
		if tc.status == 401 {
			p := problem(t, r)
			if r.Header.Get("WWW-Authenticate") == "" || !strings.Contains(p.Detail, "token") {
				t.Errorf("401 without WWW-Authenticate or a helpful detail: %+v", p)
			}
		}
	}
	if r := call("/Fib?n=6", "Bearer s3cret"); body(r) != "13" {
		t.Errorf("Fib(6) with the token = %s", r.Body)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key to dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "microfn test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func TestTLS(t *testing.T) {
	t.Parallel()
	certFile, keyFile, pool := selfSigned(t, t.TempDir())
	srv, err := server.New("../examples/seed", server.WithAddr("127.0.0.1:0"), server.WithTLS(certFile, keyFile), server.WithQuiet(true))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Listen(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := contextWithCancel()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	if !strings.HasPrefix(srv.URL(), "https://") {
		t.Fatalf("URL %s is not https", srv.URL())
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 10 * time.Second}
	resp, err := client.Get(srv.URL() + "/Fib?n=7") // nested calls over HTTPS too
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || strings.TrimSpace(string(b)) != "21" {
		t.Errorf("Fib(7) over HTTPS = %d %s", resp.StatusCode, b)
	}
}

func TestSlowClientIsCutOff(t *testing.T) {
	t.Parallel()
	in := microfntest.StartDir(t, "../examples/seed", server.WithTimeouts(300*time.Millisecond, 0, time.Second))
	conn, err := net.Dial("tcp", strings.TrimPrefix(in.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Slowloris: a request line and then nothing.
	if _, err := conn.Write([]byte("GET /IsEven?x=1 HTTP/1.1\r\nHost: x\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, err = io.ReadAll(conn)
	if err != nil {
		t.Fatalf("the server did not close the slow connection: %v", err)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("slow connection closed after %s, want about the 300ms read timeout", took)
	}
	if r := in.Get("/IsEven?x=1"); r.Status != 200 {
		t.Errorf("server unusable after a slow client: %d", r.Status)
	}
}

func TestHugeHeaders(t *testing.T) {
	t.Parallel()
	in := microfntest.StartDir(t, "../examples/seed", server.WithMaxHeaderBytes(4096))
	req, _ := http.NewRequest("GET", in.URL+"/IsEven?x=1", nil)
	req.Header.Set("X-Big", strings.Repeat("a", 8192))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	r := microfntest.Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
	if p := problem(t, r); r.Status != 431 || !strings.Contains(p.Detail, "4096 bytes") {
		t.Errorf("an 8 KiB header over a 4 KiB limit = %d %+v, want a 431 naming the limit", r.Status, p)
	}
	if r := in.Get("/IsEven?x=1"); r.Status != 200 {
		t.Errorf("server unusable after huge headers: %d", r.Status)
	}
}

func contextWithCancel() (ctx context.Context, cancel func()) {
	return context.WithCancel(context.Background())
}

// TestTokenBypass: no method or route reaches a service, or lists them,
// without the token; only GET of the health checks and the /docs pages is
// open. A service under /docs is a load error.
func TestTokenBypass(t *testing.T) {
	t.Parallel()
	in := microfntest.Start(t, map[string]string{
		"svc.go":      "package svc\n\n//microfn:service\nfunc Secret() string { return \"secret\" }\n",
		"docs/doc.go": "package docs\n\n//microfn:service\nfunc Leak() string { return \"leaked\" }\n",
	}, server.WithToken("s3cret"))
	tests := []struct {
		method, path string
		status       int
	}{
		{"POST", "/docs/Leak", 401},
		{"PUT", "/docs/x", 401},
		{"DELETE", "/docs/", 401},
		{"POST", "/healthz", 401},
		{"PUT", "/readyz", 401},
		{"POST", "/Secret", 401},
		{"PATCH", "/Secret", 401},
		{"GET", "/docs/", 200},
		{"HEAD", "/healthz", 200},
		{"GET", "/readyz", 503}, // the docs package failed to load
	}
	for _, tc := range tests {
		r := in.Do(tc.method, tc.path, "application/json", "")
		if r.Status != tc.status {
			t.Errorf("%s %s without a token = %d %s, want %d", tc.method, tc.path, r.Status, r.Body, tc.status)
		}
		if strings.Contains(r.Body, `"leaked"`) || strings.Contains(r.Body, `"secret"`) {
			t.Errorf("%s %s without a token ran a service: %s", tc.method, tc.path, r.Body)
		}
	}
	h := healthAt(t, in, "/healthz")
	if p := h.pkg("docs"); p.State != "failed" || len(p.Errors) == 0 || !strings.Contains(p.Errors[0], "collides with the server's own routes") {
		t.Errorf("a service under /docs: package state %q errors %v, want a load error", p.State, p.Errors)
	}
}
