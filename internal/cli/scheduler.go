package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/dusk-go/dusk/advisor"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/scheduler"
	"github.com/dusk-go/dusk/wire"
)

// Scheduler is "dusk scheduler": it serves a scheduler until SIGTERM or
// SIGINT. version is the program's dusk version.
func Scheduler(args []string, version string) error {
	fs := flag.NewFlagSet("dusk scheduler", flag.ExitOnError)
	logLevel := fs.String("log-level", "info", "log level: debug, info, warn, error")
	host := fs.String("host", "", "host or IP to listen on, replacing the host of --address (0.0.0.0: every interface)")
	port := fs.Int("port", -1, "port to listen on, replacing the port of --address (0: any free port)")
	schedFile := fs.String("scheduler-file", "", "write the scheduler's address to this file (JSON), for workers and clients to read (--scheduler-file, dusk.SchedulerFile)")
	cfg, err := LoadConfig(fs, args, append([]string{
		"scheduler.address", "scheduler.dashboard-address", "scheduler.worker-saturation", "scheduler.work-stealing", "scheduler.bandwidth",
		"scheduler.allowed-failures", "scheduler.worker-ttl", "scheduler.events.capacity", "scheduler.events.record", "scheduler.client-ttl",
		"scheduler.state-directory", "scheduler.gc-heap-floor"},
		SecurityKeys...)...)
	if err != nil {
		return err
	}
	sec, tokenNote, err := schedulerSecurity(cfg)
	if err != nil {
		return err
	}
	log := NewLogger(*logLevel)
	// The dashboard serves at scheduler.dashboard-address ("" turns it
	// off), behind the token.
	opts := scheduler.OptionsFromConfig(cfg)
	opts.Security, opts.Logger, opts.Version, opts.Advise = sec, log, version, advisor.ForDashboard
	srv, err := scheduler.New(opts)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	addr, err := ListenAddress(cfg.String("scheduler.address"), *host, *port)
	if err != nil {
		return err
	}
	l, err := wire.ListenAddr(ctx, addr)
	if err != nil {
		return err
	}
	srv.Serve(l)
	if *schedFile != "" {
		f := wire.SchedulerFile{ID: srv.ID(), Address: "tcp://" + srv.Address(), Dashboard: srv.DashboardURL()}
		if err := wire.WriteSchedulerFile(*schedFile, f); err != nil {
			_ = srv.Close()
			return fmt.Errorf("dusk scheduler: %w", err)
		}
	}
	fmt.Printf("dusk scheduler at tcp://%s\n", srv.Address())
	if u := srv.DashboardURL(); u != "" {
		fmt.Printf("dashboard: %s?token=%s\n", u, sec.Token)
	}
	if tokenNote != "" {
		fmt.Println(tokenNote)
	}
	<-ctx.Done()
	log.Info("scheduler stopping")
	return srv.Close()
}

// ListenAddress returns address with its host replaced by host and its
// port by port, where they are given (host not empty, port not negative).
func ListenAddress(address, host string, port int) (string, error) {
	if host == "" && port < 0 {
		return address, nil
	}
	h, p, err := net.SplitHostPort(strings.TrimPrefix(address, "tcp://"))
	if err != nil {
		return "", fmt.Errorf("dusk scheduler: scheduler.address %q is not host:port: %w", address, err)
	}
	if host != "" {
		h = host
	}
	if port >= 0 {
		if port > 65535 {
			return "", fmt.Errorf("dusk scheduler: --port %d is not a port (0 to 65535)", port)
		}
		p = strconv.Itoa(port)
	}
	return net.JoinHostPort(h, p), nil
}

// schedulerSecurity returns the scheduler's security settings, with a
// fresh token when none is given, written to the token file when one is
// named that does not exist yet; the note says what the user needs to
// know about the token, if anything.
func schedulerSecurity(cfg *config.Config) (sec wire.Security, note string, err error) {
	sec, err = Security(cfg)
	switch {
	case err == nil && sec.Token != "":
		return sec, "", nil
	case err == nil:
		sec.Token = wire.NewToken()
		return sec, fmt.Sprintf("token: %s\n(workers and clients need it: --token-file, DUSK_TOKEN or --token)", sec.Token), nil
	case !errors.Is(err, fs.ErrNotExist):
		return sec, "", err
	}
	sec.Token = wire.NewToken()
	if err := WriteNewFile(sec.TokenFile, []byte(sec.Token+"\n"), 0o600, false); err != nil {
		return sec, "", fmt.Errorf("dusk scheduler: writing the token: %w", err)
	}
	return sec, fmt.Sprintf("token written to %s (readable by you only); workers and clients read it with --token-file %s", sec.TokenFile, sec.TokenFile), nil
}
