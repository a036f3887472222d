package advisor

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/dusk-go/dusk/diagnostics/report"
)

// spilling reports data written to disk for want of memory.
func (a *Advisor) spilling(d *report.Data) []report.Finding {
	var n int
	var nbytes int64
	var secs float64
	workers := map[int]bool{}
	for _, b := range d.Stream {
		if b.Kind != "spill" {
			continue
		}
		n++
		nbytes += b.NBytes
		secs += (b.Stop - b.Start) / 1000
		workers[b.Row] = true
	}
	if n == 0 {
		return nil
	}
	sev := Info
	if d.Summary.ComputeTime > 0 && secs > a.SpillShare*d.Summary.ComputeTime {
		sev = Warning
	}
	return []report.Finding{{
		Rule:     "spilling",
		Severity: sev,
		Message: fmt.Sprintf("Workers wrote %d values (%s) to disk to stay within their memory, taking %s (the tasks computed for %s).",
			n, bytes(nbytes), seconds(secs), seconds(d.Summary.ComputeTime)),
		Advice: "Spilling lets data larger than memory through, at disk speed. To spill less: give workers more memory " +
			"(--memory-limit) or fewer threads each, make partitions smaller, and release futures (or Cancel them) " +
			"as soon as their results are not needed.",
	}}
}

// paused reports workers that stopped taking tasks above the pause
// threshold.
func (a *Advisor) paused(d *report.Data) []report.Finding {
	var who []string
	for _, w := range d.Memory {
		if slices.ContainsFunc(w.Samples, func(p report.MemPoint) bool { return p.Paused }) {
			who = append(who, w.Name)
		}
	}
	if len(who) == 0 {
		return nil
	}
	return []report.Finding{{
		Rule:     "paused",
		Severity: Warning,
		Message:  fmt.Sprintf("%d workers paused above the pause threshold of their memory: %s.", len(who), names(who)),
		Advice: "A paused worker starts no task until spilling brings it back under the threshold. " +
			"Give workers more memory, run fewer threads per worker, or make partitions smaller; " +
			"if unmanaged memory is what fills them, see unmanaged-memory.",
	}}
}

// unmanaged reports workers whose memory outside their stored data stays
// above a share of the limit in most of their recent samples. Only the
// unmanaged memory older than 30 seconds counts (Dask's "unmanaged old"):
// what appeared since is garbage and buffers of the work going on, likely
// to go away on its own, and a run shorter than that has none.
func (a *Advisor) unmanaged(d *report.Data) []report.Finding {
	var out []report.Finding
	for _, w := range d.Memory {
		if w.Limit <= 0 || len(w.Samples) < 3 {
			continue
		}
		recent := w.Samples[len(w.Samples)*2/3:]
		high, peak := 0, int64(0)
		for _, p := range recent {
			old := p.Unmanaged - p.UnmanagedRecent
			if float64(old) > a.UnmanagedShare*float64(w.Limit) {
				high++
			}
			peak = max(peak, old)
		}
		if high*2 <= len(recent) {
			continue
		}
		out = append(out, report.Finding{
			Rule:     "unmanaged-memory",
			Severity: Warning,
			Message: fmt.Sprintf("Worker %s kept over %.0f%% of its %s limit, for more than 30 s, in memory that holds no stored result (up to %s): "+
				"garbage not yet collected, memory not yet returned to the OS, or memory a task keeps for itself.",
				w.Name, a.UnmanagedShare*100, bytes(w.Limit), bytes(peak)),
			Advice: "Run the guide's worker garbage collection, dusk.Run[dusk.FreedMemory](ctx, c, dusk.WorkerGC), and " +
				"see what it frees; tasks should not keep data in globals or caches. A long-running cluster can be " +
				"cleaned with Cancel(c.Futures()) and Restart.",
		})
	}
	return out
}

// skew reports a worker holding far more stored data than the others at
// the end of the run.
func (a *Advisor) skew(d *report.Data) []report.Finding {
	if len(d.Memory) < 2 {
		return nil
	}
	type held struct {
		name  string
		bytes int64
	}
	var hs []held
	for _, w := range d.Memory {
		if len(w.Samples) == 0 {
			continue
		}
		last := w.Samples[len(w.Samples)-1]
		hs = append(hs, held{w.Name, last.Managed + last.Spilled})
	}
	if len(hs) < 2 {
		return nil
	}
	slices.SortFunc(hs, func(x, y held) int { return cmp.Compare(y.bytes, x.bytes) })
	top, rest := hs[0], hs[1:]
	median := rest[len(rest)/2].bytes
	if top.bytes < a.SkewBytes || float64(top.bytes) <= a.SkewRatio*float64(median) {
		return nil
	}
	return []report.Finding{{
		Rule:     "data-skew",
		Severity: Warning,
		Message: fmt.Sprintf("Worker %s holds %s of data while the others hold %s (median): the cluster is only as fast as its busiest worker.",
			top.name, bytes(top.bytes), bytes(median)),
		Advice: "Spread the data: Repartition a dataframe (by size, or SetIndex on a well-spread column), " +
			"scatter inputs with ScatterEach rather than as one value, and check that one key of a group-by " +
			"or merge does not hold most of the rows.",
	}}
}
