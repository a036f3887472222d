package dashboard

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/dusk-go/dusk/wire"
)

//go:embed assets
var assets embed.FS

// Server is a running dashboard: the aggregator and the HTTP server in
// front of it.
type Server struct {
	agg    *Aggregator
	token  string
	url    string
	http   *http.Server
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// New returns a dashboard of src's scheduler that admits requests carrying
// token (see wire.HTTPAuth).
func New(src Source, token string, opts Options) *Server {
	return &Server{agg: NewAggregator(src, opts), token: token}
}

// Aggregator returns the dashboard's aggregator.
func (s *Server) Aggregator() *Aggregator { return s.agg }

// Handler returns the dashboard's routes, behind the token.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(assets, "assets")
	mux.Handle("GET /", http.FileServerFS(static))
	mux.HandleFunc("GET /api/stream", s.stream)
	mux.HandleFunc("GET /api/snapshot", func(w http.ResponseWriter, r *http.Request) { writeJSON(w, s.agg.Snapshot()) })
	mux.HandleFunc("GET /api/graph", func(w http.ResponseWriter, r *http.Request) {
		v, err := s.agg.Graph(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		writeJSON(w, v)
	})
	mux.HandleFunc("GET /api/advice", s.advice)
	mux.HandleFunc("GET /api/story", s.story)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.agg.Registry(), promhttp.HandlerOpts{}))
	Profiling(mux)
	return wire.HTTPAuth(s.token, mux)
}

// Profiling adds Go's pprof endpoints under /debug/pprof/ to mux.
func Profiling(mux *http.ServeMux) {
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
}

// Serve starts the aggregator and serves the dashboard on l until Close:
// HTTPS when l is a TLS listener of wire.Security.ListenHTTP, else HTTP.
func (s *Server) Serve(l net.Listener) {
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.url = wire.HTTPURL(l)
	s.http = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, BaseContext: func(net.Listener) context.Context { return ctx }}
	s.wg.Add(2)
	go func() { defer s.wg.Done(); s.agg.Run(ctx) }()
	go func() {
		defer s.wg.Done()
		if err := s.http.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.agg.opts.Logger.Error("dashboard stopped serving", "err", err)
		}
	}()
}

// URL returns the dashboard's address as "http://host:port/" (or
// "https://host:port/"), without the token.
func (s *Server) URL() string { return s.url }

// Close stops the dashboard: open pages' streams end.
func (s *Server) Close() error {
	if s.cancel == nil {
		return nil
	}
	s.cancel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	err := s.http.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = s.http.Close()
	}
	s.wg.Wait()
	if err != nil {
		return fmt.Errorf("dashboard: closing: %w", err)
	}
	return nil
}

// pageBuffer is how many updates a page may fall behind before it is
// dropped (at 5 updates a second: 10 seconds).
const pageBuffer = 50

// stream sends a page the snapshot, then every update, as Server-Sent
// Events, with a comment every 15s to keep idle connections open.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	sub := s.agg.subscribe(pageBuffer)
	defer s.agg.unsubscribe(sub)
	keepalive := time.NewTicker(15 * time.Second)
	defer keepalive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-keepalive.C:
			if _, err := w.Write([]byte(": keepalive\n\n")); err != nil {
				return
			}
		case msg, ok := <-sub.ch:
			if !ok {
				return // fell behind: the browser reconnects for a snapshot
			}
			if _, err := fmt.Fprintf(w, "event: update\ndata: %s\n\n", msg); err != nil {
				return
			}
		}
		flusher.Flush()
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_ = json.NewEncoder(w).Encode(v)
}
