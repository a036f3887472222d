// Package testkube runs a real Kubernetes API server (kube-apiserver over
// etcd) for tests, and a node agent that runs the pods created there as
// processes of this machine, in place of a kubelet and a container
// runtime (which this machine has not).
package testkube

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// APIServerVersion is the Kubernetes release scripts/setup-test builds
// kube-apiserver from.
const APIServerVersion = "v1.37.2"

// APIServer is a running kube-apiserver and its etcd.
type APIServer struct {
	// URL is the API server's address; Token the bearer token of an
	// administrator; Kubeconfig a file for kubectl and dusk kube.
	URL, Token, Kubeconfig string
	// Client is a client of it as the administrator.
	Client kubernetes.Interface
}

// findAPIServer returns the kube-apiserver to run: $DUSK_KUBE_APISERVER,
// the one scripts/setup-test builds, or one on the PATH.
func findAPIServer() string {
	if p := os.Getenv("DUSK_KUBE_APISERVER"); p != "" {
		return p
	}
	if cache, err := os.UserCacheDir(); err == nil {
		p := filepath.Join(cache, "dusk-test", "kube-apiserver-"+APIServerVersion)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, _ := exec.LookPath("kube-apiserver")
	return p
}

// Start runs etcd and kube-apiserver on free loopback ports until the
// test ends. Without them (scripts/setup-test builds kube-apiserver and
// installs etcd) the test skips, unless DUSK_REQUIRE_KUBE is set.
func Start(t *testing.T) *APIServer {
	t.Helper()
	skip := func(why string) {
		if os.Getenv("DUSK_REQUIRE_KUBE") != "" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	apiserver := findAPIServer()
	if apiserver == "" {
		skip("no kube-apiserver (scripts/setup-test builds one; or set DUSK_KUBE_APISERVER)")
	}
	etcd, err := exec.LookPath("etcd")
	if err != nil {
		skip("no etcd (Debian's etcd-server; scripts/setup-test installs it)")
	}
	dir := t.TempDir()
	clientPort, peerPort, apiPort := freePort(t), freePort(t), freePort(t)
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(clientPort)
	start(t, "etcd", etcd, "--data-dir", filepath.Join(dir, "etcd"),
		"--listen-client-urls", etcdURL, "--advertise-client-urls", etcdURL,
		"--listen-peer-urls", "http://127.0.0.1:"+strconv.Itoa(peerPort),
		"--initial-advertise-peer-urls", "http://127.0.0.1:"+strconv.Itoa(peerPort),
		"--initial-cluster", "default=http://127.0.0.1:"+strconv.Itoa(peerPort))
	key := filepath.Join(dir, "sa.key")
	pub := filepath.Join(dir, "sa.pub")
	if err := writeServiceAccountKeys(key, pub); err != nil {
		t.Fatal(err)
	}
	token := "test-kube-admin-token"
	tokens := filepath.Join(dir, "tokens.csv")
	if err := os.WriteFile(tokens, []byte(token+",admin,admin,system:masters\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	start(t, "kube-apiserver", apiserver, "--etcd-servers", etcdURL,
		"--bind-address", "127.0.0.1", "--secure-port", strconv.Itoa(apiPort), "--cert-dir", filepath.Join(dir, "certs"),
		"--service-account-issuer", "https://kubernetes.default.svc", "--service-account-key-file", pub,
		"--service-account-signing-key-file", key, "--token-auth-file", tokens,
		"--authorization-mode", "RBAC", "--service-cluster-ip-range", "10.96.0.0/16")
	s := &APIServer{URL: "https://127.0.0.1:" + strconv.Itoa(apiPort), Token: token}
	waitReady(t, s)
	cfg := &rest.Config{Host: s.URL, BearerToken: token, TLSClientConfig: rest.TLSClientConfig{Insecure: true}}
	if s.Client, err = kubernetes.NewForConfig(cfg); err != nil {
		t.Fatal(err)
	}
	// The controller-manager, which is not run here, would make the
	// namespace's default service account, which pods need.
	waitDefaultNamespace(t, s.Client)
	s.Kubeconfig = filepath.Join(dir, "kubeconfig")
	kc := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: test
  cluster: {server: %q, insecure-skip-tls-verify: true}
users:
- name: admin
  user: {token: %q}
contexts:
- name: test
  context: {cluster: test, user: admin}
current-context: test
`, s.URL, token)
	if err := os.WriteFile(s.Kubeconfig, []byte(kc), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// start runs a daemon until the test ends, its output in the test's log
// when the test fails.
func start(t *testing.T, name, bin string, args ...string) {
	t.Helper()
	log, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			b, _ := os.ReadFile(log.Name())
			if len(b) > 8000 {
				b = b[len(b)-8000:]
			}
			t.Logf("%s's log (end):\n%s", name, b)
		}
		log.Close()
	})
}

// waitReady waits until the API server answers /readyz with ok.
func waitReady(t *testing.T, s *APIServer) {
	t.Helper()
	hc := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, s.URL+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+s.Token)
		resp, err := hc.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("kube-apiserver not ready after 2 minutes: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitDefaultNamespace makes the default namespace's "default" service
// account, once the namespace is there.
func waitDefaultNamespace(t *testing.T, c kubernetes.Interface) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "default"}}
	for {
		_, err := c.CoreV1().ServiceAccounts("default").Create(ctx, sa, metav1.CreateOptions{})
		if err == nil || apierrors.IsAlreadyExists(err) {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("making the default service account: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
