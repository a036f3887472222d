package kube

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/dusk-go/dusk/internal/testkube"
)

// A worker pod is sized, named and limited by the spec, through the
// Downward API.
func TestWorkerPod(t *testing.T) {
	s := Spec{Client: nil, Image: "img", Cores: 3, Memory: 2 << 30, WorkerArgs: []string{"--log-level", "warn"}}
	if err := s.defaults(); err == nil || !strings.Contains(err.Error(), "no client") {
		t.Fatalf("a spec without a client: %v", err)
	}
	c := &Cluster{k: Spec{Image: "img", Namespace: "ns", Name: "x", Command: []string{"/p"}, SchedulerPort: 1, DashboardPort: 2,
		SchedulerHost: "x-scheduler.ns.svc", Cores: 3, Memory: 2 << 30, WorkerArgs: []string{"--log-level", "warn"}}}
	p := c.WorkerPod()
	if p.GenerateName != "x-worker-" || p.Labels[kubeClusterLabel] != "x" || p.Labels[kubeComponentLabel] != "worker" {
		t.Fatalf("pod meta %+v", p.ObjectMeta)
	}
	ct := p.Spec.Containers[0]
	want := "worker tcp://x-scheduler.ns.svc:1 --host $(POD_IP) --name $(POD_NAME) --nthreads 3 --spill-directory /tmp --log-level warn"
	if got := strings.Join(ct.Args, " "); got != want {
		t.Fatalf("args %q, want %q", got, want)
	}
	if q := ct.Resources.Limits[corev1.ResourceMemory]; q.Value() != 2<<30 {
		t.Fatalf("memory limit %v", q)
	}
	if q := ct.Resources.Limits[corev1.ResourceCPU]; q.Value() != 3 {
		t.Fatalf("cpu limit %v", q)
	}
	var memEnv, tokEnv bool
	for _, e := range ct.Env {
		if e.Name == "DUSK_WORKER__MEMORY__LIMIT" && e.ValueFrom.ResourceFieldRef.Resource == "limits.memory" {
			memEnv = true
		}
		if e.Name == "DUSK_TOKEN" && e.ValueFrom.SecretKeyRef.Name == "x-token" {
			tokEnv = true
		}
	}
	if !memEnv || !tokEnv {
		t.Fatalf("env %+v: the memory limit comes from the pod's limit, the token from the Secret", ct.Env)
	}
	if p.Spec.RestartPolicy != corev1.RestartPolicyOnFailure {
		t.Fatalf("restart policy %s", p.Spec.RestartPolicy)
	}
}

// Against a real API server: a cluster whose name is taken is a clear
// error, and a scheduler's pod that never runs (nothing runs pods here) is
// one too; either way nothing is left behind.
func TestStartErrors(t *testing.T) {
	api := testkube.Start(t)
	ctx := context.Background()
	taken := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "taken-token", Namespace: "default"}}
	if _, err := api.Client.CoreV1().Secrets("default").Create(ctx, taken, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// The other cluster's worker pod, labelled as a "taken" worker.
	other := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "taken-worker-x", Namespace: "default",
		Labels: map[string]string{"dusk.dev/cluster": "taken", "app.kubernetes.io/component": "worker"}},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "worker", Image: "img"}}}}
	if _, err := api.Client.CoreV1().Pods("default").Create(ctx, other, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := Spec{Client: api.Client, Name: "taken", Image: "img"}.Start(ctx, 1)
	if err == nil || !strings.Contains(err.Error(), `a cluster named "taken" is there already`) {
		t.Fatalf("a taken name: %v", err)
	}
	sctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_, err = Spec{Client: api.Client, Name: "stuck", Image: "img"}.Start(sctx, 1)
	if err == nil || !strings.Contains(err.Error(), "not running") || !strings.Contains(err.Error(), "kubectl describe pod stuck-scheduler") {
		t.Fatalf("a scheduler's pod that never runs: %v", err)
	}
	if _, err := api.Client.CoreV1().Pods("default").Get(ctx, "taken-worker-x", metav1.GetOptions{}); err != nil {
		t.Fatalf("the other cluster's worker pod: %v", err)
	}
	if err := api.Client.CoreV1().Pods("default").Delete(ctx, "taken-worker-x", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, sel := range []string{"dusk.dev/cluster=stuck", "dusk.dev/cluster=taken"} {
		pods, err := api.Client.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: sel})
		if err != nil {
			t.Fatal(err)
		}
		svcs, err := api.Client.CoreV1().Services("default").List(ctx, metav1.ListOptions{LabelSelector: sel})
		if err != nil {
			t.Fatal(err)
		}
		if len(pods.Items)+len(svcs.Items) != 0 {
			t.Fatalf("%s: %d pods and %d services left", sel, len(pods.Items), len(svcs.Items))
		}
	}
	// The Secret made by someone else is not deleted.
	if _, err := api.Client.CoreV1().Secrets("default").Get(ctx, "taken-token", metav1.GetOptions{}); err != nil {
		t.Fatalf("the Secret that was there before: %v", err)
	}
}
