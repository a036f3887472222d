package main

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mode returns a file's permission bits.
func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestCertMakesACAAndCertificates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	if err := certCA(dir, 30, false); err != nil {
		t.Fatal(err)
	}
	if err := certIssue(dir, dir, "scheduler", "127.0.0.1, sched.example", 10, false); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"ca-key.pem", "scheduler-key.pem"} {
		if m := mode(t, filepath.Join(dir, f)); m != 0o600 {
			t.Errorf("%s has mode %04o; want 0600", f, m)
		}
	}
	if m := mode(t, dir); m != 0o700 {
		t.Errorf("the directory has mode %04o; want 0700", m)
	}
	pair, err := tls.LoadX509KeyPair(filepath.Join(dir, "scheduler.pem"), filepath.Join(dir, "scheduler-key.pem"))
	if err != nil {
		t.Fatal(err)
	}
	caPEM, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	leaf := pair.Leaf
	for _, host := range []string{"127.0.0.1", "sched.example"} {
		if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: host, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err != nil {
			t.Errorf("as a server for %s: %v", host, err)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "10.0.0.1"}); err == nil {
		t.Error("the certificate is valid for a host it was not issued for")
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("as a client: %v", err)
	}
	if leaf.PublicKeyAlgorithm != x509.ECDSA {
		t.Errorf("key algorithm %v", leaf.PublicKeyAlgorithm)
	}
}

func TestCertOverwritesNothingUnlessForced(t *testing.T) {
	dir := t.TempDir()
	if err := certCA(dir, 30, false); err != nil {
		t.Fatal(err)
	}
	caPEM, _ := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err := certCA(dir, 30, false); err == nil || !strings.Contains(err.Error(), "ca.pem exists; nothing was written (give --force to replace it)") {
		t.Fatalf("a second CA over the first: %v", err)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, "ca.pem")); string(again) != string(caPEM) {
		t.Fatal("the CA changed")
	}
	// A key file that exists alone stops the whole issue: no certificate
	// without its key.
	key := filepath.Join(dir, "w-key.pem")
	if err := os.WriteFile(key, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := certIssue(dir, dir, "w", "", 10, false); err == nil || !strings.Contains(err.Error(), "w-key.pem exists") {
		t.Fatalf("issuing over a key: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "w.pem")); !os.IsNotExist(err) {
		t.Fatalf("a certificate was written without its key: %v", err)
	}
	// --force replaces the files, and the key is its owner's alone again.
	if err := certIssue(dir, dir, "w", "", 10, true); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, key); m != 0o600 {
		t.Errorf("the replaced key has mode %04o", m)
	}
	if _, err := tls.LoadX509KeyPair(filepath.Join(dir, "w.pem"), key); err != nil {
		t.Errorf("the forced pair: %v", err)
	}
	if err := certCA(dir, 30, true); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, "ca.pem")); string(again) == string(caPEM) {
		t.Fatal("--force kept the old CA")
	}
}

func TestCertErrors(t *testing.T) {
	dir := t.TempDir()
	if err := certCA(dir, 30, false); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		caDir, name string
		days        int
		want        string
	}{
		{dir, "", 10, "give the certificate a --name"},
		{dir, "../x", 10, `--name "../x": use letters, digits`},
		{dir, "ca", 10, "would be the CA's own files"},
		{dir, "w", 0, "--days 0"},
		{dir, "w", 31, "would outlive its CA"},
		{filepath.Join(dir, "none"), "w", 10, `make one with "dusk cert ca --out`},
	} {
		err := certIssue(c.caDir, dir, c.name, "", c.days, false)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("issue %q for %d days from %s: %v; want an error with %q", c.name, c.days, c.caDir, err, c.want)
		}
	}
	// A CA directory whose key belongs to another CA.
	other := t.TempDir()
	if err := certCA(other, 30, false); err != nil {
		t.Fatal(err)
	}
	key, _ := os.ReadFile(filepath.Join(other, "ca-key.pem"))
	if err := os.WriteFile(filepath.Join(dir, "ca-key.pem"), key, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := certIssue(dir, dir, "w", "", 10, false); err == nil || !strings.Contains(err.Error(), "is not the key of the CA certificate") {
		t.Errorf("a mismatched CA key: %v", err)
	}
}
