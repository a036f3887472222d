package testkube

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// Agent runs the pods of a namespace as processes of this machine, in
// place of a kubelet: it plays the part the kube-scheduler, the kubelet
// and the container runtime play in a real cluster, no more. A pod's
// first container runs as the local binary its image maps to, with the
// container's arguments ($(VAR) expanded from its environment) and
// environment (values, the pod's name, namespace and IP, its limits, and
// keys of Secrets, read from the API server); its command (the program's
// path inside the image) is not used. Every pod's IP is 127.0.0.1. The
// pod's status follows the process: Running (Ready once a TCP readiness
// probe connects), then Succeeded or Failed, restarted as its restart
// policy says. A pod deleted has its process sent SIGTERM, then SIGKILL
// after its grace period. Services are not routed.
type Agent struct {
	Client    kubernetes.Interface
	Namespace string
	// Images maps an image to the binary that runs it.
	Images map[string]string
	// Output receives the processes' output, each line prefixed with its
	// pod's name (nil: discarded).
	Output io.Writer

	mu    sync.Mutex
	procs map[types.UID]*proc
}

type proc struct {
	pod      *corev1.Pod
	cmd      *exec.Cmd
	exited   chan struct{}
	deleted  bool
	restarts int32
}

// Run runs pods until ctx ends, then kills what still runs.
func (a *Agent) Run(ctx context.Context, t *testing.T) {
	a.procs = map[types.UID]*proc{}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			a.mu.Lock()
			for _, p := range a.procs {
				if p.cmd.Process != nil {
					_ = p.cmd.Process.Kill()
				}
			}
			a.mu.Unlock()
			return
		case <-tick.C:
		}
		if err := a.sync(ctx); err != nil && ctx.Err() == nil {
			t.Logf("testkube agent: %v", err)
		}
	}
}

// sync starts the pods that have no process and stops the processes whose
// pods are gone or being deleted.
func (a *Agent) sync(ctx context.Context) error {
	pods, err := a.Client.CoreV1().Pods(a.Namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	there := map[types.UID]bool{}
	for i := range pods.Items {
		pod := &pods.Items[i]
		there[pod.UID] = true
		a.mu.Lock()
		p := a.procs[pod.UID]
		stopped := p != nil && p.deleted
		a.mu.Unlock()
		switch {
		case p == nil && pod.DeletionTimestamp == nil && (pod.Status.Phase == "" || pod.Status.Phase == corev1.PodPending):
			if err := a.startPod(ctx, pod, 0); err != nil {
				a.setStatus(ctx, pod, corev1.PodFailed, err.Error(), false)
			}
		case p != nil && pod.DeletionTimestamp != nil && !stopped:
			a.stop(ctx, p, pod, true)
		case p != nil && !stopped:
			a.probe(ctx, p, pod)
		}
	}
	a.mu.Lock()
	var gone []*proc
	for uid, p := range a.procs {
		if !there[uid] && !p.deleted {
			gone = append(gone, p)
		}
	}
	a.mu.Unlock()
	for _, p := range gone {
		a.stop(ctx, p, p.pod, false)
	}
	return nil
}

// startPod starts the process of a pod.
func (a *Agent) startPod(ctx context.Context, pod *corev1.Pod, restarts int32) error {
	if len(pod.Spec.Containers) == 0 {
		return fmt.Errorf("pod %s has no container", pod.Name)
	}
	c := pod.Spec.Containers[0]
	bin := a.Images[c.Image]
	if bin == "" {
		return fmt.Errorf("image %q: no binary for it (ErrImagePull)", c.Image)
	}
	env, err := a.environ(ctx, pod, c)
	if err != nil {
		return err
	}
	args := make([]string, len(c.Args))
	for i, s := range c.Args {
		args[i] = expand(s, env)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = os.Environ()
	for _, kv := range env {
		cmd.Env = append(cmd.Env, kv.name+"="+kv.value)
	}
	if a.Output != nil {
		w := &prefixWriter{w: a.Output, prefix: pod.Name + ": "}
		cmd.Stdout, cmd.Stderr = w, w
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	p := &proc{pod: pod, cmd: cmd, exited: make(chan struct{}), restarts: restarts}
	a.mu.Lock()
	a.procs[pod.UID] = p
	a.mu.Unlock()
	a.setStatus(ctx, pod, corev1.PodRunning, "", c.ReadinessProbe == nil)
	go a.wait(ctx, p)
	return nil
}

// wait follows a pod's process to its end, and restarts it as the pod's
// restart policy says.
func (a *Agent) wait(ctx context.Context, p *proc) {
	err := p.cmd.Wait()
	close(p.exited)
	a.mu.Lock()
	deleted := p.deleted
	a.mu.Unlock()
	if deleted || ctx.Err() != nil {
		return
	}
	code := p.cmd.ProcessState.ExitCode()
	policy := p.pod.Spec.RestartPolicy
	if policy == corev1.RestartPolicyAlways || policy == corev1.RestartPolicyOnFailure && code != 0 {
		time.Sleep(time.Second) // a kubelet backs off too
		pod, gerr := a.Client.CoreV1().Pods(p.pod.Namespace).Get(ctx, p.pod.Name, metav1.GetOptions{})
		if gerr != nil || pod.UID != p.pod.UID || pod.DeletionTimestamp != nil {
			return
		}
		if serr := a.startPod(ctx, pod, p.restarts+1); serr == nil {
			return
		}
	}
	phase := corev1.PodSucceeded
	if code != 0 {
		phase = corev1.PodFailed
	}
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	if pod, gerr := a.Client.CoreV1().Pods(p.pod.Namespace).Get(ctx, p.pod.Name, metav1.GetOptions{}); gerr == nil && pod.UID == p.pod.UID {
		a.setStatus(ctx, pod, phase, msg, false)
	}
}

// stop ends a pod's process: SIGTERM, then SIGKILL after the pod's grace
// period; a pod being deleted is then removed for good.
func (a *Agent) stop(ctx context.Context, p *proc, pod *corev1.Pod, finalize bool) {
	a.mu.Lock()
	p.deleted = true
	a.mu.Unlock()
	grace := 30 * time.Second
	if g := pod.Spec.TerminationGracePeriodSeconds; g != nil {
		grace = time.Duration(*g) * time.Second
	}
	go func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(grace):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if finalize {
			zero := int64(0)
			err := a.Client.CoreV1().Pods(pod.Namespace).Delete(ctx, pod.Name, metav1.DeleteOptions{
				GracePeriodSeconds: &zero, Preconditions: &metav1.Preconditions{UID: &pod.UID}})
			if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsConflict(err) && ctx.Err() == nil {
				fmt.Fprintf(os.Stderr, "testkube agent: deleting pod %s: %v\n", pod.Name, err)
			}
		}
		a.mu.Lock()
		delete(a.procs, pod.UID)
		a.mu.Unlock()
	}()
}

// probe marks a running pod Ready once its TCP readiness probe connects.
func (a *Agent) probe(ctx context.Context, p *proc, pod *corev1.Pod) {
	c := pod.Spec.Containers[0]
	if c.ReadinessProbe == nil || c.ReadinessProbe.TCPSocket == nil || pod.Status.Phase != corev1.PodRunning || ready(pod) {
		return
	}
	port := c.ReadinessProbe.TCPSocket.Port.IntValue()
	if port == 0 {
		for _, cp := range c.Ports {
			if cp.Name == c.ReadinessProbe.TCPSocket.Port.String() {
				port = int(cp.ContainerPort)
			}
		}
	}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return
	}
	conn.Close()
	a.setStatus(ctx, pod, corev1.PodRunning, "", true)
}

func ready(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// setStatus writes a pod's phase, IP and readiness to the API server.
func (a *Agent) setStatus(ctx context.Context, pod *corev1.Pod, phase corev1.PodPhase, msg string, isReady bool) {
	for range 5 {
		pod = pod.DeepCopy()
		pod.Status.Phase, pod.Status.Message = phase, msg
		pod.Status.PodIP, pod.Status.HostIP = "127.0.0.1", "127.0.0.1"
		pod.Status.PodIPs = []corev1.PodIP{{IP: "127.0.0.1"}}
		cond := corev1.ConditionFalse
		if isReady {
			cond = corev1.ConditionTrue
		}
		pod.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: cond, LastTransitionTime: metav1.Now()}}
		_, err := a.Client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, pod, metav1.UpdateOptions{})
		if err == nil || !apierrors.IsConflict(err) {
			return
		}
		fresh, gerr := a.Client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if gerr != nil {
			return
		}
		pod = fresh
	}
}

type envVar struct{ name, value string }

// environ resolves a container's environment as a kubelet does.
func (a *Agent) environ(ctx context.Context, pod *corev1.Pod, c corev1.Container) ([]envVar, error) {
	var out []envVar
	for _, e := range c.Env {
		v := expand(e.Value, out)
		if src := e.ValueFrom; src != nil {
			switch {
			case src.FieldRef != nil:
				switch src.FieldRef.FieldPath {
				case "metadata.name":
					v = pod.Name
				case "metadata.namespace":
					v = pod.Namespace
				case "status.podIP", "status.hostIP":
					v = "127.0.0.1"
				default:
					return nil, fmt.Errorf("env %s: field %s is not supported here", e.Name, src.FieldRef.FieldPath)
				}
			case src.ResourceFieldRef != nil:
				q, ok := c.Resources.Limits[corev1.ResourceName(src.ResourceFieldRef.Resource[len("limits."):])]
				if !ok {
					return nil, fmt.Errorf("env %s: no %s", e.Name, src.ResourceFieldRef.Resource)
				}
				v = strconv.FormatInt(int64(math.Ceil(q.AsApproximateFloat64())), 10)
			case src.SecretKeyRef != nil:
				s, err := a.Client.CoreV1().Secrets(pod.Namespace).Get(ctx, src.SecretKeyRef.Name, metav1.GetOptions{})
				if err != nil {
					return nil, fmt.Errorf("env %s: %w", e.Name, err)
				}
				b, ok := s.Data[src.SecretKeyRef.Key]
				if !ok {
					return nil, fmt.Errorf("env %s: Secret %s has no key %s", e.Name, s.Name, src.SecretKeyRef.Key)
				}
				v = string(b)
			default:
				return nil, fmt.Errorf("env %s: this source is not supported here", e.Name)
			}
		}
		out = append(out, envVar{e.Name, v})
	}
	return out, nil
}

var varRef = regexp.MustCompile(`\$\(([A-Za-z_][A-Za-z0-9_]*)\)`)

// expand replaces $(NAME) with NAME's value where NAME is defined.
func expand(s string, env []envVar) string {
	return varRef.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		for i := len(env) - 1; i >= 0; i-- {
			if env[i].name == name {
				return env[i].value
			}
		}
		return m
	})
}

// prefixWriter prefixes every line with the pod's name.
type prefixWriter struct {
	mu     sync.Mutex
	w      io.Writer
	prefix string
	line   []byte
}

func (p *prefixWriter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range b {
		p.line = append(p.line, c)
		if c == '\n' {
			_, _ = p.w.Write(append([]byte(p.prefix), p.line...))
			p.line = p.line[:0]
		}
	}
	return len(b), nil
}
