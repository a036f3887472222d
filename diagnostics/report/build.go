package report

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/diagnostics/layout"
	"github.com/dusk-go/dusk/graph"
)

// Input is what a report is built from.
type Input struct {
	// Start and Stop bound the stretch of time the report covers.
	Start, Stop time.Time
	// Events are the scheduler's events of that time, in order; Lost
	// counts those the collector missed.
	Events []event.Event
	Lost   uint64
	// Workers describes the workers at the end.
	Workers []Worker
	// Profiles are CPU profiles of worker processes (pprof protobufs),
	// with samples labelled "task" = key prefix; ProfileNotes says which
	// workers could not be profiled and why.
	Profiles     [][]byte
	ProfileNotes []string
	// Scheduler is the scheduler's address; Caller the file:line of the
	// code the report is about; Versions the versions of what ran.
	Scheduler string
	Caller    string
	Versions  map[string]string
	// Advisor adds findings; nil means none.
	Advisor Advisor
}

// Worker is a worker's static facts.
type Worker struct {
	ID, Address, Name string
	Threads           int
	MemoryLimit       int64
	Resources         map[string]float64
}

// MaxBars bounds the task stream of a report, to keep the file small.
const MaxBars = 50000

// Build turns the input into the report's data.
func Build(in Input) *Data {
	d := &Data{Rows: []Row{}, Stream: []Bar{}, Memory: []WorkerMemory{}, Log: []LogLine{}, Advice: []AdviceLine{}, Findings: []Finding{},
		Transitions: []Step{}, Prefixes: []PrefixTime{}, Bandwidth: Bandwidth{Pairs: []Pair{}, ByType: []TypeBytes{}}}
	start := in.Start
	if start.IsZero() && len(in.Events) > 0 {
		start = in.Events[0].Time
	}
	rel := func(t time.Time) float64 {
		if t.IsZero() {
			return 0
		}
		return float64(t.Sub(start)) / 1e6
	}
	s := &d.Summary
	s.Start, s.Stop, s.Scheduler, s.Caller, s.Versions = start, in.Stop, in.Scheduler, in.Caller, in.Versions
	s.Duration = in.Stop.Sub(start).Seconds()
	s.Events, s.Lost = len(in.Events), in.Lost

	rowOf := buildRows(d, in)
	prefixes := map[string]*PrefixTime{}
	types := map[string]string{} // key -> type of its value
	pairs := map[[2]string]*Pair{}
	mem := map[string]*WorkerMemory{}
	latest := map[string]int64{} // worker -> memory in its last sample
	runs := map[string][]span{}  // prefix -> its runs, for how many ran at once
	procs := map[string]int{}    // worker -> its process's GOMAXPROCS
	for i := range in.Events {
		e := &in.Events[i]
		switch e.Kind {
		case event.TaskRun:
			p := prefixes[graph.Key(e.Key).Prefix()]
			if p == nil {
				name := graph.Key(e.Key).Prefix()
				p = &PrefixTime{Name: name, Color: layout.PrefixColor(name)}
				prefixes[name] = p
			}
			p.Runs++
			s.Tasks++
			kind := "task"
			if e.Failed {
				p.Failed++
				s.Failed++
				kind = "error"
			} else if e.Detail != "" {
				types[e.Key] = e.Detail
			}
			if dur := e.Stop.Sub(e.Start).Seconds(); !e.Start.IsZero() && dur > 0 {
				p.Seconds += dur
				p.Max = max(p.Max, dur)
				s.ComputeTime += dur
				runs[p.Name] = append(runs[p.Name], span{worker: e.Worker, start: e.Start, stop: e.Stop})
				if e.CPU > 0 {
					p.Measured++
					p.MeasuredSeconds += dur
					p.CPUSeconds += e.CPU.Seconds()
					p.WaitSeconds += e.Wait.Seconds()
				}
			}
			p.NBytes += e.NBytes
			d.addBar(Bar{Row: rowOf(e.Worker, e.Thread), Kind: kind, Prefix: p.Name, Key: e.Key, Start: rel(e.Start), Stop: rel(e.Stop)})
		case event.Transfer:
			s.Transfers++
			s.TransferBytes += e.NBytes
			pr := pairs[[2]string{e.Peer, e.Worker}]
			if pr == nil {
				pr = &Pair{From: e.Peer, To: e.Worker}
				pairs[[2]string{e.Peer, e.Worker}] = pr
			}
			pr.Bytes += e.NBytes
			pr.Count++
			if e.Stop.After(e.Start) && !e.Start.IsZero() {
				pr.Seconds += e.Stop.Sub(e.Start).Seconds()
			}
			d.addBar(Bar{Row: rowOf(e.Worker, -1), Kind: "transfer", Prefix: graph.Key(e.Key).Prefix(), Key: e.Key,
				Start: rel(e.Start), Stop: rel(e.Stop), NBytes: e.NBytes})
		case event.Spill, event.Unspill:
			d.addBar(Bar{Row: rowOf(e.Worker, -1), Kind: e.Kind.String(), Prefix: graph.Key(e.Key).Prefix(), Key: e.Key,
				Start: rel(e.Start), Stop: rel(e.Stop), NBytes: e.NBytes})
		case event.WorkerSample:
			m := e.Memory
			if m == nil {
				continue
			}
			wm := mem[e.Worker]
			if wm == nil {
				wm = &WorkerMemory{Worker: e.Worker, Name: e.Worker, Samples: []MemPoint{}}
				mem[e.Worker] = wm
			}
			wm.Limit = max(wm.Limit, m.Limit)
			wm.Samples = append(wm.Samples, MemPoint{T: rel(e.Time), Managed: m.Managed, Unmanaged: m.Unmanaged, UnmanagedRecent: m.UnmanagedRecent,
				Spilled: m.Spilled, CPU: m.CPU, Paused: m.Paused})
			latest[e.Worker] = m.Managed + m.Unmanaged
			if m.Procs > 0 {
				procs[e.Worker] = m.Procs
			}
			total := int64(0)
			for _, v := range latest {
				total += v
			}
			s.PeakMemory = max(s.PeakMemory, total)
		case event.Log:
			d.Log = append(d.Log, LogLine{T: rel(e.Time), Level: e.Key, Text: e.Detail})
		case event.Advice:
			d.Advice = append(d.Advice, AdviceLine{T: rel(e.Time), Client: e.Worker, Rule: e.Key, Message: e.Detail,
				Remedy: e.Remedy, Fixed: e.Fixed})
		case event.Transition:
			d.Transitions = append(d.Transitions, Step{Key: e.Key, T: rel(e.Time), From: e.From, To: e.To,
				Worker: e.Worker, Cause: e.Cause, Stimulus: e.Stimulus})
		}
	}
	if n := len(d.Transitions) - MaxTransitions; n > 0 {
		d.TransitionsDropped = n
		d.Transitions = slices.Clone(d.Transitions[n:])
	}
	for _, name := range slices.Sorted(maps.Keys(prefixes)) {
		p := prefixes[name]
		if p.Runs > 0 {
			p.Mean = p.Seconds / float64(p.Runs)
		}
		p.Parallel, p.Worker = parallel(runs[name])
		p.Procs = procs[p.Worker]
		d.Prefixes = append(d.Prefixes, *p)
	}
	slices.SortStableFunc(d.Prefixes, func(a, b PrefixTime) int { return cmp.Compare(b.Seconds, a.Seconds) })
	bandwidth(d, in.Events, pairs, types)
	for _, w := range in.Workers {
		if wm := mem[w.ID]; wm != nil {
			wm.Name = cmp.Or(w.Name, w.Address)
			wm.Limit = max(wm.Limit, w.MemoryLimit)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(mem)) {
		d.Memory = append(d.Memory, *mem[id])
	}
	d.Profile = buildProfile(in.Profiles, in.ProfileNotes)
	if in.Advisor != nil {
		d.Findings = append(d.Findings, in.Advisor.Advise(d)...)
	}
	return d
}

func (d *Data) addBar(b Bar) {
	if len(d.Stream) >= MaxBars {
		d.Dropped++
		return
	}
	if b.Stop < b.Start {
		b.Stop = b.Start
	}
	d.Stream = append(d.Stream, b)
}

// buildRows lays out the task stream's rows (each worker's threads, then
// its transfer row) and fills in the summary's workers, threads and
// memory; it returns the function that finds a bar's row.
func buildRows(d *Data, in Input) func(worker string, thread int) int {
	threads := map[string]int{}
	names := map[string]string{}
	limitKnown := true
	for _, w := range in.Workers {
		threads[w.ID] = max(w.Threads, 1)
		names[w.ID] = cmp.Or(w.Name, w.Address, w.ID)
		d.Summary.Threads += w.Threads
		if w.MemoryLimit <= 0 {
			limitKnown = false
		}
		d.Summary.MemoryLimit += w.MemoryLimit
	}
	d.Summary.Workers = len(in.Workers)
	if !limitKnown {
		d.Summary.MemoryLimit = 0
	}
	// Workers that left before the end still have rows.
	for _, e := range in.Events {
		if e.Worker == "" || (e.Kind != event.TaskRun && e.Kind != event.Transfer && e.Kind != event.Spill && e.Kind != event.Unspill) {
			continue
		}
		if _, ok := names[e.Worker]; !ok {
			names[e.Worker] = e.Worker + " (left)"
		}
		threads[e.Worker] = max(threads[e.Worker], e.Thread+1)
	}
	index := map[[2]any]int{}
	for _, id := range slices.Sorted(maps.Keys(names)) {
		for t := range threads[id] {
			index[[2]any{id, t}] = len(d.Rows)
			d.Rows = append(d.Rows, Row{Worker: id, Thread: t, Label: fmt.Sprintf("%s · %d", names[id], t)})
		}
		index[[2]any{id, -1}] = len(d.Rows)
		d.Rows = append(d.Rows, Row{Worker: id, Thread: -1, Label: names[id] + " · transfers"})
	}
	return func(worker string, thread int) int {
		if thread < -1 {
			thread = 0
		}
		return index[[2]any{worker, thread}]
	}
}

// bandwidth fills in what moved between workers and of which types.
func bandwidth(d *Data, evs []event.Event, pairs map[[2]string]*Pair, types map[string]string) {
	byType := map[string]*TypeBytes{}
	for i := range evs {
		e := &evs[i]
		if e.Kind != event.Transfer {
			continue
		}
		t := types[e.Key]
		if t == "" {
			t = "unknown (" + graph.Key(e.Key).Prefix() + ")"
		}
		tb := byType[t]
		if tb == nil {
			tb = &TypeBytes{Type: t}
			byType[t] = tb
		}
		tb.Bytes += e.NBytes
		tb.Count++
		d.Bandwidth.Total += e.NBytes
	}
	for _, k := range slices.SortedFunc(maps.Keys(pairs), func(a, b [2]string) int {
		return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
	}) {
		d.Bandwidth.Pairs = append(d.Bandwidth.Pairs, *pairs[k])
	}
	for _, t := range slices.Sorted(maps.Keys(byType)) {
		d.Bandwidth.ByType = append(d.Bandwidth.ByType, *byType[t])
	}
	slices.SortStableFunc(d.Bandwidth.ByType, func(a, b TypeBytes) int { return cmp.Compare(b.Bytes, a.Bytes) })
}
