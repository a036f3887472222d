package wire_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// echoScheduler answers Identity with a fixed ID.
type echoScheduler struct {
	pb.UnimplementedSchedulerServer
}

func (echoScheduler) Identity(context.Context, *pb.IdentityRequest) (*pb.IdentityReply, error) {
	return &pb.IdentityReply{SchedulerId: "s-1"}, nil
}

func serve(t *testing.T, sec wire.Security) string {
	t.Helper()
	return serveLogged(t, sec, nil)
}

// serveLogged is serve with the server's log going to log.
func serveLogged(t *testing.T, sec wire.Security, log *slog.Logger) string {
	t.Helper()
	opts, err := sec.ServerOptions(log)
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(opts...)
	pb.RegisterSchedulerServer(srv, echoScheduler{})
	l, err := wire.Listen(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(srv.Stop)
	return l.Addr().String()
}

func identity(t *testing.T, sec wire.Security, addr string) error {
	t.Helper()
	cc, err := sec.Dial("tcp://" + addr)
	if err != nil {
		return err
	}
	defer cc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := pb.NewSchedulerClient(cc).Identity(ctx, &pb.IdentityRequest{})
	if err != nil {
		return wire.Explain(err, "scheduler "+addr)
	}
	if r.GetSchedulerId() != "s-1" {
		t.Fatalf("identity = %q", r.GetSchedulerId())
	}
	return nil
}

func TestListenBindsLoopbackByDefault(t *testing.T) {
	l, err := wire.Listen(context.Background(), "", 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if ip := l.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		t.Fatalf("listening on %v, want loopback", ip)
	}
}

func TestServerNeedsAToken(t *testing.T) {
	if _, err := (wire.Security{}).ServerOptions(nil); err == nil {
		t.Fatal("a server without a token was allowed")
	}
}

func TestTokenIsChecked(t *testing.T) {
	addr := serve(t, wire.Security{Token: "right"})
	if err := identity(t, wire.Security{Token: "right"}, addr); err != nil {
		t.Fatalf("right token: %v", err)
	}
	err := identity(t, wire.Security{Token: "wrong"}, addr)
	if !errors.Is(err, wire.ErrUnauthenticated) || !strings.Contains(err.Error(), "wrong token") || !strings.Contains(err.Error(), "DUSK_TOKEN") {
		t.Fatalf("wrong token: %v", err)
	}
	err = identity(t, wire.Security{}, addr)
	if !wire.Unauthenticated(err) || !strings.Contains(err.Error(), "no token") {
		t.Fatalf("no token: %v", err)
	}
}

// writeCA makes a certificate authority and a certificate it signs for
// 127.0.0.1, in dir; it returns the paths.
func writeCerts(t *testing.T, dir, name string, ca *x509.Certificate, caKey *ecdsa.PrivateKey) (cert, key string) {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	cert = filepath.Join(dir, name+".pem")
	key = filepath.Join(dir, name+"-key.pem")
	kb, _ := x509.MarshalECPrivateKey(k)
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	return cert, key
}

func newCA(t *testing.T, dir, name string) (*x509.Certificate, *ecdsa.PrivateKey, string) {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	path := filepath.Join(dir, name+".pem")
	os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	return ca, k, path
}

func TestMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca, caKey, caFile := newCA(t, dir, "ca")
	sCert, sKey := writeCerts(t, dir, "scheduler", ca, caKey)
	cCert, cKey := writeCerts(t, dir, "client", ca, caKey)
	addr := serve(t, wire.Security{Token: "t", CertFile: sCert, KeyFile: sKey, CAFile: caFile})

	if err := identity(t, wire.Security{Token: "t", CertFile: cCert, KeyFile: cKey, CAFile: caFile}, addr); err != nil {
		t.Fatalf("a client with a certificate from the CA: %v", err)
	}
	// A certificate from another authority is refused.
	other, otherKey, _ := newCA(t, dir, "other")
	oCert, oKey := writeCerts(t, dir, "intruder", other, otherKey)
	if err := identity(t, wire.Security{Token: "t", CertFile: oCert, KeyFile: oKey, CAFile: caFile}, addr); err == nil {
		t.Fatal("a certificate from another CA was accepted")
	}
	// Plain text to a TLS server fails.
	if err := identity(t, wire.Security{Token: "t"}, addr); err == nil {
		t.Fatal("a plain-text client was accepted")
	}
	// Incomplete TLS settings are an error that names the flags.
	_, err := wire.Security{Token: "t", CertFile: cCert}.ServerOptions(nil)
	if err == nil || !strings.Contains(err.Error(), "--tls-key") {
		t.Fatalf("incomplete TLS: %v", err)
	}
}

func TestBatcherKeepsOrderAndLosesNothing(t *testing.T) {
	type batch struct{ items []int }
	b := wire.NewBatcher[batch]()
	var got []int
	var mu sync.Mutex
	done := make(chan error)
	go func() {
		done <- b.Run(context.Background(), func(x *batch) error {
			mu.Lock()
			got = append(got, x.items...)
			mu.Unlock()
			return nil
		})
	}()
	for i := range 10000 {
		b.Edit(func(x *batch) { x.items = append(x.items, i) })
	}
	b.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(got) != 10000 {
		t.Fatalf("got %d items", len(got))
	}
	for i, v := range got {
		if v != i {
			t.Fatalf("item %d is %d", i, v)
		}
	}
	if b.Edit(func(*batch) {}) {
		t.Fatal("edit after close accepted")
	}
}
