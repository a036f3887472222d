package worker

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/worker/store"
)

// serveMetrics serves the worker's Prometheus metrics at /metrics and Go's
// pprof endpoints under /debug/pprof/ on Options.MetricsAddress, behind
// the cluster's token (wire.HTTPAuth) and over HTTPS when TLS is
// configured, until the returned stop is called. With no address it
// does nothing: the listener is off unless configured
// (worker.metrics-address). A local cluster's in-process workers leave it
// off, since the scheduler's dashboard in the same process already serves
// the process's pprof and metrics.
func (w *Worker) serveMetrics() (stop func()) {
	l := w.metricsL
	if l == nil {
		return func() {}
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&workerCollector{w: w})
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: wire.HTTPAuth(w.opts.Security.Token, mux), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			w.log.Error("metrics listener stopped", "err", err)
		}
	}()
	w.log.Info("worker metrics serving", "url", w.metricsURL)
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			_ = srv.Close()
		}
		<-done
	}
}

// listenMetrics opens the metrics listener, if an address is configured.
func (w *Worker) listenMetrics() error {
	if w.opts.MetricsAddress == "" {
		return nil
	}
	l, err := w.opts.Security.ListenHTTP(context.Background(), w.opts.MetricsAddress)
	if err != nil {
		return fmt.Errorf("dusk: worker metrics: %w", err)
	}
	w.metricsL = l
	w.metricsURL = wire.HTTPURL(l)
	return nil
}

// MetricsURL returns where the worker serves its metrics and pprof
// ("http://host:port/", or https with TLS), or "" when it serves none.
func (w *Worker) MetricsURL() string { return w.metricsURL }

var (
	wDescMemory = prometheus.NewDesc("dusk_worker_memory_bytes", "The worker's memory by kind: managed, unmanaged.", []string{"kind"}, nil)
	wDescLimit  = prometheus.NewDesc("dusk_worker_memory_limit_bytes", "The worker's memory limit (0: none).", nil, nil)
	wDescTasks  = prometheus.NewDesc("dusk_worker_tasks", "Tasks on the worker by state: executing, ready.", []string{"state"}, nil)
	wDescKeys   = prometheus.NewDesc("dusk_worker_stored_keys", "Values the worker holds.", nil, nil)
	wDescBytes  = prometheus.NewDesc("dusk_worker_transfer_bytes_total", "Bytes received from and sent to peers.", []string{"direction"}, nil)
	wDescThread = prometheus.NewDesc("dusk_worker_threads", "Tasks the worker runs at once.", nil, nil)
	wDescPaused = prometheus.NewDesc("dusk_worker_paused", "1 when the worker is paused for memory.", nil, nil)
)

// workerCollector reads the worker's state when Prometheus scrapes.
type workerCollector struct{ w *Worker }

func (c *workerCollector) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(c, ch) }

func (c *workerCollector) Collect(ch chan<- prometheus.Metric) {
	w := c.w
	rss, _ := store.ProcSample()
	managed := w.store.Managed()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	gauge(wDescMemory, float64(managed), "managed")
	gauge(wDescMemory, float64(max(rss-managed, 0)), "unmanaged")
	gauge(wDescLimit, float64(w.opts.MemoryLimit))
	gauge(wDescKeys, float64(w.store.Len()))
	gauge(wDescThread, float64(w.opts.NThreads))
	w.mu.Lock()
	executing, ready, paused := 0, 0, false
	if w.st != nil {
		executing, ready, paused = w.st.Executing(), w.st.NReady(), w.st.Paused()
	}
	w.mu.Unlock()
	gauge(wDescTasks, float64(executing), "executing")
	gauge(wDescTasks, float64(ready), "ready")
	p := 0.0
	if paused {
		p = 1
	}
	gauge(wDescPaused, p)
	ch <- prometheus.MustNewConstMetric(wDescBytes, prometheus.CounterValue, float64(w.bytesIn.Load()), "in")
	ch <- prometheus.MustNewConstMetric(wDescBytes, prometheus.CounterValue, float64(w.bytesOut.Load()), "out")
}
