package dusk

import (
	"context"
	"errors"
	"fmt"
	"runtime"

	"github.com/dusk-go/dusk/advisor"
	"github.com/dusk-go/dusk/diagnostics/report"
)

// PerformanceReport runs f and writes a performance report of what the
// cluster did meanwhile to path: one self-contained HTML file (it opens
// offline) with the task stream, time per task prefix, worker memory over
// time, bandwidth between workers, the workers' CPU profile by task
// prefix, the scheduler's log and the advisor's findings; and the same
// data as JSON next to it ("report.html" gets "report.json"). It returns
// f's error, joined with any error writing the report.
//
//	err := c.PerformanceReport(ctx, "report.html", func() error {
//		_, err := dusk.Compute(ctx, c, total)
//		return err
//	})
func (c *Client) PerformanceReport(ctx context.Context, path string, f func() error) error {
	caller := callerLine()
	rec, err := report.Record(ctx, c.sched, c.peers.Client)
	if err != nil {
		return fmt.Errorf("dusk: performance report: %w", err)
	}
	ferr := f()
	in, err := rec.Stop(ctx)
	if err != nil {
		return errors.Join(ferr, fmt.Errorf("dusk: performance report: %w", err))
	}
	in.Caller = caller.String()
	in.Versions["dusk"] = Version
	in.Versions["go"] = runtime.Version()
	in.Versions["os/arch"] = runtime.GOOS + "/" + runtime.GOARCH
	in.Advisor = advisor.New()
	if _, err := report.WriteFiles(path, report.Build(in)); err != nil {
		return errors.Join(ferr, fmt.Errorf("dusk: performance report: %w", err))
	}
	return ferr
}
