package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/dusk-go/dusk/cluster"
	"github.com/dusk-go/dusk/cluster/kube"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/internal/cli"
)

// kubeCmd is "dusk kube": it starts a cluster on Kubernetes (the
// scheduler's pod and Service, worker pods) and deletes it when it is
// interrupted.
func kubeCmd(args []string) error {
	fs := flag.NewFlagSet("dusk kube", flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: dusk kube --image IMAGE [flags] [-- WORKER-FLAGS]\n")
		fs.PrintDefaults()
	}
	kubeconfig := fs.String("kubeconfig", "", "the kubeconfig file (default: $KUBECONFIG, ~/.kube/config, or the pod's service account)")
	namespace := fs.String("namespace", "default", "the namespace of the cluster's objects")
	name := fs.String("name", "dusk", "the prefix of the objects' names (NAME-scheduler, NAME-worker-..., NAME-token)")
	image := fs.String("image", "", "the image of the program (deploy/Dockerfile builds one)")
	command := fs.String("command", "/usr/local/bin/dusk", "the program in the image; it must call dusk.Main first")
	pull := fs.String("image-pull-policy", "", "Always, IfNotPresent or Never (default: Kubernetes's)")
	workers := fs.Int("workers", 1, "how many worker pods to start")
	cores := fs.Int("cores", 1, "CPUs of a worker pod, its threads")
	memory := fs.String("memory", "", "memory of a worker pod, its memory limit, as 4GiB (default: none)")
	port := fs.Int("port", 8786, "the scheduler's port")
	dashboard := fs.Int("dashboard-port", 8787, "the dashboard's port")
	host := fs.String("scheduler-host", "", "where workers and clients reach the scheduler (default: its Service's DNS name)")
	tokenFile := fs.String("token-file", "", "file with the cluster's token, written with a fresh one if it does not exist (default: a fresh token, kept in the Secret NAME-token only)")
	adaptMin := fs.Int("adapt-min", 0, "with --adapt-max: the fewest worker pods")
	adaptMax := fs.Int("adapt-max", 0, "adapt the number of worker pods to the work, up to this many (0: --workers, fixed); needs the scheduler reachable from here (--scheduler-host)")
	timeout := fs.Duration("timeout", 5*time.Minute, "how long to wait for the scheduler's pod to run")
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	args, workerArgs := splitWorkerArgs(args)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("dusk kube: unexpected arguments %q (worker flags go after --)", fs.Args())
	}
	if *image == "" {
		return errors.New("dusk kube: give --image: the image of your program (deploy/Dockerfile builds one)")
	}
	client, err := kube.Client(*kubeconfig)
	if err != nil {
		return err
	}
	s := kube.Spec{
		Client: client, Namespace: *namespace, Name: *name, Image: *image, Command: strings.Fields(*command),
		ImagePullPolicy: corev1.PullPolicy(*pull), SchedulerPort: *port, DashboardPort: *dashboard,
		SchedulerHost: *host, Cores: *cores, WorkerArgs: workerArgs, Logger: cli.NewLogger(*logLevel),
	}
	if *memory != "" {
		if s.Memory, err = config.ParseBytes(*memory); err != nil {
			return fmt.Errorf("dusk kube: --memory %q: %w", *memory, err)
		}
	}
	if *tokenFile != "" {
		if s.Token, _, err = cli.TokenFromFile(*tokenFile); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	n := *workers
	if *adaptMax > 0 {
		n = max(*adaptMin, 1)
	}
	sctx, cancel := context.WithTimeout(ctx, *timeout)
	c, err := s.Start(sctx, n)
	cancel()
	if err != nil {
		return err
	}
	fmt.Printf("dusk kube: scheduler at %s, %d worker pods\n", c.Address(), n)
	fmt.Printf("token: in the Secret %s-token (kubectl get secret %s-token -n %s -o jsonpath={.data.token} | base64 -d)\n", *name, *name, *namespace)
	fmt.Printf("from outside the cluster: kubectl port-forward -n %s service/%s-scheduler %d %d\n", *namespace, *name, *port, *dashboard)
	adapted := make(chan error, 1)
	if *adaptMax > 0 {
		go func() {
			adapted <- c.Adapt(ctx, cluster.AdaptOptions{Minimum: *adaptMin, Maximum: *adaptMax})
		}()
	} else {
		adapted <- nil
	}
	<-ctx.Done()
	<-adapted
	fmt.Println("dusk kube: deleting the cluster")
	dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return c.Close(dctx)
}
