package wire

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"
)

// MaxMessage is the largest message a dusk peer accepts: a graph of a
// million tasks travels in one message.
const MaxMessage = 1 << 30

// Security is how a connection proves who it is: a shared token always,
// and mutual TLS when the files are given.
type Security struct {
	Token string
	// TokenFile names a file holding the token, read by Resolve when Token
	// is empty (see ReadTokenFile).
	TokenFile string
	// CertFile and KeyFile are this peer's certificate and key; CAFile is
	// the authority that signed the peers' certificates. All three or none.
	CertFile, KeyFile, CAFile string
}

// TLS reports whether mutual TLS is configured.
func (s Security) TLS() bool { return s.CertFile != "" || s.KeyFile != "" || s.CAFile != "" }

func (s Security) tlsConfig(server bool) (*tls.Config, error) {
	if s.CertFile == "" || s.KeyFile == "" || s.CAFile == "" {
		return nil, fmt.Errorf("dusk: TLS needs a certificate, a key and a CA file (--tls-cert, --tls-key, --tls-ca); have cert %q key %q ca %q", s.CertFile, s.KeyFile, s.CAFile)
	}
	cert, err := tls.LoadX509KeyPair(s.CertFile, s.KeyFile)
	if err != nil {
		return nil, fmt.Errorf("dusk: loading TLS key pair %s, %s: %w", s.CertFile, s.KeyFile, err)
	}
	pem, err := os.ReadFile(s.CAFile)
	if err != nil {
		return nil, fmt.Errorf("dusk: reading TLS CA %s: %w", s.CAFile, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("dusk: TLS CA %s holds no PEM certificate", s.CAFile)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS13}
	if server {
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	} else {
		cfg.RootCAs = pool
		// Present the certificate even when the server names other CAs
		// than its issuer: the server then refuses it for its CA, which
		// Explain can say, rather than for a missing certificate.
		cfg.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &cert, nil }
	}
	return cfg, nil
}

// ServerOptions returns the gRPC options of a dusk server: token check,
// TLS when configured, large messages, keepalives and dusk's codec. A TLS connection
// refused for its certificate (or for speaking plain text) is logged to
// log (if not nil), saying from where and why.
func (s Security) ServerOptions(log *slog.Logger) ([]grpc.ServerOption, error) {
	opts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(MaxMessage),
		grpc.MaxSendMsgSize(MaxMessage),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}),
		grpc.InitialWindowSize(4 << 20),
		grpc.InitialConnWindowSize(8 << 20),
		grpc.ForceServerCodecV2(newCodec()),
	}
	if s.Token == "" {
		return nil, fmt.Errorf("dusk: a server needs a token; dusk never serves without one")
	}
	opts = append(opts, authServerOptions(s.Token)...)
	if s.TLS() {
		cfg, err := s.tlsConfig(true)
		if err != nil {
			return nil, err
		}
		opts = append(opts, grpc.Creds(refusals{credentials.NewTLS(cfg), log}))
	}
	return opts, nil
}

// Dial connects to a dusk server at addr ("host:port" or
// "tcp://host:port"). The connection is lazy: errors show on first use.
func (s Security) Dial(addr string) (*grpc.ClientConn, error) {
	target := StripScheme(addr)
	opts := []grpc.DialOption{
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(MaxMessage), grpc.MaxCallSendMsgSize(MaxMessage), grpc.ForceCodecV2(newCodec())),
		grpc.WithPerRPCCredentials(tokenCreds{token: s.Token, secure: s.TLS()}),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 20 * time.Second, Timeout: 10 * time.Second, PermitWithoutStream: true}),
		grpc.WithInitialWindowSize(4 << 20),
		grpc.WithInitialConnWindowSize(8 << 20),
	}
	if s.TLS() {
		cfg, err := s.tlsConfig(false)
		if err != nil {
			return nil, err
		}
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(cfg)))
	} else {
		opts = append(opts, grpc.WithTransportCredentials(insecure.NewCredentials()))
	}
	cc, err := grpc.NewClient("passthrough:///"+target, opts...)
	if err != nil {
		return nil, fmt.Errorf("dusk: dialing %s: %w", addr, err)
	}
	return cc, nil
}

// StripScheme turns "tcp://host:port" into "host:port".
func StripScheme(addr string) string {
	return strings.TrimPrefix(addr, "tcp://")
}

// Listen listens on host:port (port 0 picks a free one). An empty host
// means 127.0.0.1: dusk binds to loopback unless told otherwise.
func Listen(ctx context.Context, host string, port int) (net.Listener, error) {
	if host == "" {
		host = "127.0.0.1"
	}
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", net.JoinHostPort(host, fmt.Sprint(port)))
	if err != nil {
		return nil, fmt.Errorf("dusk: listening on %s:%d: %w", host, port, err)
	}
	return l, nil
}

// ListenAddr listens on an address "host:port" (or "tcp://host:port").
func ListenAddr(ctx context.Context, addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(StripScheme(addr))
	if err != nil {
		return nil, fmt.Errorf("dusk: bad listen address %q (want host:port): %w", addr, err)
	}
	var p int
	if _, err := fmt.Sscan(port, &p); err != nil {
		return nil, fmt.Errorf("dusk: bad port in %q: %w", addr, err)
	}
	return Listen(ctx, host, p)
}
