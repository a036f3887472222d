package dusk

import (
	"context"
	"net/url"
	"time"

	"github.com/dusk-go/dusk/wire/pb"
)

// Dashboard returns the link to the scheduler's live dashboard, with the
// cluster's token in it: opening it once sets a cookie and drops the token
// from the address bar. It is "" when the scheduler serves no dashboard.
// A local cluster serves one on a free port of 127.0.0.1 (see
// LocalDashboard); a remote scheduler serves one on its
// --dashboard-address, 127.0.0.1:8787 by default.
func (c *Client) Dashboard() string {
	if c.local != nil {
		return c.local.DashboardURL()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	id, err := c.sched.Identity(ctx, &pb.IdentityRequest{})
	if err != nil || id.GetDashboard() == "" {
		return ""
	}
	return id.GetDashboard() + "?token=" + url.QueryEscape(c.token)
}
