package advisor

import (
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/diagnostics/report"
)

// The threads-vs-workload rule on measured prefixes: tasks mostly off the
// CPU on a worker with processors to spare want more threads; more
// CPU-bound tasks at once than the worker's processors, which they kept
// busy, want fewer threads per worker. Their twins say nothing.
func TestThreadsVsWorkload(t *testing.T) {
	for _, c := range []struct {
		name    string
		p       report.PrefixTime
		mention []string // empty: no finding
	}{
		{"io", report.PrefixTime{Name: "fetch", Runs: 40, Seconds: 2, Mean: 0.05, Measured: 20, MeasuredSeconds: 1,
			CPUSeconds: 0.01, WaitSeconds: 0.002, Parallel: 2, Worker: "w1", Procs: 2},
			[]string{"tasks of fetch spent 99% of their time off the CPU", "20 of 40 runs measured", "10.0 ms on the CPU", "GOMAXPROCS 2", "more threads than cores"}},
		{"cpu-saturated", report.PrefixTime{Name: "crunch", Runs: 16, Seconds: 6.4, Mean: 0.4, Measured: 8, MeasuredSeconds: 3.2,
			CPUSeconds: 0.8, WaitSeconds: 0.05, Parallel: 8, Worker: "w1", Procs: 2},
			[]string{"ran 8.0 at once on w1", "computes 2 at a time", "computed 25%", "no more threads than cores", "no GIL"}},
		{"cpu-not-saturated", report.PrefixTime{Name: "crunch", Runs: 16, Seconds: 1.6, Mean: 0.1, Measured: 8, MeasuredSeconds: 0.8,
			CPUSeconds: 0.5, WaitSeconds: 0.3, Parallel: 1, Worker: "w1", Procs: 2}, nil},
		{"cpu-two-on-two", report.PrefixTime{Name: "crunch", Runs: 16, Seconds: 1.6, Mean: 0.1, Measured: 8, MeasuredSeconds: 0.8,
			CPUSeconds: 0.4, WaitSeconds: 0.02, Parallel: 2, Worker: "w1", Procs: 2}, nil},
		{"short-io", report.PrefixTime{Name: "ping", Runs: 400, Seconds: 0.08, Mean: 0.0002, Measured: 50, MeasuredSeconds: 0.01,
			CPUSeconds: 0.0005, Parallel: 2, Worker: "w1", Procs: 2}, nil},
		{"io-few-measured", report.PrefixTime{Name: "fetch", Runs: 40, Seconds: 2, Mean: 0.05, Measured: 3, MeasuredSeconds: 0.15,
			CPUSeconds: 0.001, Parallel: 2, Worker: "w1", Procs: 2}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := healthy()
			d.Prefixes = append(d.Prefixes, c.p)
			fs := New().Advise(d)
			if c.mention == nil {
				if len(fs) != 0 {
					t.Fatalf("findings on the twin: %+v", fs)
				}
				return
			}
			if got := rules(fs); !slices.Equal(got, []string{"threads-vs-workload"}) {
				t.Fatalf("rules %v: %+v", got, fs)
			}
			for _, m := range c.mention {
				if !strings.Contains(fs[0].Message+" "+fs[0].Advice, m) {
					t.Errorf("finding %q / %q does not mention %q", fs[0].Message, fs[0].Advice, m)
				}
			}
		})
	}
}
