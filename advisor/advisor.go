package advisor

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/diagnostics/report"
)

// Severities of findings, from the mildest.
const (
	Info    = "info"
	Warning = "warning"
	Problem = "problem"
	// Fixed marks what an automatic fix did: no action needed, said so
	// that the user knows what ran differently from the code.
	Fixed = "fixed"
)

// Advisor holds the thresholds of the rules. New returns the defaults;
// change a field to make a rule more or less eager.
type Advisor struct {
	// MinUtilization: below this share of the threads' time spent in
	// tasks, a run of at least MinDuration seconds has idle workers.
	MinUtilization float64
	MinDuration    float64
	// TinyTask: a prefix of at least TinyTaskRuns tasks averaging under
	// TinyTask seconds each is too finely split.
	TinyTask     float64
	TinyTaskRuns int
	// LargeResult: results averaging above this many bytes, or above
	// LargeShare of the smallest worker memory limit, are too large.
	LargeResult int64
	LargeShare  float64
	// SpillShare: spilling is worth a warning when disk time passes this
	// share of the compute time (any spill is reported as information).
	SpillShare float64
	// UnmanagedShare: unmanaged memory above this share of the limit, in
	// most of a worker's recent samples.
	UnmanagedShare float64
	// TransferShare: transfer time above this share of the compute time,
	// with at least TransferBytes moved.
	TransferShare float64
	TransferBytes int64
	// SkewRatio: a worker holding more than SkewRatio times the median of
	// the others, and at least SkewBytes.
	SkewRatio float64
	SkewBytes int64
	// SmallChunk: array blocks averaging under this many bytes, in at
	// least SmallChunkRuns tasks of a prefix, are too small against
	// ChunkTarget (the guide's 100-300 MB: 128 MiB).
	SmallChunk     int64
	SmallChunkRuns int
	ChunkTarget    int64
	// RechunkBytes, RechunkShare: a rechunk that assembled at least
	// RechunkBytes, and at least RechunkShare of the arrays' blocks.
	RechunkBytes int64
	RechunkShare float64
	// Threads vs workload, for prefixes of at least ThreadsRuns runs of
	// which the workers measured at least ThreadsMeasured: runs averaging
	// OffCPUTask seconds or more that spent OffCPUShare of their time off
	// the CPU, while they kept under SaturatedShare of the worker's Go
	// processors busy, want more threads; more runs at once than
	// processors, keeping SaturatedShare of them busy and not computing
	// WaitingShare of their time or more, want fewer threads per worker.
	ThreadsRuns     int
	ThreadsMeasured int
	OffCPUShare     float64
	OffCPUTask      float64
	SaturatedShare  float64
	WaitingShare    float64
}

// New returns an Advisor with the default thresholds.
func New() *Advisor {
	return &Advisor{
		MinUtilization: 0.5,
		MinDuration:    1,
		TinyTask:       0.001,
		TinyTaskRuns:   1000,
		LargeResult:    1 << 30,
		LargeShare:     0.25,
		SpillShare:     0.1,
		UnmanagedShare: 0.4,
		TransferShare:  0.3,
		TransferBytes:  64 << 20,
		SkewRatio:      3,
		SkewBytes:      256 << 20,
		SmallChunk:     8 << 20,
		SmallChunkRuns: 100,
		ChunkTarget:    128 << 20,
		RechunkBytes:   256 << 20,
		RechunkShare:   0.5,

		ThreadsRuns:     8,
		ThreadsMeasured: 4,
		OffCPUShare:     0.8,
		OffCPUTask:      0.005,
		SaturatedShare:  0.8,
		WaitingShare:    0.3,
	}
}

// Advise returns the findings about the run d recorded, the most severe
// first.
func (a *Advisor) Advise(d *report.Data) []report.Finding {
	var out []report.Finding
	for _, rule := range []func(*report.Data) []report.Finding{
		a.failedTasks, a.paused, a.spilling, a.largeResults, a.tinyTasks,
		a.idleWorkers, a.communication, a.skew, a.unmanaged, a.recomputed,
		a.smallChunks, a.rechunkMoves, a.arrayMoves, a.threads, a.clientAdvice,
	} {
		out = append(out, rule(d)...)
	}
	rank := map[string]int{Problem: 0, Warning: 1, Info: 2, Fixed: 3}
	slices.SortStableFunc(out, func(x, y report.Finding) int { return cmp.Compare(rank[x.Severity], rank[y.Severity]) })
	return out
}

// bytes formats n bytes for people.
func bytes(n int64) string { return config.FormatBytes(n) }

// seconds formats a duration in seconds for people.
func seconds(s float64) string {
	switch {
	case s < 0.001:
		return fmt.Sprintf("%.0f µs", s*1e6)
	case s < 1:
		return fmt.Sprintf("%.1f ms", s*1e3)
	default:
		return fmt.Sprintf("%.1f s", s)
	}
}

// names lists up to three names, and how many more there are.
func names(ns []string) string {
	if len(ns) <= 3 {
		return strings.Join(ns, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ns[:3], ", "), len(ns)-3)
}
