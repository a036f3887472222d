// Package testpki makes certificate authorities and the certificates they
// sign in a test's temporary directory, with wire.CA, for tests of mutual
// TLS.
package testpki

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dusk-go/dusk/wire"
)

// CA is a certificate authority whose files live in a test's temporary
// directory.
type CA struct {
	t   testing.TB
	ca  *wire.CA
	dir string
	// File is the CA's certificate: what --tls-ca names.
	File string
}

// New makes a CA named name, valid for two hours.
func New(t testing.TB, name string) *CA {
	t.Helper()
	ca, err := wire.NewCA(name, 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	c := &CA{t: t, ca: ca, dir: t.TempDir()}
	c.File = c.write("ca.pem", ca.CertPEM())
	return c
}

// Issue makes a certificate named name for hosts, valid for validFor
// (negative: expired), and returns its certificate and key files.
func (c *CA) Issue(name string, validFor time.Duration, hosts ...string) (certFile, keyFile string) {
	c.t.Helper()
	cert, key, err := c.ca.Issue(name, hosts, validFor)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.write(name+".pem", cert), c.write(name+"-key.pem", key)
}

// Security returns token and the files of a certificate named name for
// 127.0.0.1, valid for an hour, signed by c.
func (c *CA) Security(token, name string) wire.Security {
	c.t.Helper()
	cert, key := c.Issue(name, time.Hour, "127.0.0.1")
	return wire.Security{Token: token, CertFile: cert, KeyFile: key, CAFile: c.File}
}

func (c *CA) write(name string, b []byte) string {
	c.t.Helper()
	path := filepath.Join(c.dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		c.t.Fatal(err)
	}
	return path
}
