package main

import (
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	duskpkg "github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/internal/testkube"
)

// dusk kube against a real Kubernetes API server (kube-apiserver over
// etcd): it creates the token's Secret, the scheduler's pod and Service,
// and worker pods, which testkube's agent runs as processes of a user's
// program in place of a kubelet; the program's work runs on them (workers
// named after their pods, memory limit from the pod's limit), restarts,
// adapts from 1 to 3 worker pods and back; Ctrl-C deletes every object.
func TestKubernetesCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("builds programs and runs an API server")
	}
	api := testkube.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	dusk := buildDusk(t)
	prog := buildUserprog(t, "userprog", "duckdb_arrow")
	var podLogs lockedBuffer
	agentCtx, stopAgent := context.WithCancel(ctx)
	agentDone := make(chan struct{})
	go func() {
		defer close(agentDone)
		(&testkube.Agent{Client: api.Client, Namespace: "default", Images: map[string]string{"userprog:test": prog}, Output: &podLogs}).Run(agentCtx, t)
	}()
	defer func() { stopAgent(); <-agentDone }()
	defer func() {
		if t.Failed() {
			t.Logf("the pods' output:\n%s", podLogs.String())
		}
	}()
	pods := func(cluster, component string) []string {
		t.Helper()
		l, err := api.Client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "dusk.dev/cluster=" + cluster + ",app.kubernetes.io/component=" + component})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range l.Items {
			names = append(names, p.Name)
		}
		slices.Sort(names)
		return names
	}
	start := func(name string, args ...string) (*exec.Cmd, string, string) {
		t.Helper()
		port, dash := freePort(t), freePort(t)
		tokenFile := t.TempDir() + "/token"
		args = append([]string{"kube", "--kubeconfig", api.Kubeconfig, "--image", "userprog:test", "--name", name,
			"--port", port, "--dashboard-port", dash, "--scheduler-host", "127.0.0.1", "--token-file", tokenFile, "--timeout", "2m"}, args...)
		cmd, _ := startProc(t, ctx, dusk, nil, "dusk kube: scheduler at ", args...)
		tok, err := os.ReadFile(tokenFile)
		if err != nil {
			t.Fatal(err)
		}
		return cmd, "tcp://127.0.0.1:" + port, strings.TrimSpace(string(tok))
	}
	client := func(addr, tok string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx, prog, append([]string{addr}, args...)...)
		cmd.Env = append(os.Environ(), "DUSK_TOKEN="+tok)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("the program's work: %v\n%s", err, out)
		}
		return string(out)
	}
	stop := func(cmd *exec.Cmd, name string) {
		t.Helper()
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("dusk kube ended with %v", err)
		}
		for _, kind := range []string{"pods", "services", "secrets"} {
			var n int
			sel := metav1.ListOptions{LabelSelector: "dusk.dev/cluster=" + name}
			switch kind {
			case "pods":
				l, err := api.Client.CoreV1().Pods("default").List(ctx, sel)
				if err != nil {
					t.Fatal(err)
				}
				n = len(l.Items)
			case "services":
				l, err := api.Client.CoreV1().Services("default").List(ctx, sel)
				if err != nil {
					t.Fatal(err)
				}
				n = len(l.Items)
			case "secrets":
				l, err := api.Client.CoreV1().Secrets("default").List(ctx, sel)
				if err != nil {
					t.Fatal(err)
				}
				n = len(l.Items)
			}
			if n != 0 {
				t.Fatalf("after Ctrl-C, %d %s of cluster %s are left", n, kind, name)
			}
		}
	}

	// A fixed cluster of two worker pods of 1 GiB.
	kube, addr, tok := start("fixed", "--workers", "2", "--memory", "1GiB", "--", "--log-level", "warn")
	if got := pods("fixed", "scheduler"); !slices.Equal(got, []string{"fixed-scheduler"}) {
		t.Fatalf("scheduler pods %v", got)
	}
	c, err := duskpkg.Connect(ctx, addr, duskpkg.Token(tok))
	if err != nil {
		t.Fatal(err)
	}
	ws := waitWorkers(t, ctx, c, 2)
	var names []string
	for _, w := range ws {
		names = append(names, w.Name)
		if w.MemoryLimit != 1<<30 {
			t.Errorf("worker %s has a memory limit of %d, want the pod's 1 GiB", w.Name, w.MemoryLimit)
		}
	}
	slices.Sort(names)
	if got := pods("fixed", "worker"); !slices.Equal(got, names) {
		t.Fatalf("workers %v, worker pods %v: a worker is named after its pod", names, got)
	}
	c.Close()
	if out, want := client(addr, tok), "triple(14) = 42\nrestarted\ntriple(5) = 15\n"; out != want {
		t.Fatalf("the program printed %q, want %q", out, want)
	}
	stop(kube, "fixed")

	// An adaptive one: 1 worker pod, 3 under a burst, 1 again after.
	kube, addr, tok = start("adaptive", "--adapt-min", "1", "--adapt-max", "3", "--", "--log-level", "warn")
	want := "grew to 3 workers\nsum = 5310\nshrank to 1 worker\nsum = 5310\n"
	if out := client(addr, tok, "burst", t.TempDir()); out != want {
		t.Fatalf("the burst printed %q, want %q", out, want)
	}
	waitFor(t, ctx, "the retired workers' pods to be deleted", func() bool { return len(pods("adaptive", "worker")) == 1 })
	stop(kube, "adaptive")
}
