package worker_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk/internal/testpki"
	"github.com/dusk-go/dusk/scheduler"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/worker"
)

func TestWorkerServesMetricsBehindTheToken(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	sec := wire.Security{Token: "metrics-token"}
	s, err := scheduler.New(scheduler.Options{Security: sec, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	l, err := wire.Listen(ctx, "127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	s.Serve(l)
	defer s.Close()
	w, err := worker.New(worker.Options{Scheduler: s.Address(), Security: sec, NThreads: 3, MemoryLimit: 1 << 30,
		MetricsAddress: "127.0.0.1:0", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() { cancel(); <-done }()

	url := w.MetricsURL()
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("metrics URL %q", url)
	}
	var body string
	for { // until Run serves
		req, _ := http.NewRequestWithContext(ctx, "GET", url+"metrics", nil)
		req.Header.Set("Authorization", "Bearer metrics-token")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				body = string(b)
				break
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("metrics never served: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	for _, want := range []string{"dusk_worker_threads 3", "dusk_worker_memory_limit_bytes 1.073741824e+09",
		`dusk_worker_memory_bytes{kind="managed"} 0`, `dusk_worker_transfer_bytes_total{direction="in"} 0`, "go_goroutines"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	for _, path := range []string{"metrics", "debug/pprof/"} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("/%s without the token: %d", path, resp.StatusCode)
		}
	}
	off, err := worker.New(worker.Options{Scheduler: s.Address(), Security: sec, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if off.MetricsURL() != "" {
		t.Errorf("a worker without an address serves metrics at %s", off.MetricsURL())
	}
}

// With TLS, a worker's metrics and pprof serve HTTPS with its certificate,
// behind the token.
func TestWorkerServesMetricsOverHTTPSWithTLS(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	ca := testpki.New(t, "cluster CA")
	s, err := scheduler.New(scheduler.Options{Security: ca.Security("tok", "scheduler"), Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	l, err := wire.Listen(ctx, "127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	s.Serve(l)
	defer s.Close()
	w, err := worker.New(worker.Options{Scheduler: s.Address(), Security: ca.Security("tok", "worker"), NThreads: 1,
		MetricsAddress: "127.0.0.1:0", Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	defer func() { cancel(); <-done }()
	for { // until the worker joined the scheduler over mutual TLS
		id, err := s.Identity(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(id.GetWorkers()) == 1 {
			break
		}
		select {
		case err := <-done:
			t.Fatalf("the worker stopped: %v", err)
		case <-time.After(10 * time.Millisecond):
		}
	}
	ca.CheckHTTPS(w.MetricsURL(), "tok", "metrics", "debug/pprof/")
}
