// Package kubernetes holds the manifests of a dusk cluster on Kubernetes;
// its test checks them offline, as strictly as the API server's schema
// would (every field known and of its type) and against the dusk
// command's own flags.
package kubernetes_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
)

// strict decodes v (YAML as generic values) into out, refusing unknown
// fields.
func strict(v any, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(out)
}

func TestManifestsAreValid(t *testing.T) {
	f, err := os.Open("cluster.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	deployments := map[string]*appsv1.Deployment{}
	services := map[string]*corev1.Service{}
	dec := yaml.NewDecoder(f)
	for {
		var doc map[string]any
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		switch doc["kind"] {
		case "Deployment":
			var d appsv1.Deployment
			if err := strict(doc, &d); err != nil {
				t.Fatalf("Deployment: %v", err)
			}
			deployments[d.Name] = &d
		case "Service":
			var s corev1.Service
			if err := strict(doc, &s); err != nil {
				t.Fatalf("Service: %v", err)
			}
			services[s.Name] = &s
		default:
			t.Fatalf("unexpected kind %v", doc["kind"])
		}
	}
	sched, workers, svc := deployments["dusk-scheduler"], deployments["dusk-worker"], services["dusk-scheduler"]
	if sched == nil || workers == nil || svc == nil {
		t.Fatalf("want the scheduler's Deployment and Service and the workers' Deployment; have %v %v", deployments, services)
	}
	for _, d := range []*appsv1.Deployment{sched, workers} {
		tmpl := d.Spec.Template
		for k, v := range d.Spec.Selector.MatchLabels {
			if tmpl.Labels[k] != v {
				t.Errorf("%s: the selector %s=%s does not match the pod's labels %v", d.Name, k, v, tmpl.Labels)
			}
		}
		c := tmpl.Spec.Containers[0]
		// Every $(VAR) in the arguments is defined.
		env := map[string]bool{}
		for _, e := range c.Env {
			env[e.Name] = true
		}
		for _, a := range c.Args {
			for _, m := range regexp.MustCompile(`\$\((\w+)\)`).FindAllStringSubmatch(a, -1) {
				if !env[m[1]] {
					t.Errorf("%s: argument %q uses $(%s), which no env entry defines", d.Name, a, m[1])
				}
			}
		}
		// The token file is where the Secret is mounted, owner-only.
		tokenFile := argAfter(c.Args, "--token-file")
		mounted := false
		for _, m := range c.VolumeMounts {
			if strings.HasPrefix(tokenFile, m.MountPath+"/") {
				for _, v := range tmpl.Spec.Volumes {
					if v.Name == m.Name && v.Secret != nil && v.Secret.DefaultMode != nil && *v.Secret.DefaultMode&0o077 == 0 {
						mounted = true
					}
				}
			}
		}
		if !mounted {
			t.Errorf("%s: --token-file %q is not in a Secret mounted readable by its owner only", d.Name, tokenFile)
		}
		// Every flag is one the command knows.
		checkFlags(t, d.Name, c.Args)
	}
	// The workers reach the scheduler through the Service, on its port,
	// which leads to the scheduler's container port.
	if got, want := workers.Spec.Template.Spec.Containers[0].Args[1], "tcp://dusk-scheduler:8786"; got != want {
		t.Errorf("the workers connect to %s, want %s", got, want)
	}
	ports := map[string]int32{}
	for _, p := range sched.Spec.Template.Spec.Containers[0].Ports {
		ports[p.Name] = p.ContainerPort
	}
	for _, p := range svc.Spec.Ports {
		if _, ok := ports[p.TargetPort.String()]; !ok {
			t.Errorf("the Service's port %s targets %q, which the scheduler's container does not name", p.Name, p.TargetPort.String())
		}
	}
	if ports["scheduler"] != 8786 || argAfter(sched.Spec.Template.Spec.Containers[0].Args, "--port") != "8786" {
		t.Errorf("the scheduler's container port and --port disagree: %v", ports)
	}
	if workers.Spec.Template.Spec.Containers[0].Resources.Limits.Memory().IsZero() {
		t.Error("the workers have no memory limit: --memory-limit auto would take the node's")
	}
}

func argAfter(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}

// checkFlags runs "dusk COMMAND -h" and checks that every --flag of args
// is in its list.
func checkFlags(t *testing.T, name string, args []string) {
	t.Helper()
	cmd := exec.Command("go", "run", "-tags", "duckdb_arrow", "../../cmd/dusk", args[0], "-h")
	out, _ := cmd.CombinedOutput() // -h exits 0 or 2
	known := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s+-([a-z0-9-]+)`).FindAllStringSubmatch(string(out), -1) {
		known[m[1]] = true
	}
	if len(known) == 0 {
		t.Fatalf("dusk %s -h listed no flags:\n%s", args[0], out)
	}
	for _, a := range args[1:] {
		if f, ok := strings.CutPrefix(a, "--"); ok {
			f, _, _ = strings.Cut(f, "=")
			if !known[f] {
				t.Errorf("%s: dusk %s has no flag --%s", name, args[0], f)
			}
		}
	}
}
