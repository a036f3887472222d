package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/dusk-go/dusk/internal/cli"
	"github.com/dusk-go/dusk/wire"
)

const certUsage = `usage:
  dusk cert ca [--out DIR] [--days N] [--force]
  dusk cert issue --name NAME [--host HOSTS] [--ca DIR] [--out DIR] [--days N] [--force]

Makes the files of a cluster's mutual TLS, with ECDSA P-256 keys:

  ca     a certificate authority: DIR/ca.pem, the certificate every process
         of the cluster trusts (--tls-ca), and DIR/ca-key.pem, the key that
         signs certificates: keep it secret, and off the cluster if you can.
  issue  a certificate signed by the CA in --ca, and its key:
         DIR/NAME.pem (--tls-cert) and DIR/NAME-key.pem (--tls-key).
         --host lists the IP addresses and DNS names peers dial the process
         by: for a scheduler, the address workers and clients dial; for a
         worker, the host it listens on (dusk worker --host); a client
         needs none. Every certificate serves both ends of a connection.

Keys are written readable by their owner only (mode 0600). No file is
overwritten unless --force is given.

  dusk cert ca --out tls/
  dusk cert issue --ca tls/ --out tls/ --name scheduler --host 10.0.0.5,sched.example
  dusk cert issue --ca tls/ --out tls/ --name worker-1 --host 10.0.0.6
  dusk cert issue --ca tls/ --out tls/ --name alice
  dusk scheduler --host 10.0.0.5 --tls-cert tls/scheduler.pem --tls-key tls/scheduler-key.pem --tls-ca tls/ca.pem

See docs/security.md.
`

func certCmd(args []string) error {
	if len(args) == 0 || (args[0] != "ca" && args[0] != "issue") {
		fmt.Fprint(os.Stderr, certUsage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return errors.New(`dusk cert: give "ca" or "issue"`)
	}
	fs := flag.NewFlagSet("dusk cert "+args[0], flag.ExitOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), certUsage+"\nflags:\n")
		fs.PrintDefaults()
	}
	out := fs.String("out", ".", "directory to write the files to (made if missing)")
	force := fs.Bool("force", false, "replace files that exist")
	if args[0] == "ca" {
		days := fs.Int("days", 3650, "days the CA is valid")
		if err := parseAll(fs, args[1:]); err != nil {
			return err
		}
		return certCA(*out, *days, *force)
	}
	name := fs.String("name", "", "the certificate's name (its files are NAME.pem and NAME-key.pem): scheduler, worker-1, alice, ...")
	hosts := fs.String("host", "", "comma-separated IP addresses and DNS names peers dial the process by")
	caDir := fs.String("ca", ".", "directory of the CA (ca.pem and ca-key.pem)")
	days := fs.Int("days", 365, "days the certificate is valid")
	if err := parseAll(fs, args[1:]); err != nil {
		return err
	}
	return certIssue(*caDir, *out, *name, *hosts, *days, *force)
}

// parseAll parses args and refuses positional arguments.
func parseAll(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("%s: unexpected %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// certCA makes a CA in dir.
func certCA(dir string, days int, force bool) error {
	if days <= 0 {
		return fmt.Errorf("dusk cert ca: --days %d: give a positive number", days)
	}
	// A random part tells this CA from others in logs and errors.
	ca, err := wire.NewCA("dusk CA "+wire.NewToken()[:8], time.Duration(days)*24*time.Hour)
	if err != nil {
		return err
	}
	key, err := ca.KeyPEM()
	if err != nil {
		return err
	}
	certFile, keyFile := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "ca-key.pem")
	if err := writeAll(dir, force, []pemFile{{certFile, ca.CertPEM(), 0o644}, {keyFile, key, 0o600}}); err != nil {
		return fmt.Errorf("dusk cert ca: %w", err)
	}
	fmt.Printf("wrote %s, the CA's certificate: every process trusts it (--tls-ca %s)\n", certFile, certFile)
	fmt.Printf("wrote %s, the CA's key: keep it secret; \"dusk cert issue --ca %s\" signs certificates with it\n", keyFile, dir)
	return nil
}

// certName is what a certificate's name may be: it names its files.
var certName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// certIssue makes a certificate named name for hosts, signed by the CA
// in caDir, in outDir.
func certIssue(caDir, outDir, name, hosts string, days int, force bool) error {
	switch {
	case name == "":
		return errors.New("dusk cert issue: give the certificate a --name (scheduler, worker-1, alice, ...)")
	case !certName.MatchString(name):
		return fmt.Errorf("dusk cert issue: --name %q: use letters, digits, '.', '_' and '-' (it names the files)", name)
	case name == "ca":
		return errors.New(`dusk cert issue: --name ca would be the CA's own files; choose another name`)
	case days <= 0:
		return fmt.Errorf("dusk cert issue: --days %d: give a positive number", days)
	}
	caCert, err := os.ReadFile(filepath.Join(caDir, "ca.pem"))
	if err != nil {
		return fmt.Errorf("dusk cert issue: reading the CA (make one with \"dusk cert ca --out %s\"): %w", caDir, err)
	}
	caKey, err := os.ReadFile(filepath.Join(caDir, "ca-key.pem"))
	if err != nil {
		return fmt.Errorf("dusk cert issue: reading the CA's key: %w", err)
	}
	ca, err := wire.ParseCA(caCert, caKey)
	if err != nil {
		return fmt.Errorf("%w (in %s)", err, caDir)
	}
	var hostList []string
	for _, h := range strings.Split(hosts, ",") {
		if h = strings.TrimSpace(h); h != "" {
			hostList = append(hostList, h)
		}
	}
	validFor := time.Duration(days) * 24 * time.Hour
	cert, key, err := ca.Issue(name, hostList, validFor)
	if err != nil {
		return err
	}
	certFile, keyFile := filepath.Join(outDir, name+".pem"), filepath.Join(outDir, name+"-key.pem")
	if err := writeAll(outDir, force, []pemFile{{certFile, cert, 0o644}, {keyFile, key, 0o600}}); err != nil {
		return fmt.Errorf("dusk cert issue: %w", err)
	}
	reach := "no hosts: it can only dial, as a client does"
	if len(hostList) > 0 {
		reach = "hosts " + strings.Join(hostList, ", ")
	}
	fmt.Printf("wrote %s and %s: %q, %s, valid until %s\n", certFile, keyFile, name, reach,
		time.Now().Add(validFor).Format(time.DateOnly))
	fmt.Printf("use: --tls-cert %s --tls-key %s --tls-ca %s\n", certFile, keyFile, filepath.Join(caDir, "ca.pem"))
	return nil
}

// pemFile is a file to write.
type pemFile struct {
	path string
	data []byte
	perm fs.FileMode
}

// writeAll writes files into dir (made, for its owner only, if missing).
// Unless force, it first checks that none exists, so that it writes all
// or none.
func writeAll(dir string, force bool, files []pemFile) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	if !force {
		for _, f := range files {
			if _, err := os.Lstat(f.path); err == nil {
				return fmt.Errorf("%s exists; nothing was written (give --force to replace it)", f.path)
			}
		}
	}
	for _, f := range files {
		if err := cli.WriteNewFile(f.path, f.data, f.perm, force); err != nil {
			return err
		}
	}
	return nil
}
