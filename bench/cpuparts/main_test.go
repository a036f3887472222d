package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/pprof/profile"
)

// TestSplitCountsEachSampleToItsFirstPart writes a CPU profile of four
// stacks and checks where split puts each sample's nanoseconds.
func TestSplitCountsEachSampleToItsFirstPart(t *testing.T) {
	var id uint64
	fn := func(name string) *profile.Location {
		id++
		f := &profile.Function{ID: id, Name: name}
		return &profile.Location{ID: id, Line: []profile.Line{{Function: f}}}
	}
	stack := func(ns int64, names ...string) *profile.Sample {
		s := &profile.Sample{Value: []int64{1, ns}}
		for _, n := range names {
			s.Location = append(s.Location, fn(n))
		}
		return s
	}
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10_000_000,
		Sample: []*profile.Sample{
			// Marshalling called by the worker counts as marshalling.
			stack(3000, "github.com/dusk-go/dusk/wire/pb.(*Task).UnmarshalVT", "github.com/dusk-go/dusk/worker.(*Worker).loop"),
			stack(5000, "github.com/dusk-go/dusk/worker/state.(*State).Handle", "github.com/dusk-go/dusk/worker.(*Worker).loop"),
			// The core comes before the shell that calls it.
			stack(7000, "github.com/dusk-go/dusk/scheduler/state.(*State).Handle", "github.com/dusk-go/dusk/scheduler.(*Scheduler).run"),
			stack(2000, "runtime.futex", "runtime.mcall"),
			stack(1000, "runtime.scanobject", "runtime.gcBgMarkWorker"),
		},
	}
	for _, s := range p.Sample {
		for _, l := range s.Location {
			p.Location = append(p.Location, l)
			p.Function = append(p.Function, l.Line[0].Function)
		}
	}
	got, err := split(writeProfile(t, p))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"marshalling": 3000, "worker": 5000, "core": 7000, "runtime": 2000, "collection": 1000}
	if len(got) != len(want) {
		t.Fatalf("parts %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: %v ns, want %v (all: %v)", k, got[k], v, got)
		}
	}
	if s := format(got, 1); s != "core 7.00, worker 5.00, marshalling 3.00, runtime 2.00, collection 1.00, total 18.00 µs/task" {
		t.Errorf("format: %q", s)
	}
}

// TestSplitRefusesAProfileWithoutCPU checks that a heap profile is named
// as not a CPU profile instead of being counted as nothing.
func TestSplitRefusesAProfileWithoutCPU(t *testing.T) {
	p := &profile.Profile{SampleType: []*profile.ValueType{{Type: "inuse_space", Unit: "bytes"}}}
	if _, err := split(writeProfile(t, p)); err == nil {
		t.Fatal("a heap profile was read as a CPU profile")
	}
}

// writeProfile writes p to a file of the test's and returns its path.
func writeProfile(t *testing.T, p *profile.Profile) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.prof")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := p.Write(f); err != nil {
		t.Fatal(err)
	}
	return path
}
