package advisor

import (
	"fmt"

	"github.com/dusk-go/dusk/diagnostics/report"
)

// threads compares how a prefix's tasks spent their time, as the workers
// measured a sample of them (time on the CPU, waiting for a core, and the
// rest: off the CPU), with how many of them ran at once against the
// worker's Go processors (GOMAXPROCS):
//
//   - tasks mostly off the CPU while the processors had room wait for I/O
//     or sleep: more threads per worker overlap more of them;
//   - more tasks at once than processors, which they kept busy, computing
//     a small part of their time: the threads beyond the cores only wait
//     their turn.
//
// A goroutine waiting for a Go processor is off the CPU as far as its
// thread's statistics go, so the first case is told only when the
// processors were not all busy with the prefix. Workers that share a
// process (a local cluster's) share its processors; the rule sees each
// worker alone.
func (a *Advisor) threads(d *report.Data) []report.Finding {
	var out []report.Finding
	for _, p := range d.Prefixes {
		if p.Runs < a.ThreadsRuns || p.Measured < a.ThreadsMeasured || p.MeasuredSeconds <= 0 {
			continue
		}
		wall := p.MeasuredSeconds
		off := max(wall-p.CPUSeconds-p.WaitSeconds, 0)
		// The processors the prefix kept busy: a run holds one while it
		// computes or waits for a core.
		demand := (p.CPUSeconds + p.WaitSeconds) / wall * p.Parallel
		procs := p.Procs
		figures := fmt.Sprintf("%d of %d runs measured: %s on the CPU, %s waiting for a core, %s off the CPU of %s",
			p.Measured, p.Runs, seconds(p.CPUSeconds), seconds(p.WaitSeconds), seconds(off), seconds(wall))
		switch {
		case off >= a.OffCPUShare*wall && p.Mean >= a.OffCPUTask && demand < a.SaturatedShare*float64(max(procs, 1)):
			out = append(out, report.Finding{
				Rule:     "threads-vs-workload",
				Severity: Warning,
				Message: fmt.Sprintf("tasks of %s spent %.0f%% of their time off the CPU (%s), %.1f at once on %s (GOMAXPROCS %s): they wait for I/O or sleep, and the worker's threads wait with them.",
					p.Name, 100*off/wall, figures, p.Parallel, p.Worker, procsText(procs)),
				Advice: "Give the workers more threads than cores for this work (dusk worker --nthreads, worker.nthreads, LocalThreads), " +
					"so that more of these tasks wait at once; or make the I/O asynchronous inside a task (several requests at a time).",
			})
		case procs > 0 && p.Parallel > float64(procs) && demand >= a.SaturatedShare*float64(procs) &&
			p.CPUSeconds <= (1-a.WaitingShare)*wall:
			out = append(out, report.Finding{
				Rule:     "threads-vs-workload",
				Severity: Warning,
				Message: fmt.Sprintf("tasks of %s ran %.1f at once on %s, whose process computes %d at a time (GOMAXPROCS), and kept it busy; each computed %.0f%% of its time (%s): the threads beyond the cores wait their turn, each task lasts longer and holds its memory longer.",
					p.Name, p.Parallel, p.Worker, procs, 100*p.CPUSeconds/wall, figures),
				Advice: "Give each worker no more threads than cores for CPU-bound work, and more workers (processes, on more machines) for more throughput. " +
					"Go has no GIL: several worker processes on one machine add no CPU; they help only allocation-heavy tasks, by giving each a smaller heap to collect.",
			})
		}
	}
	return out
}

func procsText(n int) string {
	if n <= 0 {
		return "unknown"
	}
	return fmt.Sprint(n)
}
