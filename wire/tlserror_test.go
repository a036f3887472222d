package wire_test

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dusk-go/dusk/internal/testpki"
	"github.com/dusk-go/dusk/wire"
)

// logBuffer collects a server's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// waitFor waits until the log holds every one of want; a server logs a
// refusal just after it sent the refused peer its alert.
func (b *logBuffer) waitFor(t *testing.T, want ...string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		b.mu.Lock()
		got := b.buf.String()
		b.mu.Unlock()
		missing := ""
		for _, w := range want {
			if !strings.Contains(got, w) {
				missing = w
			}
		}
		if missing == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the server's log lacks %q:\n%s", missing, got)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func serveWithLog(t *testing.T, sec wire.Security) (string, *logBuffer) {
	t.Helper()
	var logs logBuffer
	return serveLogged(t, sec, slog.New(slog.NewTextHandler(&logs, nil))), &logs
}

func mentions(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error; want one mentioning %q", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not mention %q", err, w)
		}
	}
}

// A client whose certificate the scheduler's CA did not sign learns that
// the scheduler refused its certificate, and why; the scheduler logs whom
// it refused.
func TestUntrustedClientCertificate(t *testing.T) {
	ca, other := testpki.New(t, "cluster CA"), testpki.New(t, "other CA")
	addr, logs := serveWithLog(t, ca.Security("t", "scheduler"))
	intruder := other.Security("t", "intruder")
	intruder.CAFile = ca.File // it trusts the scheduler; the scheduler does not trust it
	err := identity(t, intruder, addr)
	mentions(t, err, "scheduler "+addr, "refused this process's TLS certificate (--tls-cert)",
		"not signed by the CA the scheduler trusts (the scheduler's --tls-ca)", "dusk cert issue", "remote error: tls: unknown certificate authority")
	if strings.Contains(err.Error(), "rpc error") || strings.Contains(err.Error(), "connection error") {
		t.Errorf("the error keeps gRPC's jargon: %v", err)
	}
	logs.waitFor(t, "refused a TLS connection", `\"intruder\" (issued by \"other CA\")`, "is not signed by the CA in this process's --tls-ca", "from=127.0.0.1:")
}

// A client that trusts another CA than the one that signed the scheduler's
// certificate learns that it refused the scheduler's certificate.
func TestUntrustedSchedulerCertificate(t *testing.T) {
	ca, other := testpki.New(t, "cluster CA"), testpki.New(t, "other CA")
	addr := serve(t, ca.Security("t", "scheduler"))
	client := ca.Security("t", "client")
	client.CAFile = other.File
	err := identity(t, client, addr)
	mentions(t, err, "scheduler "+addr, "this process refused the scheduler's TLS certificate",
		"not signed by the CA in this process's --tls-ca", "x509: certificate signed by unknown authority")
}

// A scheduler whose certificate does not name the address dialed is
// refused, with advice on how to issue it.
func TestCertificateForAnotherHost(t *testing.T) {
	ca := testpki.New(t, "cluster CA")
	cert, key := ca.Issue("scheduler", time.Hour, "10.0.0.9", "sched.example")
	addr := serve(t, wire.Security{Token: "t", CertFile: cert, KeyFile: key, CAFile: ca.File})
	err := identity(t, ca.Security("t", "client"), addr)
	mentions(t, err, "does not name the address this process dialed", "dusk cert issue --host", "10.0.0.9")
}

// An expired client certificate is refused as expired.
func TestExpiredClientCertificate(t *testing.T) {
	ca := testpki.New(t, "cluster CA")
	addr := serve(t, ca.Security("t", "scheduler"))
	cert, key := ca.Issue("old", -time.Minute, "127.0.0.1")
	err := identity(t, wire.Security{Token: "t", CertFile: cert, KeyFile: key, CAFile: ca.File}, addr)
	mentions(t, err, "refused this process's TLS certificate (--tls-cert): it has expired")
}

// TLS on one side only is an error that says so.
func TestTLSOnOneSide(t *testing.T) {
	ca := testpki.New(t, "cluster CA")
	plain := serve(t, wire.Security{Token: "t"})
	mentions(t, identity(t, ca.Security("t", "client"), plain), "the scheduler does not speak TLS")

	secure, logs := serveWithLog(t, ca.Security("t", "scheduler"))
	mentions(t, identity(t, wire.Security{Token: "t"}, secure), "If it uses TLS, give --tls-cert, --tls-key and --tls-ca")
	logs.waitFor(t, "refused a TLS connection: the peer speaks plain text")
}

// Certificates that a CA of wire.NewCA issues carry mutual TLS, and the CA
// survives a round trip through its PEM files.
func TestCAIssuesWorkingCertificates(t *testing.T) {
	ca, err := wire.NewCA("cluster CA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ca.KeyPEM()
	if err != nil {
		t.Fatal(err)
	}
	again, err := wire.ParseCA(ca.CertPEM(), key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.CertPEM(), ca.CertPEM()) {
		t.Fatal("the CA's certificate changed in a round trip")
	}
	other, _ := wire.NewCA("other", time.Hour)
	otherKey, _ := other.KeyPEM()
	if _, err := wire.ParseCA(ca.CertPEM(), otherKey); err == nil || !strings.Contains(err.Error(), "not the key of the CA certificate") {
		t.Errorf("a CA with another's key: %v", err)
	}
	leaf, leafKey, err := again.Issue("w", nil, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wire.ParseCA(leaf, leafKey); err == nil || !strings.Contains(err.Error(), "is not a CA's") {
		t.Errorf("a leaf certificate as a CA: %v", err)
	}
	if _, _, err := ca.Issue("w", nil, 2*time.Hour); err == nil || !strings.Contains(err.Error(), "outlive its CA") {
		t.Errorf("a certificate outliving its CA: %v", err)
	}
}
