package advisor

import (
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/diagnostics/report"
)

// rules returns the rules of the findings, in order.
func rules(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	return out
}

// healthy is a run with nothing to say about: 100 tasks of 50 ms on 2
// threads for 2.6 s, a little data moved, even memory.
func healthy() *report.Data {
	d := &report.Data{
		Summary: report.Summary{Duration: 2.6, Tasks: 100, ComputeTime: 5, Threads: 2, Workers: 2,
			Transfers: 10, TransferBytes: 10 << 20},
		Prefixes:  []report.PrefixTime{{Name: "load", Runs: 100, Seconds: 5, Mean: 0.05, NBytes: 100 << 20}},
		Bandwidth: report.Bandwidth{Pairs: []report.Pair{{From: "a", To: "b", Bytes: 10 << 20, Count: 10, Seconds: 0.1}}},
	}
	for i, name := range []string{"w1", "w2"} {
		d.Memory = append(d.Memory, report.WorkerMemory{Worker: name, Name: name, Limit: 1 << 30,
			Samples: []report.MemPoint{{T: 0}, {T: 1000, Managed: 50 << 20, Unmanaged: 60 << 20}, {T: 2000, Managed: int64(40+i) << 20, Unmanaged: 60 << 20}}})
	}
	for i := range 100 {
		d.Stream = append(d.Stream, report.Bar{Kind: "task", Prefix: "load", Key: "load-" + string(rune('a'+i%26)) + string(rune('a'+i/26))})
	}
	return d
}

func TestHealthyRunHasNoFindings(t *testing.T) {
	if fs := New().Advise(healthy()); len(fs) != 0 {
		t.Fatalf("findings on a healthy run: %+v", fs)
	}
}

func TestEachRule(t *testing.T) {
	for _, c := range []struct {
		rule    string
		sev     string
		change  func(d *report.Data)
		mention []string // in the message
	}{
		{"failed-tasks", Problem, func(d *report.Data) {
			d.Summary.Failed = 3
			d.Prefixes[0].Failed = 3
		}, []string{"3 task runs failed", "load (3 of 100)"}},
		{"tiny-tasks", Warning, func(d *report.Data) {
			d.Prefixes = append(d.Prefixes, report.PrefixTime{Name: "inc", Runs: 20000, Seconds: 2, Mean: 0.0001})
		}, []string{"20000 tasks of inc", "100 µs"}},
		{"large-results", Warning, func(d *report.Data) {
			d.Prefixes[0].NBytes = 100 * (400 << 20) // 400 MiB each, 39% of 1 GiB
		}, []string{"load average 400 MiB", "39%"}},
		{"idle-workers", Warning, func(d *report.Data) {
			d.Summary.Duration = 20 // 5 s of tasks on 2 threads in 20 s
		}, []string{"12%", "20.0 s"}},
		{"recomputed", Info, func(d *report.Data) {
			d.Stream = append(d.Stream, d.Stream[0], d.Stream[1])
		}, []string{"2 tasks ran to completion more than once", "load (2 tasks, 2 runs again,", "wasted"}},
		{"spilling", Warning, func(d *report.Data) {
			d.Stream = append(d.Stream, report.Bar{Kind: "spill", Key: "load-aa", NBytes: 300 << 20, Start: 0, Stop: 900})
		}, []string{"1 values (300 MiB)", "900.0 ms"}},
		{"paused", Warning, func(d *report.Data) {
			d.Memory[1].Samples[1].Paused = true
		}, []string{"1 workers paused", "w2"}},
		{"unmanaged-memory", Warning, func(d *report.Data) {
			for i := range d.Memory[0].Samples {
				d.Memory[0].Samples[i].Unmanaged = 600 << 20
			}
		}, []string{"Worker w1", "600 MiB"}},
		{"communication", Warning, func(d *report.Data) {
			d.Summary.TransferBytes = 2 << 30
			d.Bandwidth.Pairs[0].Seconds = 3
		}, []string{"2 GiB", "60%"}},
		{"small-chunks", Warning, func(d *report.Data) {
			d.Prefixes = append(d.Prefixes, report.PrefixTime{Name: "array.random", Runs: 400, Seconds: 2, Mean: 0.005, NBytes: 400 * (2 << 20)})
		}, []string{"400 blocks of array.random", "2 MiB", "64x"}},
		{"rechunk-moves-data", Warning, func(d *report.Data) {
			d.Prefixes = append(d.Prefixes, report.PrefixTime{Name: "array.random", Runs: 40, Seconds: 2, Mean: 0.05, NBytes: 40 * (32 << 20)},
				report.PrefixTime{Name: "array.assemble", Runs: 40, Seconds: 2, Mean: 0.05, NBytes: 40 * (32 << 20)})
		}, []string{"1.25 GiB of blocks", "100%"}},
		{"array-data-moved", Warning, func(d *report.Data) {
			d.Prefixes = append(d.Prefixes, report.PrefixTime{Name: "array.random", Runs: 40, Seconds: 2, Mean: 0.05, NBytes: 40 * (32 << 20)})
			d.Bandwidth.ByType = append(d.Bandwidth.ByType, report.TypeBytes{Type: "*array.Block", Bytes: 20 * (32 << 20), Count: 20})
		}, []string{"640 MiB of array blocks", "50%"}},
		{"data-skew", Warning, func(d *report.Data) {
			d.Memory[0].Samples[2].Managed = 900 << 20
		}, []string{"Worker w1 holds 900 MiB", "41 MiB"}},
	} {
		t.Run(c.rule, func(t *testing.T) {
			d := healthy()
			c.change(d)
			fs := New().Advise(d)
			if got := rules(fs); !slices.Equal(got, []string{c.rule}) {
				t.Fatalf("rules %v, want [%s]: %+v", got, c.rule, fs)
			}
			f := fs[0]
			if f.Severity != c.sev || f.Advice == "" {
				t.Errorf("severity %q, advice %q", f.Severity, f.Advice)
			}
			for _, m := range c.mention {
				if !strings.Contains(f.Message, m) {
					t.Errorf("message %q does not mention %q", f.Message, m)
				}
			}
		})
	}
}

func TestMostSevereFirst(t *testing.T) {
	d := healthy()
	d.Stream = append(d.Stream, d.Stream[0])      // info
	d.Memory[0].Samples[1].Paused = true          // warning
	d.Summary.Failed, d.Prefixes[0].Failed = 1, 1 // problem
	if got := rules(New().Advise(d)); !slices.Equal(got, []string{"failed-tasks", "paused", "recomputed"}) {
		t.Fatalf("rules in order %v", got)
	}
}

func TestThresholdsAreSettings(t *testing.T) {
	d := healthy()
	a := New()
	a.MinUtilization = 0.99 // 5 s of tasks on 2 threads in 2.6 s is 96%
	if got := rules(a.Advise(d)); !slices.Equal(got, []string{"idle-workers"}) {
		t.Fatalf("rules %v", got)
	}
}

func TestSmallSpillIsInformation(t *testing.T) {
	d := healthy()
	d.Stream = append(d.Stream, report.Bar{Kind: "spill", Key: "x", NBytes: 1 << 20, Start: 0, Stop: 10})
	fs := New().Advise(d)
	if len(fs) != 1 || fs[0].Severity != Info {
		t.Fatalf("findings %+v, want one of severity info", fs)
	}
}
