package dashboard

import (
	"context"
	"net/http"
	"time"
)

// adviceTimeout bounds one request for advice: the advisor reads the whole
// event ring.
const adviceTimeout = 30 * time.Second

// advice answers /api/advice: {"findings": [...]} from Options.Advise, or
// {"unavailable": "why"} when no advisor runs here.
func (s *Server) advice(w http.ResponseWriter, r *http.Request) {
	if s.agg.opts.Advise == nil {
		writeJSON(w, map[string]string{"unavailable": "no advisor runs with this scheduler"})
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), adviceTimeout)
	defer cancel()
	v, err := s.agg.opts.Advise(ctx, s.agg.src)
	if err != nil {
		http.Error(w, "advice: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	writeJSON(w, map[string]any{"findings": v})
}
