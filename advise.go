package dusk

import (
	"context"
	"fmt"

	"github.com/dusk-go/dusk/advisor"
	"github.com/dusk-go/dusk/diagnostics/report"
)

// Finding is one piece of the advisor's advice: the rule that found it,
// its severity ("info", "warning" or "problem"), what it saw, with
// figures, and what to do.
type Finding = report.Finding

// Advise applies the optimization guide to what the cluster did lately:
// the events the scheduler still holds (its last scheduler.events.capacity
// events, 100,000 by default). It returns the advisor's findings, the most
// severe first; none means nothing to say. PerformanceReport gives the
// same findings for one stretch of code, with the data behind them.
func (c *Client) Advise(ctx context.Context) ([]Finding, error) {
	in, err := report.Recent(ctx, c.sched)
	if err != nil {
		return nil, fmt.Errorf("dusk: advise: %w", err)
	}
	in.Advisor = advisor.New()
	return report.Build(in).Findings, nil
}
