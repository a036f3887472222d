package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/internal/testcluster"
)

// TestMutualTLSClusterWithDuskCert runs a scheduler and a worker as
// processes over mutual TLS with certificates that "dusk cert" made, and
// a client in this process. The token lives in a file the scheduler
// writes and the worker and client read: no process's command line holds
// it. Certificates the cluster does not trust, either way, get errors
// that say which side refused what.
func TestMutualTLSClusterWithDuskCert(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the dusk binary")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := buildDusk(t)
	dir := t.TempDir()
	pki := filepath.Join(dir, "tls")
	run := func(args ...string) string {
		t.Helper()
		out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("dusk %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	run("cert", "ca", "--out", pki)
	run("cert", "issue", "--ca", pki, "--out", pki, "--name", "scheduler", "--host", "127.0.0.1")
	run("cert", "issue", "--ca", pki, "--out", pki, "--name", "worker", "--host", "127.0.0.1")
	out := run("cert", "issue", "--ca", pki, "--out", pki, "--name", "client")
	if !strings.Contains(out, "--tls-cert "+filepath.Join(pki, "client.pem")) {
		t.Errorf("dusk cert issue does not say how to use the files:\n%s", out)
	}
	tlsFlags := func(name string) []string {
		return []string{"--tls-cert", filepath.Join(pki, name+".pem"), "--tls-key", filepath.Join(pki, name+"-key.pem"), "--tls-ca", filepath.Join(pki, "ca.pem")}
	}
	tokenFile := filepath.Join(dir, "token")
	noToken := []string{"DUSK_TOKEN=", "DUSK_COMM__TOKEN=", "DUSK_COMM__TOKEN_FILE="}

	_, lines := startProcLines(t, ctx, bin, noToken, []string{"dusk scheduler at ", "dashboard: ", "token written to "},
		append([]string{"scheduler", "--port", "0", "--dashboard-address", "127.0.0.1:0", "--token-file", tokenFile, "--log-level", "warn"},
			tlsFlags("scheduler")...)...)
	addr := strings.TrimPrefix(lines[0], "dusk scheduler at ")
	if m := mode(t, tokenFile); m != 0o600 {
		t.Fatalf("the token file has mode %04o", m)
	}
	tokenBytes, err := os.ReadFile(tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(tokenBytes))
	if strings.Contains(lines[2], token) {
		t.Errorf("the scheduler printed the token it wrote to a file: %q", lines[2])
	}
	startProc(t, ctx, bin, noToken, "dusk worker at ",
		append([]string{"worker", addr, "--nthreads", "1", "--token-file", tokenFile, "--log-level", "warn"}, tlsFlags("worker")...)...)

	// The client, with the token from the file and its own certificate.
	clientTLS := dusk.TLS(filepath.Join(pki, "client.pem"), filepath.Join(pki, "client-key.pem"), filepath.Join(pki, "ca.pem"))
	c, err := dusk.Connect(ctx, addr, dusk.TokenFile(tokenFile), clientTLS, dusk.Logger(testcluster.QuietLogger()))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitWorkers(t, ctx, c, 1)
	f, err := dusk.Submit[int](ctx, c, qsSquare, 12)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.Result(ctx); err != nil || got != 144 {
		t.Fatalf("square of 12 over mutual TLS: %d, %v", got, err)
	}

	// No process's command line holds the token.
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(token)) {
			t.Errorf("%s holds the token: %q", p, bytes.ReplaceAll(b, []byte{0}, []byte{' '}))
		}
	}

	// The dashboard serves HTTPS; its link (token included) opens it for
	// a browser that trusts the CA.
	link := strings.TrimPrefix(lines[1], "dashboard: ")
	if !strings.HasPrefix(link, "https://127.0.0.1:") || !strings.HasSuffix(link, "?token="+token) {
		t.Fatalf("dashboard link %q", link)
	}
	if c.Dashboard() != link {
		t.Errorf("Client.Dashboard() = %q; the scheduler printed %q", c.Dashboard(), link)
	}
	caPEM, _ := os.ReadFile(filepath.Join(pki, "ca.pem"))
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(caPEM)
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Jar: jar, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	resp, err := browser.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "<html") {
		t.Fatalf("the dashboard over HTTPS: %d\n%.300s", resp.StatusCode, page)
	}

	// A client whose certificate another CA signed: the scheduler refuses it.
	other := filepath.Join(dir, "other")
	run("cert", "ca", "--out", other)
	run("cert", "issue", "--ca", other, "--out", other, "--name", "intruder")
	_, err = dusk.Connect(ctx, addr, dusk.TokenFile(tokenFile), dusk.Logger(testcluster.QuietLogger()),
		dusk.TLS(filepath.Join(other, "intruder.pem"), filepath.Join(other, "intruder-key.pem"), filepath.Join(pki, "ca.pem")))
	checkError(t, err, "scheduler "+addr, "refused this process's TLS certificate", "not signed by the CA the scheduler trusts")
	// A client that trusts another CA: it refuses the scheduler.
	_, err = dusk.Connect(ctx, addr, dusk.TokenFile(tokenFile), dusk.Logger(testcluster.QuietLogger()),
		dusk.TLS(filepath.Join(pki, "client.pem"), filepath.Join(pki, "client-key.pem"), filepath.Join(other, "ca.pem")))
	checkError(t, err, "scheduler "+addr, "this process refused the scheduler's TLS certificate", "not signed by the CA in this process's --tls-ca")

	// A worker with the intruder's certificate says why the scheduler
	// refuses it, tries again until its death timeout, and gives up
	// (exit code 6, which tells its nanny not to start another).
	wout, err := exec.CommandContext(ctx, bin, append([]string{"worker", addr, "--nanny=false", "--token-file", tokenFile, "--death-timeout", "2s"},
		"--tls-cert", filepath.Join(other, "intruder.pem"), "--tls-key", filepath.Join(other, "intruder-key.pem"), "--tls-ca", filepath.Join(pki, "ca.pem"))...).CombinedOutput()
	checkError(t, err, "exit status 6")
	if !strings.Contains(string(wout), "refused this process's TLS certificate") || !strings.Contains(string(wout), "not signed by the CA the scheduler trusts") {
		t.Errorf("the refused worker says:\n%s", wout)
	}

	// A token file others may read is refused, as ssh refuses such a key.
	open := filepath.Join(dir, "open-token")
	if err := os.WriteFile(open, tokenBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o644); err != nil {
		t.Fatal(err)
	}
	wout, err = exec.CommandContext(ctx, bin, append([]string{"worker", addr, "--token-file", open}, tlsFlags("worker")...)...).CombinedOutput()
	checkError(t, err, "exit status 1")
	if !strings.Contains(string(wout), "run chmod 600 "+open) {
		t.Errorf("a worker with an open token file says:\n%s", wout)
	}
}

// checkError fails t unless err mentions every one of want.
func checkError(t *testing.T, err error, want ...string) {
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
