package advisor

import (
	"context"
	"maps"
	"time"

	"github.com/dusk-go/dusk/diagnostics/dashboard"
	"github.com/dusk-go/dusk/diagnostics/report"
)

// ForDashboard is Live with the type of dashboard.Options.Advise (and
// scheduler.Options.Advise): the dashboard's advice.
func ForDashboard(ctx context.Context, src dashboard.Source) (any, error) {
	fs, err := Live(ctx, src)
	if fs == nil {
		fs = []report.Finding{}
	}
	return fs, err
}

// Live returns the findings about what a scheduler still holds of the
// recent past (its event ring), read in the scheduler's own process: the
// dashboard's advice. It has the type of dashboard.Options.Advise.
func Live(ctx context.Context, src dashboard.Source) ([]report.Finding, error) {
	var in report.Input
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, w := range src.Snapshot().Workers {
		in.Workers = append(in.Workers, report.Worker{ID: w.ID, Address: w.Address, Name: w.Name,
			Threads: w.Threads, MemoryLimit: w.MemoryLimit, Resources: maps.Clone(w.Resources)})
	}
	in.Events = src.Events().Snapshot()
	in.Stop = time.Now()
	if len(in.Events) > 0 {
		in.Start = in.Events[0].Time
	}
	in.Advisor = New()
	return report.Build(in).Findings, nil
}
