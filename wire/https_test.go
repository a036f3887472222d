package wire_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/internal/testpki"
	"github.com/dusk-go/dusk/wire"
)

// serveHTTP serves a page behind the token on a listener of sec and
// returns its URL.
func serveHTTP(t *testing.T, sec wire.Security) string {
	t.Helper()
	l, err := sec.ListenHTTP(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: wire.HTTPAuth(sec.Token, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("in"))
	}))}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return wire.HTTPURL(l)
}

// fetch gets url with the token (if not empty) and returns the status and
// the body.
func fetch(t *testing.T, c *http.Client, url, token string) (int, string, error) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// With TLS, HTTP endpoints serve HTTPS with the peer's certificate: a
// client that trusts the CA gets in with the token, and without the token
// it is refused; plain HTTP to the port fails, and so does a client that
// does not trust the CA.
func TestListenHTTPServesHTTPSWithTLS(t *testing.T) {
	ca := testpki.New(t, "cluster CA")
	url := serveHTTP(t, ca.Security("tok", "scheduler"))
	ca.CheckHTTPS(url, "tok", "")
	if _, _, err := fetch(t, http.DefaultClient, url, "tok"); err == nil || !strings.Contains(err.Error(), "certificate signed by unknown authority") {
		t.Fatalf("a client without the CA: %v", err)
	}
}

// Without TLS, HTTP endpoints stay plain HTTP.
func TestListenHTTPServesHTTPWithoutTLS(t *testing.T) {
	url := serveHTTP(t, wire.Security{Token: "tok"})
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("URL %q", url)
	}
	if code, body, err := fetch(t, http.DefaultClient, url, "tok"); err != nil || code != 200 || body != "in" {
		t.Fatalf("with the token: %d %q %v", code, body, err)
	}
}
