package advisor

import (
	"fmt"
	"slices"

	"github.com/dusk-go/dusk/diagnostics/report"
)

// failedTasks reports task runs that failed, by prefix.
func (a *Advisor) failedTasks(d *report.Data) []report.Finding {
	if d.Summary.Failed == 0 {
		return nil
	}
	var which []string
	for _, p := range d.Prefixes {
		if p.Failed > 0 {
			which = append(which, fmt.Sprintf("%s (%d of %d)", p.Name, p.Failed, p.Runs))
		}
	}
	return []report.Finding{{
		Rule:     "failed-tasks",
		Severity: Problem,
		Message:  fmt.Sprintf("%d task runs failed: %s.", d.Summary.Failed, names(which)),
		Advice: "Each error, with its stack, reaches the future's Result and the log below. " +
			"Give tasks that fail now and then retries (dusk.Retries); a task that kills its worker again and again " +
			"ends in KilledWorker: make its partitions smaller.",
	}}
}

// tinyTasks reports prefixes of many very short tasks: the guide's "too
// many partitions", where scheduling costs as much as computing.
func (a *Advisor) tinyTasks(d *report.Data) []report.Finding {
	var out []report.Finding
	for _, p := range d.Prefixes {
		if p.Runs < a.TinyTaskRuns || p.Mean <= 0 || p.Mean >= a.TinyTask {
			continue
		}
		out = append(out, report.Finding{
			Rule:     "tiny-tasks",
			Severity: Warning,
			Message: fmt.Sprintf("%d tasks of %s took %s each on average: each costs the scheduler about as much as it computes.",
				p.Runs, p.Name, seconds(p.Mean)),
			Advice: "Give each task more work: process a batch of items per task instead of one, " +
				"or use fewer, larger partitions (Repartition to about 100-300 MB each). " +
				"Linear chains are fused already (Optimize); tasks should last at least tens of milliseconds.",
		})
	}
	return out
}

// largeResults reports prefixes whose results are much larger than the
// guide's 100-300 MB per chunk, or a large share of a worker's memory.
func (a *Advisor) largeResults(d *report.Data) []report.Finding {
	limit := int64(0) // the smallest worker limit
	for _, w := range d.Memory {
		if w.Limit > 0 && (limit == 0 || w.Limit < limit) {
			limit = w.Limit
		}
	}
	var out []report.Finding
	for _, p := range d.Prefixes {
		ok := p.Runs - p.Failed
		if ok <= 0 || p.NBytes <= 0 {
			continue
		}
		mean := p.NBytes / int64(ok)
		share := 0.0
		if limit > 0 {
			share = float64(mean) / float64(limit)
		}
		if mean < a.LargeResult && (limit == 0 || share < a.LargeShare) {
			continue
		}
		msg := fmt.Sprintf("Results of %s average %s each", p.Name, bytes(mean))
		if limit > 0 {
			msg += fmt.Sprintf(", %.0f%% of the smallest worker memory limit (%s)", share*100, bytes(limit))
		}
		out = append(out, report.Finding{
			Rule:     "large-results",
			Severity: Warning,
			Message:  msg + ".",
			Advice: "Aim for 100-300 MB per partition or chunk: split the input into more pieces " +
				"(Repartition(PartitionSize(\"128MB\")) for dataframes). Large pieces spill, pause workers " +
				"and, past the terminate threshold, kill them.",
		})
	}
	return out
}

// idleWorkers reports a run whose threads spent little of it in tasks:
// the gaps in the task stream the guide says to look for.
func (a *Advisor) idleWorkers(d *report.Data) []report.Finding {
	s := d.Summary
	if s.Duration < a.MinDuration || s.Threads == 0 || s.Tasks < 2*s.Threads {
		return nil
	}
	use := s.ComputeTime / (s.Duration * float64(s.Threads))
	if use >= a.MinUtilization {
		return nil
	}
	return []report.Finding{{
		Rule:     "idle-workers",
		Severity: Warning,
		Message: fmt.Sprintf("The %d worker threads were busy with tasks %.0f%% of the %s the run took: the task stream has gaps.",
			s.Threads, use*100, seconds(s.Duration)),
		Advice: "Gaps mean workers wait for the client, the scheduler or the network. Submit work in bulk " +
			"(build every Delayed and ComputeAll them once, or Map) instead of calling Compute or Result in a loop; " +
			"keep the next step's inputs on the cluster (Persist, futures as arguments) instead of gathering " +
			"them to the client.",
	}}
}

// recomputed reports tasks that ran to completion more than once: results
// were released and needed again (or lost with a worker). It names each
// prefix with its tasks, the runs beyond the first and the time they took.
func (a *Advisor) recomputed(d *report.Data) []report.Finding {
	type redo struct {
		tasks, again int
		ms           float64 // the runs beyond each task's first
	}
	runs := map[string]int{}
	byPrefix := map[string]*redo{}
	n := 0
	for _, b := range d.Stream {
		if b.Kind != "task" {
			continue
		}
		runs[b.Key]++
		if runs[b.Key] == 1 {
			continue
		}
		r := byPrefix[b.Prefix]
		if r == nil {
			r = &redo{}
			byPrefix[b.Prefix] = r
		}
		if runs[b.Key] == 2 {
			r.tasks++
			n++
		}
		r.again++
		r.ms += b.Stop - b.Start
	}
	if n == 0 {
		return nil
	}
	var which []string
	for p, r := range byPrefix {
		which = append(which, fmt.Sprintf("%s (%s, %s again, %s wasted)", p, plural(r.tasks, "task"), plural(r.again, "run"), seconds(r.ms/1000)))
	}
	slices.Sort(which)
	return []report.Finding{{
		Rule:     "recomputed",
		Severity: Info,
		Message:  fmt.Sprintf("%s ran to completion more than once: %s.", plural(n, "task"), names(which)),
		Advice: "A result is computed again when it was released and then needed again, or lost with a worker. " +
			"If several computations share an intermediate result, persist it (Persist once and build on its futures), " +
			"compute them together (ComputeAll), or set optimization.persist-shared.active: true to let the client keep it.",
	}}
}

// plural writes n things: "1 task", "3 tasks".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}
