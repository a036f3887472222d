package wire

import (
	"context"
	"crypto/tls"
	"net"
)

// ListenHTTP listens on addr ("host:port") for a peer's HTTP endpoints:
// the dashboard, /metrics and pprof. With TLS configured the listener
// speaks TLS with this peer's certificate, so they serve HTTPS; a client
// (a browser, Prometheus, curl) needs to trust the CA but needs no
// certificate of its own, since every request must carry the token
// (HTTPAuth). Without TLS they serve plain HTTP. HTTPURL gives the
// listener's base URL.
func (s Security) ListenHTTP(ctx context.Context, addr string) (net.Listener, error) {
	if !s.TLS() {
		return ListenAddr(ctx, addr)
	}
	cfg, err := s.tlsConfig(true)
	if err != nil {
		return nil, err
	}
	cfg.ClientAuth, cfg.ClientCAs = tls.NoClientCert, nil
	l, err := ListenAddr(ctx, addr)
	if err != nil {
		return nil, err
	}
	return httpsListener{tls.NewListener(l, cfg)}, nil
}

// httpsListener marks a listener of ListenHTTP that speaks TLS.
type httpsListener struct{ net.Listener }

// HTTPURL returns the base URL of an HTTP listener: "https://host:port/"
// for one that ListenHTTP made with TLS, "http://host:port/" otherwise.
func HTTPURL(l net.Listener) string {
	scheme := "http"
	if _, ok := l.(httpsListener); ok {
		scheme = "https"
	}
	return scheme + "://" + l.Addr().String() + "/"
}
