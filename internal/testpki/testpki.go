// Package testpki makes certificate authorities and the certificates they
// sign in a test's temporary directory, with wire.CA, for tests of mutual
// TLS.
package testpki

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
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

// HTTPClient returns an HTTP client that trusts c (and no other CA), as a
// browser or Prometheus given the CA's certificate does.
func (c *CA) HTTPClient() *http.Client {
	pool := x509.NewCertPool()
	pool.AddCert(c.ca.Certificate())
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

// CheckHTTPS checks that base ("https://host:port/") serves each of paths
// over HTTPS with a certificate of c: a client that trusts c gets 200
// with token and 401 without, and plain HTTP to the port gets no page.
func (c *CA) CheckHTTPS(base, token string, paths ...string) {
	c.t.Helper()
	if !strings.HasPrefix(base, "https://") {
		c.t.Fatalf("%s is not an https URL", base)
	}
	get := func(client *http.Client, url, token string) (int, error) {
		req, err := http.NewRequest("GET", url, nil)
		if err != nil {
			return 0, err
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return resp.StatusCode, err
	}
	client := c.HTTPClient()
	for _, p := range paths {
		if code, err := get(client, base+p, token); err != nil || code != http.StatusOK {
			c.t.Errorf("GET %s%s with the token: %d, %v", base, p, code, err)
		}
		if code, err := get(client, base+p, ""); err != nil || code != http.StatusUnauthorized {
			c.t.Errorf("GET %s%s without the token: %d, %v; want 401", base, p, code, err)
		}
		plain := "http://" + strings.TrimPrefix(base, "https://") + p
		if code, err := get(http.DefaultClient, plain, token); err == nil && code != http.StatusBadRequest {
			c.t.Errorf("GET %s over plain HTTP: %d; want a failure", plain, code)
		}
	}
}

func (c *CA) write(name string, b []byte) string {
	c.t.Helper()
	path := filepath.Join(c.dir, name)
	if err := os.WriteFile(path, b, 0o600); err != nil {
		c.t.Fatal(err)
	}
	return path
}
