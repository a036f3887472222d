package cluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dusk-go/dusk/registry"
	"github.com/dusk-go/dusk/wire"
)

// SSH starts a cluster on other machines over SSH (Dask's dask-ssh): the
// program's own binary (or Binary) is copied to every host once (kept
// under RemoteDir by its SHA-256, so a host that has it is not sent it
// again, and checked after the copy), the scheduler runs on one host and a
// worker under its nanny on each of the others, their output streams back
// prefixed by host, and Close stops them all. It uses the system's ssh
// client, so ~/.ssh/config, keys and agents work as for any ssh command;
// the hosts need a POSIX shell, cat and sha256sum (no sftp). Every host must be able to run
// the binary (same operating system and architecture).
type SSH struct {
	// Scheduler is the host the scheduler runs on ("host", "user@host" or
	// an alias of ~/.ssh/config); workers and clients reach it at its host
	// part, on Port.
	Scheduler string
	// Workers are the hosts a worker runs on, one each (give a host twice
	// for two workers, or --nworkers in WorkerArgs).
	Workers []string
	// Port is the scheduler's port (default 8786).
	Port int
	// SchedulerArgs and WorkerArgs are more flags of the scheduler and
	// worker commands (as "--nthreads", "4").
	SchedulerArgs, WorkerArgs []string
	// Binary is the program to run on the hosts (default: this one); it
	// must call dusk.Main first, as the dusk command does.
	Binary string
	// RemoteDir is the directory on each host for the binary and the
	// token file (default ".dusk", under the remote home).
	RemoteDir string
	// SSHOptions are given to every ssh command (as "-i", "key",
	// "-o", "StrictHostKeyChecking=accept-new").
	SSHOptions []string
	// Token is the cluster's token (default: a fresh one); it travels to
	// the hosts in a file readable by its owner only, never on a command
	// line.
	Token string
	// Output receives the remote processes' output, a line at a time
	// prefixed by host (default: standard error).
	Output io.Writer
	// Logger receives what the launcher does.
	Logger *slog.Logger
	// Adapt, if set, makes the cluster adaptive: Workers is the pool of
	// hosts workers start on (in turn), the cluster starts with
	// Adapt.Minimum workers (at least one) and follows the scheduler's
	// recommendation between Adapt.Minimum and Adapt.Maximum (see Adapt).
	Adapt *AdaptOptions
}

// SSHCluster is a cluster SSH started. It is a Launcher: more workers
// start on its worker hosts in turn.
type SSHCluster struct {
	address     string
	token       string
	s           SSH
	remoteBin   string
	remoteToken string
	remote      *RemoteScheduler // for adapting; nil otherwise
	stopAdapt   context.CancelFunc
	adapted     chan struct{} // closed when the adaptive loop ended

	mu      sync.Mutex // protects the fields below
	sched   *remoteProc
	workers []*remoteProc
	next    int     // the number of the next worker
	members Members // which workers count for the size
}

// remoteProc is a process started on a host, with the ssh session that
// started it.
type remoteProc struct {
	host string
	name string // a worker's name
	pid  int
	cmd  *exec.Cmd
	done chan struct{} // closed when the ssh session ended
}

// Address returns the scheduler's address, as tcp://host:port.
func (c *SSHCluster) Address() string { return c.address }

// Token returns the cluster's token.
func (c *SSHCluster) Token() string { return c.token }

// Start copies the binary, starts the scheduler and then the workers, and
// returns once each said it is serving. On an error everything started is
// stopped.
func (s SSH) Start(ctx context.Context) (*SSHCluster, error) {
	if s.Scheduler == "" || len(s.Workers) == 0 {
		return nil, errors.New("dusk ssh: give a scheduler host and at least one worker host")
	}
	if s.Port == 0 {
		s.Port = 8786
	}
	if s.RemoteDir == "" {
		s.RemoteDir = ".dusk"
	}
	if s.Output == nil {
		s.Output = os.Stderr
	}
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.Token == "" {
		s.Token = wire.NewToken()
	}
	if s.Binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("dusk ssh: finding this program: %w", err)
		}
		s.Binary = exe
	}
	sum, err := registry.FileSHA256(s.Binary)
	if err != nil {
		return nil, fmt.Errorf("dusk ssh: %w", err)
	}
	remoteBin := path.Join(s.RemoteDir, filepath.Base(s.Binary)+"-"+sum[:16])
	remoteToken := path.Join(s.RemoteDir, "token")

	// Copy the binary and the token to every host, in parallel.
	hosts := unique(append([]string{s.Scheduler}, s.Workers...))
	errs := make([]error, len(hosts))
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Go(func() { errs[i] = s.prepare(ctx, h, remoteBin, sum, remoteToken) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	c := &SSHCluster{token: s.Token, s: s, remoteBin: remoteBin, remoteToken: remoteToken}
	schedHost := hostPart(s.Scheduler)
	args := append([]string{"scheduler", "--host", schedHost, "--port", strconv.Itoa(s.Port), "--token-file", remoteToken}, s.SchedulerArgs...)
	p, line, err := c.run(ctx, s.Scheduler, remoteBin, args, "dusk scheduler at ")
	c.sched = p
	if err != nil {
		c.Close()
		return nil, err
	}
	c.address = strings.TrimPrefix(line, "dusk scheduler at ")
	n := len(s.Workers)
	if s.Adapt != nil {
		n = max(s.Adapt.Minimum, 1)
	}
	if err := c.Launch(ctx, n); err != nil {
		c.Close()
		return nil, err
	}
	if s.Adapt != nil {
		o := *s.Adapt
		if o.Logger == nil {
			o.Logger = s.Logger
		}
		if err := o.defaults(); err != nil {
			c.Close()
			return nil, err
		}
		if c.remote, err = DialScheduler(c.address, wire.Security{Token: s.Token}); err != nil {
			c.Close()
			return nil, err
		}
		actx, cancel := context.WithCancel(context.Background())
		c.stopAdapt, c.adapted = cancel, make(chan struct{})
		go func() { defer close(c.adapted); _ = Adapt(actx, c.remote, c, o) }()
	}
	return c, nil
}

// Launch starts n more workers on the worker hosts, in turn.
func (c *SSHCluster) Launch(ctx context.Context, n int) error {
	for range n {
		c.mu.Lock()
		i := c.next
		c.next++
		c.mu.Unlock()
		h := c.s.Workers[i%len(c.s.Workers)]
		name := fmt.Sprintf("%s-%d", hostPart(h), i)
		args := append([]string{"worker", c.address, "--host", hostPart(h), "--token-file", c.remoteToken, "--name", name}, c.s.WorkerArgs...)
		p, _, err := c.run(ctx, h, c.remoteBin, args, "dusk worker at ")
		if p != nil {
			p.name = name
			c.mu.Lock()
			c.workers = append(c.workers, p)
			c.mu.Unlock()
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// Launched returns how many workers count for the cluster's size: their
// process runs, and they are starting, or joined and neither retiring nor
// gone from the scheduler.
func (c *SSHCluster) Launched(ctx context.Context) (int, error) {
	if c.remote == nil {
		return 0, errors.New("dusk ssh: the cluster is not adaptive")
	}
	status, err := c.remote.Statuses(ctx)
	if err != nil {
		return 0, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, p := range c.workers {
		select {
		case <-p.done: // its process ended
		default:
			if c.members.Counts(p.name, status) {
				n++
			}
		}
	}
	return n, nil
}

// prepare makes sure host has the binary (by its SHA-256) and the token.
func (s SSH) prepare(ctx context.Context, host, remoteBin, sum, remoteToken string) error {
	dir := shellQuote(s.RemoteDir)
	// The token goes through stdin into a file only its owner reads.
	setup := fmt.Sprintf("umask 077 && mkdir -p %s && cat > %s && if [ -x %s ]; then echo have; else echo need; fi",
		dir, shellQuote(remoteToken), shellQuote(remoteBin))
	out, err := s.ssh(ctx, host, strings.NewReader(s.Token+"\n"), setup)
	if err != nil {
		return err
	}
	if strings.TrimSpace(out) == "have" {
		s.Logger.Info("dusk ssh: the host has the binary", "host", host, "sha256", sum[:16])
		return nil
	}
	// A copy of its own per host: hosts may share the directory (an NFS
	// home), and renaming into place is atomic.
	tmp := remoteBin + ".part-" + hostPart(host)
	// Streamed through ssh itself: the host needs no sftp server.
	f, err := os.Open(s.Binary)
	if err != nil {
		return fmt.Errorf("dusk ssh: %w", err)
	}
	_, err = s.ssh(ctx, host, f, "cat > "+shellQuote(tmp))
	f.Close()
	if err != nil {
		return fmt.Errorf("dusk ssh: copying %s to %s: %w", s.Binary, host, err)
	}
	check := fmt.Sprintf("sha256sum %s | cut -d' ' -f1", shellQuote(tmp))
	got, err := s.ssh(ctx, host, nil, check)
	if err != nil {
		return err
	}
	if strings.TrimSpace(got) != sum {
		_, _ = s.ssh(ctx, host, nil, "rm -f "+shellQuote(tmp))
		return fmt.Errorf("dusk ssh: the copy of %s on %s has SHA-256 %s, not %s: the transfer was damaged; try again", s.Binary, host, strings.TrimSpace(got), sum)
	}
	if _, err := s.ssh(ctx, host, nil, fmt.Sprintf("chmod 700 %s && mv %s %s", shellQuote(tmp), shellQuote(tmp), shellQuote(remoteBin))); err != nil {
		return err
	}
	s.Logger.Info("dusk ssh: copied the binary", "host", host, "sha256", sum[:16])
	return nil
}

// ssh runs a shell command on host and returns its standard output.
func (s SSH) ssh(ctx context.Context, host string, stdin io.Reader, command string) (string, error) {
	cmd := exec.CommandContext(ctx, "ssh", append(append([]string{}, s.SSHOptions...), host, command)...)
	cmd.Stdin = stdin
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("dusk ssh: on %s: %q: %v: %s", host, command, err, strings.TrimSpace(stderr.String()))
	}
	return string(out), nil
}

// run starts bin with args on host and waits until it prints a line that
// starts with ready, which it returns. Its other lines go to Output.
func (c *SSHCluster) run(ctx context.Context, host, bin string, args []string, ready string) (*remoteProc, string, error) {
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = shellQuote(a)
	}
	// The remote shell says its process ID, then becomes the program:
	// Close stops it by that ID (a session without a terminal does not
	// pass a hang-up on).
	command := "echo dusk-pid $$; exec " + shellQuote(bin) + " " + strings.Join(quoted, " ")
	cmd := exec.Command("ssh", append(append([]string{}, c.s.SSHOptions...), host, command)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, "", err
	}
	if err := cmd.Start(); err != nil {
		return nil, "", fmt.Errorf("dusk ssh: starting ssh to %s: %w", host, err)
	}
	p := &remoteProc{host: host, cmd: cmd, done: make(chan struct{})}
	prefix := "[" + host + "] "
	go c.copyLines(stderr, prefix)
	lines := make(chan string, 1)
	pids := make(chan int, 1)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		found := false
		for sc.Scan() {
			l := sc.Text()
			if pid, ok := strings.CutPrefix(l, "dusk-pid "); ok {
				if n, err := strconv.Atoi(pid); err == nil {
					pids <- n
				}
				continue
			}
			if !found && strings.HasPrefix(l, ready) {
				found = true
				lines <- l
			}
			fmt.Fprintln(c.s.Output, prefix+l)
		}
	}()
	go func() { _ = cmd.Wait(); close(p.done) }()
	select {
	case pid := <-pids:
		c.mu.Lock()
		p.pid = pid
		c.mu.Unlock()
	case <-p.done:
		return p, "", fmt.Errorf("dusk ssh: %s on %s ended at once (see its output above)", args[0], host)
	case <-ctx.Done():
		return p, "", ctx.Err()
	}
	select {
	case l, ok := <-lines:
		if !ok {
			return p, "", fmt.Errorf("dusk ssh: %s on %s ended before it was ready (see its output above)", args[0], host)
		}
		c.s.Logger.Info("dusk ssh: started", "host", host, "what", args[0])
		return p, l, nil
	case <-ctx.Done():
		return p, "", ctx.Err()
	}
}

func (c *SSHCluster) copyLines(r io.Reader, prefix string) {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		fmt.Fprintln(c.s.Output, prefix+sc.Text())
	}
}

// Close stops the workers, then the scheduler (SIGTERM: workers hand their
// data over and leave), waiting up to 30 seconds for each host's process
// to end before it cuts the ssh session.
func (c *SSHCluster) Close() error {
	if c.stopAdapt != nil {
		c.stopAdapt()
		<-c.adapted
		c.stopAdapt = nil
		_ = c.remote.Close()
	}
	c.mu.Lock()
	workers, sched := c.workers, c.sched
	c.workers, c.sched = nil, nil
	c.mu.Unlock()
	var errMu sync.Mutex
	var errs []error
	stop := func(ps []*remoteProc) {
		var wg sync.WaitGroup
		for _, p := range ps {
			wg.Go(func() {
				select {
				case <-p.done:
					return // ended already (a retired worker)
				default:
				}
				// A process that ended meanwhile (a retired worker whose
				// session is closing) is not an error.
				if p.pid > 0 {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					if _, err := c.s.ssh(ctx, p.host, nil, "kill -TERM "+strconv.Itoa(p.pid)+" 2>/dev/null || true"); err != nil {
						errMu.Lock()
						errs = append(errs, err)
						errMu.Unlock()
					}
				}
				select {
				case <-p.done:
				case <-time.After(30 * time.Second):
					_ = p.cmd.Process.Kill()
					<-p.done
				}
			})
		}
		wg.Wait()
	}
	stop(workers) // the workers first
	if sched != nil {
		stop([]*remoteProc{sched})
	}
	return errors.Join(errs...)
}

// hostPart returns the host of "user@host" (an alias of ~/.ssh/config is
// taken as the host name too).
func hostPart(h string) string {
	if i := strings.LastIndexByte(h, '@'); i >= 0 {
		h = h[i+1:]
	}
	if host, _, err := net.SplitHostPort(h); err == nil {
		return host
	}
	return h
}

func unique(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=@,+", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
