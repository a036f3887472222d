// Command dusk runs dusk's parts: a scheduler, a worker, the quickstart
// demonstration, and tools.
//
//	dusk quickstart                 run a small workload on a local cluster
//	dusk scheduler [flags]          serve a scheduler
//	dusk worker [flags] ADDRESS     serve a worker (under a nanny by default)
//	dusk config                     print the effective configuration
//	dusk report [flags] [-- CMD]    write a performance report of a running cluster
//	dusk doctor [flags]             describe a running cluster and what the advisor finds
//	dusk cert ca|issue [flags]      make a CA and certificates for mutual TLS
package main

import (
	"fmt"
	"os"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/internal/cli"
)

const usage = `dusk: a distributed computing engine for Go

usage:
  dusk quickstart                run a small workload on an embedded local cluster
  dusk scheduler [flags]         serve a scheduler (prints its address and token)
  dusk worker [flags] ADDRESS    serve a worker for the scheduler at ADDRESS
  dusk config                    print the effective configuration and where each value comes from
  dusk report [flags] [-- CMD]   record a running cluster (for a while, or while CMD runs) into report.html
  dusk doctor [flags]            describe a running cluster and apply the optimization guide to what it did lately
  dusk ssh [flags] HOST...       start a scheduler and workers on hosts over SSH (--scheduler HOST)
  dusk slurm [flags]             submit workers of a scheduler as Slurm batch jobs; Ctrl-C cancels them
  dusk kube --image IMG [flags]  start a cluster on Kubernetes (scheduler and worker pods); Ctrl-C deletes it
  dusk cert ca|issue [flags]     make a certificate authority, and certificates it signs, for mutual TLS
  dusk version                   print the version

"dusk COMMAND -h" lists a command's flags. Every flag can also be set in a
YAML file (DUSK_CONFIG or ./dusk.yaml) or a DUSK_ environment variable;
"dusk config" shows which. Tokens and TLS: docs/security.md.
`

func main() {
	dusk.Main() // dusk scheduler, dusk worker, and worker processes of a local cluster
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	args := os.Args[2:]
	var err error
	switch os.Args[1] {
	case "quickstart":
		err = quickstart(args)
	case "config":
		err = cli.Config(args)
	case "report":
		err = reportCmd(args)
	case "doctor":
		err = doctorCmd(args)
	case "cert":
		err = certCmd(args)
	case "ssh":
		err = sshCmd(args)
	case "slurm":
		err = slurmCmd(args)
	case "kube":
		err = kubeCmd(args)
	case "version":
		fmt.Println("dusk", dusk.Version)
	case "-h", "--help", "help":
		fmt.Print(usage)
	default:
		fmt.Fprintf(os.Stderr, "dusk: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
