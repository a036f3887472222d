package report

import "time"

// Data is everything a report shows. It is what report.json holds.
type Data struct {
	Summary   Summary        `json:"summary"`
	Prefixes  []PrefixTime   `json:"prefixes"`
	Rows      []Row          `json:"rows"`
	Stream    []Bar          `json:"stream"`
	Dropped   int            `json:"streamDropped"` // bars left out to keep the file small
	Memory    []WorkerMemory `json:"memory"`
	Bandwidth Bandwidth      `json:"bandwidth"`
	Profile   Profile        `json:"profile"`
	Log       []LogLine      `json:"log"`
	// Advice is what clients did or found before the work ran (their
	// automatic fixes and findings about work being sent), in time order;
	// the advisor lists it among its findings.
	Advice   []AdviceLine `json:"advice"`
	Findings []Finding    `json:"findings"`
	// Transitions are the scheduler's task transitions with their causes,
	// the last MaxTransitions of the run, for the stories of keys;
	// TransitionsDropped counts the earlier ones left out.
	Transitions        []Step `json:"transitions"`
	TransitionsDropped int    `json:"transitionsDropped"`
}

// Summary is the report's first table.
type Summary struct {
	Start         time.Time         `json:"start"`
	Stop          time.Time         `json:"stop"`
	Duration      float64           `json:"duration"` // seconds
	Tasks         int               `json:"tasks"`    // task runs
	Failed        int               `json:"failed"`
	ComputeTime   float64           `json:"computeTime"` // seconds of task runs, summed
	Transfers     int               `json:"transfers"`
	TransferBytes int64             `json:"transferBytes"`
	Workers       int               `json:"workers"`
	Threads       int               `json:"threads"`
	MemoryLimit   int64             `json:"memoryLimit"` // summed over workers (0: some have none)
	PeakMemory    int64             `json:"peakMemory"`  // highest sum of workers' memory in one sample round
	Scheduler     string            `json:"scheduler"`
	Caller        string            `json:"caller"` // file:line of the code the report is about
	Versions      map[string]string `json:"versions"`
	Events        int               `json:"events"`
	Lost          uint64            `json:"lost"` // events the collector missed
}

// PrefixTime is the time spent on one task prefix.
type PrefixTime struct {
	Name    string  `json:"name"`
	Color   string  `json:"color"`
	Runs    int     `json:"runs"`
	Failed  int     `json:"failed"`
	Seconds float64 `json:"seconds"`
	Mean    float64 `json:"mean"`
	Max     float64 `json:"max"`
	NBytes  int64   `json:"nbytes"` // bytes of results
	// The runs the workers measured (they measure a sample): how many,
	// their wall seconds, and of those the seconds on the CPU and waiting
	// for a core; the rest of their wall time was off the CPU (I/O,
	// sleeping, or waiting for a Go processor).
	Measured        int     `json:"measured"`
	MeasuredSeconds float64 `json:"measuredSeconds"`
	CPUSeconds      float64 `json:"cpuSeconds"`
	WaitSeconds     float64 `json:"waitSeconds"`
	// Parallel is how many runs of the prefix ran at once, on average
	// while any did, on the worker where that was most; Worker is that
	// worker and Procs its process's GOMAXPROCS (0: no sample told).
	Parallel float64 `json:"parallel"`
	Worker   string  `json:"worker,omitempty"`
	Procs    int     `json:"procs"`
}

// Row is one row of the task stream: a worker thread, or a worker's
// transfers and spills (Thread -1).
type Row struct {
	Worker string `json:"worker"`
	Thread int    `json:"thread"`
	Label  string `json:"label"`
}

// Bar is one stretch of work in the task stream; times are milliseconds
// since the report's start.
type Bar struct {
	Row    int     `json:"r"`
	Kind   string  `json:"k"` // task, error, transfer, spill, unspill
	Prefix string  `json:"p"`
	Key    string  `json:"key"`
	Start  float64 `json:"s"`
	Stop   float64 `json:"e"`
	NBytes int64   `json:"b,omitempty"`
}

// WorkerMemory is one worker's memory over time.
type WorkerMemory struct {
	Worker  string     `json:"worker"`
	Name    string     `json:"name"`
	Limit   int64      `json:"limit"`
	Samples []MemPoint `json:"samples"`
}

// MemPoint is one memory sample; T is milliseconds since the start.
type MemPoint struct {
	T         float64 `json:"t"`
	Managed   int64   `json:"managed"`
	Unmanaged int64   `json:"unmanaged"`
	// UnmanagedRecent is the part of Unmanaged that appeared in the last
	// 30 seconds.
	UnmanagedRecent int64   `json:"unmanagedRecent,omitempty"`
	Spilled         int64   `json:"spilled"`
	CPU             float64 `json:"cpu"`
	Paused          bool    `json:"paused,omitempty"`
}

// Bandwidth is what moved between workers.
type Bandwidth struct {
	Total  int64       `json:"total"`
	Pairs  []Pair      `json:"pairs"`
	ByType []TypeBytes `json:"byType"`
}

// Pair is what one worker sent another.
type Pair struct {
	From    string  `json:"from"`
	To      string  `json:"to"`
	Bytes   int64   `json:"bytes"`
	Count   int     `json:"count"`
	Seconds float64 `json:"seconds"` // time spent transferring
}

// TypeBytes is what moved of one type of value.
type TypeBytes struct {
	Type  string `json:"type"`
	Bytes int64  `json:"bytes"`
	Count int    `json:"count"`
}

// Profile is the workers' CPU profile split by task prefix.
type Profile struct {
	Seconds  float64         `json:"seconds"` // CPU seconds sampled
	Prefixes []ProfilePrefix `json:"prefixes"`
	Notes    []string        `json:"notes"` // workers that could not be profiled, and why
}

// ProfilePrefix is the CPU time of one task prefix ("(not in a task)" for
// samples without the label: the worker's own work, the runtime, GC) and
// its costliest functions.
type ProfilePrefix struct {
	Prefix  string  `json:"prefix"`
	Color   string  `json:"color"`
	Seconds float64 `json:"seconds"`
	Top     []Func  `json:"top"`
}

// Func is a function's CPU time within a prefix: Flat in the function
// itself, Cum in it and what it called.
type Func struct {
	Name string  `json:"name"`
	Flat float64 `json:"flat"`
	Cum  float64 `json:"cum"`
}

// LogLine is a line of the scheduler's log; T is milliseconds since the
// start.
type LogLine struct {
	T     float64 `json:"t"`
	Level string  `json:"level"`
	Text  string  `json:"text"`
}

// Finding is one piece of advice about the run.
type Finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"` // info, warning, problem
	Message  string `json:"message"`
	Advice   string `json:"advice"`
}

// AdviceLine is one piece of advice a client recorded (dusk.Advice).
type AdviceLine struct {
	T       float64 `json:"t"` // milliseconds from the start
	Client  string  `json:"client"`
	Rule    string  `json:"rule"`
	Message string  `json:"message"`
	Remedy  string  `json:"remedy"`
	Fixed   bool    `json:"fixed"`
}

// Advisor reads a report's data and says what could be better (dusk's
// advisor package is one); set Input.Advisor and its findings appear in
// the report.
type Advisor interface {
	Advise(*Data) []Finding
}

// MaxTransitions bounds the transitions a report keeps (the last ones).
const MaxTransitions = 20000

// Step is one transition of a task: when (milliseconds from the start),
// from and to which state, on which worker, and the scheduler's cause (its
// number and the kind of event it was handling).
type Step struct {
	Key      string  `json:"key"`
	T        float64 `json:"t"`
	From     string  `json:"from"`
	To       string  `json:"to"`
	Worker   string  `json:"worker,omitempty"`
	Cause    uint64  `json:"cause"`
	Stimulus string  `json:"stimulus"`
}
