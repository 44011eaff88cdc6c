package server

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
)

// serverTLS loads the server's certificate and lets the proxy client trust
// it, so nested calls to this server over HTTPS verify.
func (s *Server) serverTLS() (*tls.Config, error) {
	cert, err := tls.LoadX509KeyPair(s.cfg.tlsCert, s.cfg.tlsKey)
	if err != nil {
		return nil, fmt.Errorf("load TLS certificate: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	pem, err := os.ReadFile(s.cfg.tlsCert)
	if err != nil {
		return nil, fmt.Errorf("read TLS certificate: %w", err)
	}
	pool.AppendCertsFromPEM(pem)
	s.client.TLSConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
