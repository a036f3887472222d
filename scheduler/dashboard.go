package scheduler

import (
	"context"

	"github.com/dusk-go/dusk/diagnostics/dashboard"
)

// startDashboard serves the dashboard on Options.DashboardAddress, if set:
// HTTPS with the scheduler's certificate when TLS is configured.
// A dashboard that cannot listen is logged and left out: the scheduler
// serves without it.
func (s *Server) startDashboard() {
	if s.opts.DashboardAddress == "" {
		return
	}
	l, err := s.opts.Security.ListenHTTP(context.Background(), s.opts.DashboardAddress)
	if err != nil {
		s.log.Error("dashboard not started", "address", s.opts.DashboardAddress, "err", err)
		return
	}
	d := dashboard.New(s, s.opts.Security.Token, dashboard.Options{Logger: s.log, Advise: s.opts.Advise})
	d.Serve(l)
	s.dashboard = d
	s.log.Info("dashboard serving", "url", d.URL())
}

// DashboardURL returns the dashboard's address ("http://host:port/", or
// https with TLS; without the token), or "" when the scheduler serves none.
func (s *Server) DashboardURL() string {
	if s.dashboard == nil {
		return ""
	}
	return s.dashboard.URL()
}

func (s *Server) closeDashboard() {
	if s.dashboard != nil {
		if err := s.dashboard.Close(); err != nil {
			s.log.Warn("closing the dashboard", "err", err)
		}
	}
}
