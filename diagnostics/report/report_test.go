package report

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"

	"github.com/dusk-go/dusk/diagnostics/event"
)

// synthProfile is a CPU profile with 3s in "load" tasks (2s in parse,
// called by main) and 1s outside tasks.
func synthProfile(t *testing.T) []byte {
	t.Helper()
	fn := func(id uint64, name string) *profile.Function { return &profile.Function{ID: id, Name: name} }
	fMain, fParse, fGC := fn(1, "main.load"), fn(2, "csv.parse"), fn(3, "runtime.gcBgMarkWorker")
	loc := func(id uint64, f *profile.Function) *profile.Location {
		return &profile.Location{ID: id, Line: []profile.Line{{Function: f}}}
	}
	lMain, lParse, lGC := loc(1, fMain), loc(2, fParse), loc(3, fGC)
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		Sample: []*profile.Sample{
			{Location: []*profile.Location{lParse, lMain}, Value: []int64{200, 2e9}, Label: map[string][]string{"task": {"load"}}},
			{Location: []*profile.Location{lMain}, Value: []int64{100, 1e9}, Label: map[string][]string{"task": {"load"}}},
			{Location: []*profile.Location{lGC}, Value: []int64{100, 1e9}},
		},
		Location: []*profile.Location{lMain, lParse, lGC},
		Function: []*profile.Function{fMain, fParse, fGC},
	}
	var buf bytes.Buffer
	if err := p.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func input(t *testing.T) Input {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	return Input{
		Start: t0, Stop: at(1000),
		Workers: []Worker{{ID: "w1", Address: "w1", Name: "one", Threads: 2, MemoryLimit: 1 << 30},
			{ID: "w2", Address: "w2", Threads: 1, MemoryLimit: 1 << 30}},
		Events: []event.Event{
			{Kind: event.TaskRun, Time: at(100), Key: "load-1", Worker: "w1", Thread: 0, Start: at(0), Stop: at(100), NBytes: 64, Detail: "[]byte"},
			{Kind: event.TaskRun, Time: at(300), Key: "load-2", Worker: "w1", Thread: 1, Start: at(0), Stop: at(300), NBytes: 64, Detail: "[]byte"},
			{Kind: event.Transfer, Time: at(350), Key: "load-1", Worker: "w2", Peer: "w1", Start: at(300), Stop: at(350), NBytes: 64},
			{Kind: event.TaskRun, Time: at(500), Key: "sum-1", Worker: "w2", Thread: 0, Start: at(350), Stop: at(500), Failed: true, Detail: "boom"},
			{Kind: event.WorkerSample, Time: at(200), Worker: "w1", Memory: &event.MemorySample{Managed: 100, Unmanaged: 50, Limit: 1 << 30}},
			{Kind: event.WorkerSample, Time: at(250), Worker: "w2", Memory: &event.MemorySample{Managed: 10, Unmanaged: 5, Paused: true}},
			{Kind: event.Log, Time: at(10), Key: "INFO", Detail: "worker joined"},
			{Kind: event.TaskRun, Time: at(600), Key: "x-1", Worker: "gone", Thread: 2, Start: at(550), Stop: at(600)},
		},
		Profiles:  [][]byte{synthProfile(t)},
		Scheduler: "127.0.0.1:8786", Caller: "main.go:12", Versions: map[string]string{"dusk": "0.1.0"},
	}
}

func TestBuildSummarizesTheRun(t *testing.T) {
	d := Build(input(t))
	s := d.Summary
	if s.Duration != 1 || s.Tasks != 4 || s.Failed != 1 || s.Workers != 2 || s.Threads != 3 || s.MemoryLimit != 2<<30 ||
		s.PeakMemory != 165 || s.Transfers != 1 || s.TransferBytes != 64 || s.Caller != "main.go:12" {
		t.Errorf("summary = %+v", s)
	}
	if len(d.Prefixes) != 3 || d.Prefixes[0].Name != "load" || d.Prefixes[0].Runs != 2 || d.Prefixes[0].Max != 0.3 {
		t.Errorf("prefixes = %+v", d.Prefixes)
	}
	// Rows: one, its two threads and transfers; w2's thread and
	// transfers; a worker that left, with its three threads seen.
	labels := []string{}
	for _, r := range d.Rows {
		labels = append(labels, r.Label)
	}
	want := "gone (left) · 0|gone (left) · 1|gone (left) · 2|gone (left) · transfers|one · 0|one · 1|one · transfers|w2 · 0|w2 · transfers"
	if got := strings.Join(labels, "|"); got != want {
		t.Errorf("rows:\n got %s\nwant %s", got, want)
	}
	if len(d.Stream) != 5 || d.Stream[2].Kind != "transfer" || d.Rows[d.Stream[2].Row].Label != "w2 · transfers" || d.Stream[3].Kind != "error" {
		t.Errorf("stream = %+v", d.Stream)
	}
	if b := d.Bandwidth; b.Total != 64 || len(b.Pairs) != 1 || b.Pairs[0].From != "w1" || b.ByType[0].Type != "[]byte" {
		t.Errorf("bandwidth = %+v", b)
	}
	if len(d.Memory) != 2 || d.Memory[0].Name != "one" || !d.Memory[1].Samples[0].Paused {
		t.Errorf("memory = %+v", d.Memory)
	}
	if len(d.Log) != 1 || d.Log[0].T != 10 {
		t.Errorf("log = %+v", d.Log)
	}
}

func TestProfileIsSplitByTaskPrefix(t *testing.T) {
	p := Build(input(t)).Profile
	if p.Seconds != 4 || len(p.Prefixes) != 2 {
		t.Fatalf("profile = %+v", p)
	}
	load := p.Prefixes[0]
	if load.Prefix != "load" || load.Seconds != 3 || load.Top[0].Name != "csv.parse" || load.Top[0].Flat != 2 ||
		load.Top[1].Name != "main.load" || load.Top[1].Cum != 3 || load.Top[1].Flat != 1 {
		t.Errorf("load = %+v", load)
	}
	if p.Prefixes[1].Prefix != NotInTask || p.Prefixes[1].Seconds != 1 {
		t.Errorf("outside tasks = %+v", p.Prefixes[1])
	}
	bad := Build(Input{Profiles: [][]byte{[]byte("nope")}}).Profile
	if len(bad.Notes) != 1 || !strings.Contains(bad.Notes[0], "could not be read") {
		t.Errorf("notes = %v", bad.Notes)
	}
}

type fixedAdvisor struct{}

func (fixedAdvisor) Advise(d *Data) []Finding {
	return []Finding{{Rule: "tasks", Severity: "warning", Message: "few tasks"}}
}

func TestAdvisorHook(t *testing.T) {
	in := input(t)
	if d := Build(in); len(d.Findings) != 0 {
		t.Errorf("findings without an advisor: %+v", d.Findings)
	}
	in.Advisor = fixedAdvisor{}
	if d := Build(in); len(d.Findings) != 1 || d.Findings[0].Message != "few tasks" {
		t.Errorf("findings = %+v", d.Findings)
	}
}

func TestFilesAreSelfContained(t *testing.T) {
	d := Build(input(t))
	d.Log = append(d.Log, LogLine{Text: "</script><script>alert(1)</script>"})
	path := filepath.Join(t.TempDir(), "report.html")
	jsonPath, err := WriteFiles(path, d)
	if err != nil {
		t.Fatal(err)
	}
	if jsonPath != filepath.Join(filepath.Dir(path), "report.json") {
		t.Errorf("JSON at %s", jsonPath)
	}
	page, _ := os.ReadFile(path)
	s := string(page)
	for _, bad := range []string{"<script src", "<link rel=\"stylesheet\"", "http://", "https://", "alert(1)</script>"} {
		if strings.Contains(s, bad) {
			t.Errorf("the page contains %q", bad)
		}
	}
	if strings.Count(s, "<script") != 2 || !strings.Contains(s, "Task stream") {
		t.Error("the page lacks its data or script")
	}
	var back Data
	raw, _ := os.ReadFile(jsonPath)
	if err := json.Unmarshal(raw, &back); err != nil || back.Summary.Tasks != 4 || len(back.Profile.Prefixes) != 2 {
		t.Errorf("report.json: %v, %+v", err, back.Summary)
	}
}

// Runs the workers measured give each prefix its CPU and wait seconds
// against their wall seconds; how many runs of it were at once comes from
// the runs' times on the busiest worker, and GOMAXPROCS from its samples.
func TestPrefixCPUAndParallel(t *testing.T) {
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	run := func(key, worker string, start, stop int, cpu, wait time.Duration) event.Event {
		return event.Event{Kind: event.TaskRun, Key: key, Worker: worker, Start: at(start), Stop: at(stop), CPU: cpu, Wait: wait}
	}
	d := Build(Input{Start: t0, Stop: at(1000), Events: []event.Event{
		// On w1, three runs over 0-200 ms: 400 ms of runs in 200 ms.
		run("io-1", "w1", 0, 200, 10*time.Millisecond, 0),
		run("io-2", "w1", 0, 100, 0, 0), // not measured
		run("io-3", "w1", 100, 200, 5*time.Millisecond, 2*time.Millisecond),
		// On w2, one run at a time.
		run("io-4", "w2", 300, 400, 0, 0),
		{Kind: event.WorkerSample, Time: at(50), Worker: "w1", Memory: &event.MemorySample{Procs: 4}},
	}})
	if len(d.Prefixes) != 1 {
		t.Fatalf("prefixes = %+v", d.Prefixes)
	}
	p := d.Prefixes[0]
	if p.Runs != 4 || p.Measured != 2 || math.Abs(p.MeasuredSeconds-0.3) > 1e-9 || math.Abs(p.CPUSeconds-0.015) > 1e-9 ||
		math.Abs(p.WaitSeconds-0.002) > 1e-9 {
		t.Errorf("measured runs = %+v", p)
	}
	if p.Parallel != 2 || p.Worker != "w1" || p.Procs != 4 {
		t.Errorf("parallel %v on %q with GOMAXPROCS %d, want 2 on w1 with 4", p.Parallel, p.Worker, p.Procs)
	}
}
