package wire

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/credentials"
)

// TLS alerts a server sends when it refuses a client's certificate
// (RFC 8446, section 6).
const (
	alertBadCertificate     tls.AlertError = 42
	alertCertificateExpired tls.AlertError = 45
	alertUnknownCA          tls.AlertError = 48
	alertCertRequired       tls.AlertError = 116
)

// tlsTrouble is one way a TLS handshake fails, as a gRPC status message
// reports it (the TLS error's text inside it), and what that means. In
// explain, {role} stands for the peer's role ("scheduler", "worker").
type tlsTrouble struct {
	markers []string
	explain string
}

// tlsTroubles are the handshake failures Explain turns into advice. The
// peer refusing this process's certificate shows here only as the alert
// it sent ("remote error: ..."); this process refusing the peer's
// certificate shows as its own verification error ("x509: ...").
var tlsTroubles = []tlsTrouble{
	{[]string{"remote error: " + alertUnknownCA.Error()},
		"refused this process's TLS certificate (--tls-cert): it is not signed by the CA the {role} trusts (the {role}'s --tls-ca); give this process a certificate signed by that CA (\"dusk cert issue\" makes one)"},
	{[]string{"remote error: " + alertCertificateExpired.Error()},
		"refused this process's TLS certificate (--tls-cert): it has expired; give this process a new one (\"dusk cert issue\")"},
	{[]string{"remote error: " + alertBadCertificate.Error()},
		"refused this process's TLS certificate (--tls-cert) as bad; it must be signed by the CA the {role} trusts (the {role}'s --tls-ca), be valid now and allow client use (\"dusk cert issue\" makes such certificates)"},
	{[]string{"remote error: " + alertCertRequired.Error()},
		"refused this process: it wants a TLS certificate signed by its CA, and got none; give this process one (--tls-cert, --tls-key)"},
	{[]string{x509.UnknownAuthorityError{}.Error()},
		"this process refused the {role}'s TLS certificate: it is not signed by the CA in this process's --tls-ca; give --tls-ca the CA that signed the {role}'s certificate (every process of a cluster trusts the same ca.pem)"},
	{[]string{"x509: certificate is valid for", "x509: certificate is not valid for any names", "because it doesn't contain any IP SANs"},
		"this process refused the {role}'s TLS certificate: it does not name the address this process dialed; issue the {role}'s certificate with that address among its hosts (\"dusk cert issue --host\")"},
	{[]string{"x509: certificate has expired or is not yet valid"},
		"this process refused the {role}'s TLS certificate: it has expired or is not valid yet; give the {role} a new one (\"dusk cert issue\"), or check the machines' clocks"},
	{[]string{"tls: first record does not look like a TLS handshake"},
		"the {role} does not speak TLS; start it with --tls-cert, --tls-key and --tls-ca too, or leave them out here"},
}

// explainTLS returns what a gRPC status message about a failed TLS
// handshake means for the user, or "" when msg is about something else.
func explainTLS(msg, peer string) string {
	role, _, _ := strings.Cut(peer, " ")
	for _, t := range tlsTroubles {
		for _, m := range t.markers {
			i := strings.Index(msg, m)
			if i < 0 {
				continue
			}
			// The TLS error's own words, without gRPC's wrapping.
			detail := m
			if j := strings.LastIndex(msg[:i+len(m)], "x509: "); j >= 0 {
				detail = strings.TrimRight(msg[j:], `"`)
			}
			return strings.ReplaceAll(t.explain, "{role}", role) + " (" + detail + ")"
		}
	}
	return ""
}

// refusals wraps a server's TLS credentials for the connections they
// refuse (for a certificate, or for speaking plain text). It logs from
// where and why, since the refused peer learns only the TLS alert. And it
// makes sure the peer gets that alert: in TLS 1.3 a client sends its
// first request right behind its certificate, and a server that closed at
// once, with the request unread, would reset the connection, so that the
// client saw "connection reset" or "broken pipe" instead of the alert.
// The server reads what the peer still sends, for a while, before it
// closes.
type refusals struct {
	credentials.TransportCredentials
	log *slog.Logger
}

// lingerAfterRefusal bounds how long a server reads from a peer it
// refused before it closes the connection.
const lingerAfterRefusal = 5 * time.Second

func (c refusals) ServerHandshake(raw net.Conn) (net.Conn, credentials.AuthInfo, error) {
	from := raw.RemoteAddr().String()
	held := &heldConn{Conn: raw}
	held.holding.Store(true)
	out, info, err := c.TransportCredentials.ServerHandshake(held)
	held.holding.Store(false)
	if err == nil {
		return out, info, nil
	}
	why, certificate := refusalReason(err)
	if why != "" && c.log != nil {
		c.log.Warn("refused a TLS connection: "+why, "from", from)
	}
	if certificate {
		_ = raw.SetReadDeadline(time.Now().Add(lingerAfterRefusal))
		_, _ = io.CopyN(io.Discard, raw, 1<<20)
	}
	_ = raw.Close()
	return nil, nil, err
}

func (c refusals) Clone() credentials.TransportCredentials {
	return refusals{c.TransportCredentials.Clone(), c.log}
}

// heldConn is a connection whose Close does nothing while holding is set:
// the TLS handshake closes its connection when it fails, and refusals
// closes it itself, later.
type heldConn struct {
	net.Conn
	holding atomic.Bool
}

func (c *heldConn) Close() error {
	if c.holding.Load() {
		return nil
	}
	return c.Conn.Close()
}

// refusalReason says why a server refused a TLS handshake, or "" for
// failures that are not the peer's configuration (a closed connection),
// and whether it refused the peer's certificate, telling it by an alert.
func refusalReason(err error) (why string, certificate bool) {
	var ve *tls.CertificateVerificationError
	var rh tls.RecordHeaderError
	switch {
	case err == nil:
		return "", false
	case errors.As(err, &ve):
		name := "its certificate"
		if len(ve.UnverifiedCertificates) > 0 {
			c := ve.UnverifiedCertificates[0]
			name = fmt.Sprintf("its certificate %q (issued by %q)", c.Subject.CommonName, c.Issuer.CommonName)
		}
		var ua x509.UnknownAuthorityError
		var ci x509.CertificateInvalidError
		switch {
		case errors.As(ve.Err, &ua):
			return name + " is not signed by the CA in this process's --tls-ca; give that peer a certificate from this CA", true
		case errors.As(ve.Err, &ci) && ci.Reason == x509.Expired:
			return name + " has expired or is not valid yet", true
		}
		return name + " is not valid: " + ve.Err.Error(), true
	case strings.Contains(err.Error(), "client didn't provide a certificate"):
		return "the peer gave no certificate; give it --tls-cert and --tls-key", true
	case errors.As(err, &rh):
		return "the peer speaks plain text, not TLS; give it --tls-cert, --tls-key and --tls-ca", false
	}
	return "", false
}
