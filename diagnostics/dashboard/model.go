package dashboard

// The JSON the page receives. Times are milliseconds since the Unix epoch
// (JavaScript's Date.now), so the page needs no parsing.

// Update is one message to the page: a snapshot when Reset is set, else
// what changed since the previous message (new bars and log lines; the
// small tables are always whole).
type Update struct {
	Reset     bool         `json:"reset,omitempty"`
	Scheduler string       `json:"scheduler"`
	Now       float64      `json:"now"`
	Seq       uint64       `json:"seq"`
	Lost      uint64       `json:"lost"`    // events the aggregator missed (the ring overflowed)
	Dropped   uint64       `json:"dropped"` // bars left out of the stream to keep messages small
	Tasks     int          `json:"tasks"`   // tasks the scheduler holds
	Bars      []Bar        `json:"bars"`
	Prefixes  []PrefixStat `json:"prefixes"`
	Workers   []WorkerStat `json:"workers"`
	Logs      []LogLine    `json:"logs,omitempty"`
}

// Bar is one stretch of work in the task stream: a task on a thread, or a
// transfer, spill or unspill on a worker.
type Bar struct {
	Worker string  `json:"w"`
	Thread int     `json:"t"` // -1: the worker's transfer/spill row
	Kind   string  `json:"k"` // "task", "error", "transfer", "spill", "unspill"
	Prefix string  `json:"p"`
	Key    string  `json:"key"`
	Start  float64 `json:"s"`
	Stop   float64 `json:"e"`
	NBytes int64   `json:"b,omitempty"`
}

// PrefixStat is the progress of one task prefix: how many of its tasks are
// in each state now, and how many ran.
type PrefixStat struct {
	Name       string  `json:"name"`
	Color      string  `json:"color"`
	Waiting    int     `json:"waiting"` // waiting, queued or no-worker
	Processing int     `json:"processing"`
	Memory     int     `json:"memory"`
	Erred      int     `json:"erred"`
	Done       int     `json:"done"` // finished and since released or forgotten
	Total      int     `json:"total"`
	Runs       int     `json:"runs"`
	Seconds    float64 `json:"seconds"` // compute time of the runs
}

// WorkerStat is one worker's static facts and its last sample.
type WorkerStat struct {
	ID        string             `json:"id"`
	Address   string             `json:"address"`
	Name      string             `json:"name"`
	Threads   int                `json:"threads"`
	Resources map[string]float64 `json:"resources,omitempty"`
	Limit     int64              `json:"limit"`
	Status    string             `json:"status"`
	Managed   int64              `json:"managed"`
	Unmanaged int64              `json:"unmanaged"`
	Spilled   int64              `json:"spilled"`
	CPU       float64            `json:"cpu"`
	Executing int                `json:"executing"`
	Ready     int                `json:"ready"`
	Paused    bool               `json:"paused"`
	BytesIn   int64              `json:"bytesIn"`
	BytesOut  int64              `json:"bytesOut"`
}

// LogLine is a line of the scheduler's log.
type LogLine struct {
	Time  float64 `json:"time"`
	Level string  `json:"level"`
	Text  string  `json:"text"`
}
