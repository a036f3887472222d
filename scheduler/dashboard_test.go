package scheduler_test

import (
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/internal/testpki"
	"github.com/dusk-go/dusk/scheduler"
	"github.com/dusk-go/dusk/wire"
)

// serveScheduler starts a scheduler with sec and a dashboard on a free
// port of 127.0.0.1.
func serveScheduler(t *testing.T, sec wire.Security) *scheduler.Server {
	t.Helper()
	return serveSchedulerWith(t, scheduler.Options{Security: sec, DashboardAddress: "127.0.0.1:0"})
}

// serveSchedulerWith starts a scheduler with opts (its log discarded) on
// a free port of 127.0.0.1, closed when the test ends.
func serveSchedulerWith(t *testing.T, opts scheduler.Options) *scheduler.Server {
	t.Helper()
	opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := scheduler.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	l, err := wire.Listen(t.Context(), "127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	s.Serve(l)
	t.Cleanup(func() { s.Close() })
	return s
}

// With TLS, the dashboard, its metrics and pprof serve HTTPS with the
// scheduler's certificate, behind the token.
func TestDashboardServesHTTPSWithTLS(t *testing.T) {
	ca := testpki.New(t, "cluster CA")
	s := serveScheduler(t, ca.Security("tok", "scheduler"))
	ca.CheckHTTPS(s.DashboardURL(), "tok", "", "api/snapshot", "metrics", "debug/pprof/")
}

// Without TLS, the dashboard stays HTTP.
func TestDashboardServesHTTPWithoutTLS(t *testing.T) {
	s := serveScheduler(t, wire.Security{Token: "tok"})
	if u := s.DashboardURL(); !strings.HasPrefix(u, "http://127.0.0.1:") {
		t.Fatalf("dashboard URL %q", u)
	}
}
