// Package kube runs dusk clusters on Kubernetes with client-go: the
// scheduler as a pod behind a Service, each worker as a pod, scaled by
// hand or adaptively. It is a package of its own so that programs that do
// not run on Kubernetes do not link client-go.
package kube

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/dusk-go/dusk/cluster"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/wire"
)

// Spec describes a cluster on Kubernetes, as dask-kubernetes does: a
// Secret with the token, the scheduler as a pod behind a Service (the
// scheduler's and the dashboard's ports), and each worker as a pod of its
// own, under its nanny, named after its pod, bound to its pod's IP, with
// the pod's CPU as its threads and the pod's memory limit as its own
// (through the Downward API). The cluster grows by creating worker pods
// and shrinks by retiring workers (their data handed over first), whose
// pods then end and are deleted; Close deletes everything it made. Start
// makes it.
// Every object carries the labels app.kubernetes.io/name=dusk and
// dusk.dev/cluster=NAME.
type Spec struct {
	// Client talks to the API server (kube.Client makes one from a
	// kubeconfig).
	Client kubernetes.Interface
	// Namespace holds the objects (default "default").
	Namespace string
	// Name prefixes the objects' names: NAME-scheduler (pod and
	// Service), NAME-token (Secret), NAME-worker-XXXXX (pods). Default
	// "dusk".
	Name string
	// Image is the container image of the program (deploy/Dockerfile
	// builds one); Command is the program in it (default
	// ["/usr/local/bin/dusk"], where that Dockerfile puts it). It must
	// call dusk.Main first.
	Image   string
	Command []string
	// ImagePullPolicy is the pods' (default: Kubernetes's).
	ImagePullPolicy corev1.PullPolicy
	// SchedulerPort and DashboardPort are the scheduler's ports (default
	// 8786 and 8787).
	SchedulerPort, DashboardPort int
	// SchedulerHost is the host workers and clients reach the scheduler
	// at (default the Service's name in the cluster's DNS,
	// NAME-scheduler.NAMESPACE.svc).
	SchedulerHost string
	// Cores is each worker pod's CPU (requests and limits), and its
	// threads (default 1).
	Cores int
	// Memory is each worker pod's memory in bytes (requests and limits),
	// and its memory limit (default: none set).
	Memory int64
	// WorkerArgs are more flags of the worker command.
	WorkerArgs []string
	// Token is the cluster's token (default: a fresh one).
	Token string
	// Logger receives what the launcher does.
	Logger *slog.Logger
}

// Client returns a client of the API server a kubeconfig file names
// (empty: $KUBECONFIG, ~/.kube/config, or the pod's own service account
// when run inside a cluster).
func Client(kubeconfig string) (kubernetes.Interface, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("dusk kube: reading the kubeconfig: %w", err)
	}
	return kubernetes.NewForConfig(cfg)
}

// Cluster is a cluster Spec.Start made. It is a cluster.Launcher.
type Cluster struct {
	k   Spec
	log *slog.Logger

	// made says which of the scheduler's objects Start made: Close
	// deletes those only (a name taken by another cluster is not ours).
	made struct{ secret, pod, service bool }

	mu      sync.Mutex               // protects the fields below
	remote  *cluster.RemoteScheduler // while adapting
	members cluster.Members          // which worker pods count for the size
}

// Label keys on every object a Kubernetes launcher makes.
const (
	kubeNameLabel      = "app.kubernetes.io/name"
	kubeComponentLabel = "app.kubernetes.io/component"
	kubeClusterLabel   = "dusk.dev/cluster"
)

func (k *Spec) defaults() error {
	if k.Client == nil {
		return errors.New("dusk kube: no client of the API server (kube.Client makes one)")
	}
	if k.Image == "" {
		return errors.New("dusk kube: the image of the program is needed (deploy/Dockerfile builds one)")
	}
	if k.Namespace == "" {
		k.Namespace = "default"
	}
	if k.Name == "" {
		k.Name = "dusk"
	}
	if len(k.Command) == 0 {
		k.Command = []string{"/usr/local/bin/dusk"}
	}
	if k.SchedulerPort == 0 {
		k.SchedulerPort = 8786
	}
	if k.DashboardPort == 0 {
		k.DashboardPort = 8787
	}
	if k.SchedulerHost == "" {
		k.SchedulerHost = k.Name + "-scheduler." + k.Namespace + ".svc"
	}
	if k.Cores <= 0 {
		k.Cores = 1
	}
	if k.Token == "" {
		k.Token = wire.NewToken()
	}
	if k.Logger == nil {
		k.Logger = slog.Default()
	}
	return nil
}

// Start makes the token's Secret, the scheduler's pod and Service, waits
// until the scheduler's pod runs, and creates n worker pods (it does not
// wait for them: Kubernetes may queue them). On an error it deletes what
// it made.
func (k Spec) Start(ctx context.Context, n int) (*Cluster, error) {
	if err := k.defaults(); err != nil {
		return nil, err
	}
	c := &Cluster{k: k, log: k.Logger.With("component", "kube", "cluster", k.Name)}
	if err := c.start(ctx, n); err != nil {
		cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = c.Close(cctx)
		return nil, err
	}
	return c, nil
}

func (c *Cluster) start(ctx context.Context, n int) error {
	k := c.k
	api := k.Client.CoreV1()
	secret := &corev1.Secret{ObjectMeta: c.meta(k.Name+"-token", "token"), StringData: map[string]string{"token": k.Token}}
	if _, err := api.Secrets(k.Namespace).Create(ctx, secret, metav1.CreateOptions{}); err != nil {
		return c.apiError("creating the token's Secret", err)
	}
	c.made.secret = true
	if _, err := api.Pods(k.Namespace).Create(ctx, c.schedulerPod(), metav1.CreateOptions{}); err != nil {
		return c.apiError("creating the scheduler's pod", err)
	}
	c.made.pod = true
	if _, err := api.Services(k.Namespace).Create(ctx, c.service(), metav1.CreateOptions{}); err != nil {
		return c.apiError("creating the scheduler's Service", err)
	}
	c.made.service = true
	c.log.Info("dusk kube: scheduler created; waiting for its pod to run", "pod", k.Name+"-scheduler")
	if err := c.waitScheduler(ctx); err != nil {
		return err
	}
	return c.Launch(ctx, n)
}

// apiError explains an error of the API server.
func (c *Cluster) apiError(what string, err error) error {
	switch {
	case apierrors.IsAlreadyExists(err):
		return fmt.Errorf("dusk kube: %s: %w (a cluster named %q is there already in namespace %s: give another --name, or delete it with kubectl delete pods,services,secrets -l %s=%s)",
			what, err, c.k.Name, c.k.Namespace, kubeClusterLabel, c.k.Name)
	case apierrors.IsForbidden(err):
		return fmt.Errorf("dusk kube: %s: %w (the account needs to create, list and delete pods, services and secrets in namespace %s)", what, err, c.k.Namespace)
	}
	return fmt.Errorf("dusk kube: %s: %w", what, err)
}

// meta names an object of the cluster and labels it.
func (c *Cluster) meta(name, component string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: c.k.Namespace, Labels: map[string]string{
		kubeNameLabel: "dusk", kubeComponentLabel: component, kubeClusterLabel: c.k.Name,
	}}
}

// tokenEnv gives a container the token from the cluster's Secret.
func (c *Cluster) tokenEnv() corev1.EnvVar {
	return corev1.EnvVar{Name: config.EnvToken, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
		LocalObjectReference: corev1.LocalObjectReference{Name: c.k.Name + "-token"}, Key: "token"}}}
}

func (c *Cluster) schedulerPod() *corev1.Pod {
	k := c.k
	return &corev1.Pod{
		ObjectMeta: c.meta(k.Name+"-scheduler", "scheduler"),
		Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyAlways,
			Containers: []corev1.Container{{
				Name: "scheduler", Image: k.Image, ImagePullPolicy: k.ImagePullPolicy, Command: k.Command,
				Args: []string{"scheduler", "--host", "0.0.0.0", "--port", strconv.Itoa(k.SchedulerPort),
					"--dashboard-address", "0.0.0.0:" + strconv.Itoa(k.DashboardPort)},
				Env: []corev1.EnvVar{c.tokenEnv()},
				Ports: []corev1.ContainerPort{
					{Name: "scheduler", ContainerPort: int32(k.SchedulerPort)},
					{Name: "dashboard", ContainerPort: int32(k.DashboardPort)},
				},
				ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
					TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("scheduler")}}},
			}},
		},
	}
}

func (c *Cluster) service() *corev1.Service {
	k := c.k
	sel := map[string]string{kubeNameLabel: "dusk", kubeComponentLabel: "scheduler", kubeClusterLabel: k.Name}
	return &corev1.Service{
		ObjectMeta: c.meta(k.Name+"-scheduler", "scheduler"),
		Spec: corev1.ServiceSpec{Selector: sel, Ports: []corev1.ServicePort{
			{Name: "scheduler", Port: int32(k.SchedulerPort), TargetPort: intstr.FromString("scheduler")},
			{Name: "dashboard", Port: int32(k.DashboardPort), TargetPort: intstr.FromString("dashboard")},
		}},
	}
}

// WorkerPod returns the pod of one worker (its name is generated).
func (c *Cluster) WorkerPod() *corev1.Pod {
	k := c.k
	meta := c.meta("", "worker")
	meta.GenerateName = k.Name + "-worker-"
	cpu := resource.NewQuantity(int64(k.Cores), resource.DecimalSI)
	res := corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: *cpu},
		Limits:   corev1.ResourceList{corev1.ResourceCPU: *cpu},
	}
	env := []corev1.EnvVar{
		{Name: "POD_IP", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "status.podIP"}}},
		{Name: "POD_NAME", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{FieldPath: "metadata.name"}}},
		c.tokenEnv(),
	}
	args := []string{"worker", c.Address(), "--host", "$(POD_IP)", "--name", "$(POD_NAME)",
		"--nthreads", strconv.Itoa(k.Cores), "--spill-directory", "/tmp"}
	if k.Memory > 0 {
		mem := resource.NewQuantity(k.Memory, resource.BinarySI)
		res.Requests[corev1.ResourceMemory], res.Limits[corev1.ResourceMemory] = *mem, *mem
		// The pod's limit, in bytes, as Kubernetes set it.
		env = append(env, corev1.EnvVar{Name: config.EnvName("worker.memory.limit"), ValueFrom: &corev1.EnvVarSource{
			ResourceFieldRef: &corev1.ResourceFieldSelector{ContainerName: "worker", Resource: "limits.memory"}}})
	}
	args = append(args, k.WorkerArgs...)
	return &corev1.Pod{
		ObjectMeta: meta,
		Spec: corev1.PodSpec{
			// A worker that retired exits 0 and its pod ends; one that
			// crashed past its nanny is started again.
			RestartPolicy:                 corev1.RestartPolicyOnFailure,
			TerminationGracePeriodSeconds: ptr(int64(60)),
			Containers: []corev1.Container{{
				Name: "worker", Image: k.Image, ImagePullPolicy: k.ImagePullPolicy, Command: k.Command,
				Args: args, Env: env, Resources: res,
			}},
		},
	}
}

func ptr[T any](v T) *T { return &v }

// Address returns the scheduler's address for workers and clients
// (tcp://SchedulerHost:SchedulerPort).
func (c *Cluster) Address() string {
	return "tcp://" + c.k.SchedulerHost + ":" + strconv.Itoa(c.k.SchedulerPort)
}

// Token returns the cluster's token.
func (c *Cluster) Token() string { return c.k.Token }

// waitScheduler waits until the scheduler's pod runs and is ready.
func (c *Cluster) waitScheduler(ctx context.Context) error {
	for {
		p, err := c.k.Client.CoreV1().Pods(c.k.Namespace).Get(ctx, c.k.Name+"-scheduler", metav1.GetOptions{})
		if err != nil {
			return c.apiError("reading the scheduler's pod", err)
		}
		if p.Status.Phase == corev1.PodRunning && podReady(p) {
			return nil
		}
		if p.Status.Phase == corev1.PodFailed || p.Status.Phase == corev1.PodSucceeded {
			return fmt.Errorf("dusk kube: the scheduler's pod ended (%s: %s); see kubectl logs %s -n %s",
				p.Status.Phase, p.Status.Message, p.Name, c.k.Namespace)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("dusk kube: the scheduler's pod is %s, not running: %w (see kubectl describe pod %s -n %s)",
				p.Status.Phase, ctx.Err(), p.Name, c.k.Namespace)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func podReady(p *corev1.Pod) bool {
	for _, cond := range p.Status.Conditions {
		if cond.Type == corev1.PodReady {
			return cond.Status == corev1.ConditionTrue
		}
	}
	return false
}

// Launch creates n more worker pods.
func (c *Cluster) Launch(ctx context.Context, n int) error {
	for range n {
		p, err := c.k.Client.CoreV1().Pods(c.k.Namespace).Create(ctx, c.WorkerPod(), metav1.CreateOptions{})
		if err != nil {
			return c.apiError("creating a worker pod", err)
		}
		c.log.Info("dusk kube: created a worker pod", "pod", p.Name)
	}
	return nil
}

// workerPods lists the cluster's worker pods.
func (c *Cluster) workerPods(ctx context.Context) ([]corev1.Pod, error) {
	l, err := c.k.Client.CoreV1().Pods(c.k.Namespace).List(ctx, metav1.ListOptions{
		LabelSelector: kubeClusterLabel + "=" + c.k.Name + "," + kubeComponentLabel + "=worker"})
	if err != nil {
		return nil, c.apiError("listing the worker pods", err)
	}
	return l.Items, nil
}

// WorkerPods returns the names of the worker pods that are there, ended
// ones included until Launched deletes them.
func (c *Cluster) WorkerPods(ctx context.Context) ([]string, error) {
	ps, err := c.workerPods(ctx)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return names, nil
}

// Launched returns how many worker pods count for the cluster's size:
// pending or running, not being deleted, and not holding a worker that is
// retiring or gone. It deletes the pods of workers that ended (retired).
func (c *Cluster) Launched(ctx context.Context) (int, error) {
	ps, err := c.workerPods(ctx)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	remote := c.remote
	c.mu.Unlock()
	status, err := remote.Statuses(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, p := range ps {
		ended := p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed
		if ended {
			c.log.Info("dusk kube: deleting the pod of a worker that ended", "pod", p.Name, "phase", p.Status.Phase)
			if err := c.k.Client.CoreV1().Pods(c.k.Namespace).Delete(ctx, p.Name, metav1.DeleteOptions{}); err != nil && !apierrors.IsNotFound(err) {
				return 0, c.apiError("deleting a worker pod", err)
			}
		}
		c.mu.Lock()
		counts := c.members.Counts(p.Name, status)
		if ended {
			c.members.Forget(p.Name)
		}
		c.mu.Unlock()
		if !ended && p.DeletionTimestamp == nil && counts {
			n++
		}
	}
	return n, nil
}

// Adapt follows the scheduler's recommendation (see cluster.Adapt)
// until ctx ends: worker pods are created while work queues, and idle
// workers retire (their pods end and are deleted) when it is done. The
// scheduler must be reachable from here at Address (run this inside the
// cluster, or set SchedulerHost to a forwarded address).
func (c *Cluster) Adapt(ctx context.Context, o cluster.AdaptOptions) error {
	if o.Logger == nil {
		o.Logger = c.log
	}
	return cluster.AdaptRemote(ctx, c.Address(), wire.Security{Token: c.k.Token}, c, o, func(r *cluster.RemoteScheduler) {
		c.mu.Lock()
		c.remote = r
		c.mu.Unlock()
	})
}

// Close deletes the worker pods (each worker gets its grace period to
// hand its data over), then the scheduler's pod, its Service and the
// token's Secret (those Start made).
func (c *Cluster) Close(ctx context.Context) error {
	api := c.k.Client.CoreV1()
	if !c.made.secret {
		// The token's Secret is made first: without it, the name belongs
		// to another cluster, whose pods are not ours to delete.
		return nil
	}
	sel := metav1.ListOptions{LabelSelector: kubeClusterLabel + "=" + c.k.Name + "," + kubeComponentLabel + "=worker"}
	var errs []error
	if err := api.Pods(c.k.Namespace).DeleteCollection(ctx, metav1.DeleteOptions{}, sel); err != nil {
		errs = append(errs, c.apiError("deleting the worker pods", err))
	}
	del := func(made bool, what string, rm func() error) {
		if !made {
			return
		}
		if err := rm(); err != nil && !apierrors.IsNotFound(err) {
			errs = append(errs, c.apiError("deleting "+what, err))
		}
	}
	name, ns, opts := c.k.Name, c.k.Namespace, metav1.DeleteOptions{}
	del(c.made.pod, "the scheduler's pod", func() error { return api.Pods(ns).Delete(ctx, name+"-scheduler", opts) })
	del(c.made.service, "the scheduler's Service", func() error { return api.Services(ns).Delete(ctx, name+"-scheduler", opts) })
	del(c.made.secret, "the token's Secret", func() error { return api.Secrets(ns).Delete(ctx, name+"-token", opts) })
	c.log.Info("dusk kube: deleted the cluster")
	return errors.Join(errs...)
}
