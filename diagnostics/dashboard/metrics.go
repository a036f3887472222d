package dashboard

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Registry returns a Prometheus registry with the scheduler's metrics, all
// read from the aggregator's state (the same events as the pages), and
// the Go runtime's and the process's.
func (a *Aggregator) Registry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		a.durations, &collector{a: a})
	return reg
}

var (
	descTasks = prometheus.NewDesc("dusk_scheduler_tasks", "Tasks the scheduler holds, by key prefix and state.",
		[]string{"prefix", "state"}, nil)
	descTasksTotal = prometheus.NewDesc("dusk_scheduler_tasks_total", "Tasks the scheduler has seen, by key prefix.",
		[]string{"prefix"}, nil)
	descRuns = prometheus.NewDesc("dusk_scheduler_task_runs_total", "Task runs reported by workers, by outcome.",
		[]string{"outcome"}, nil)
	descWorkers = prometheus.NewDesc("dusk_scheduler_workers", "Connected workers.", nil, nil)
	descThreads = prometheus.NewDesc("dusk_scheduler_threads", "Threads of the connected workers.", nil, nil)
	descMemory  = prometheus.NewDesc("dusk_worker_memory_bytes", "Workers' memory by kind: managed, unmanaged, spilled.",
		[]string{"worker", "kind"}, nil)
	descLimit     = prometheus.NewDesc("dusk_worker_memory_limit_bytes", "Workers' memory limits.", []string{"worker"}, nil)
	descExecuting = prometheus.NewDesc("dusk_worker_tasks_executing", "Tasks running on each worker.", []string{"worker"}, nil)
	descPaused    = prometheus.NewDesc("dusk_worker_paused", "1 when a worker is paused for memory.", []string{"worker"}, nil)
	descTransfer  = prometheus.NewDesc("dusk_scheduler_transfer_bytes_total", "Bytes moved between workers.", nil, nil)
	descTransfers = prometheus.NewDesc("dusk_scheduler_transfers_total", "Values moved between workers.", nil, nil)
	descSpill     = prometheus.NewDesc("dusk_scheduler_spill_bytes_total", "Bytes written to disk (spill) or read back (unspill).",
		[]string{"direction"}, nil)
	descLost = prometheus.NewDesc("dusk_dashboard_events_lost_total",
		"Events the dashboard did not read before the ring overwrote them.", nil, nil)
	descPages = prometheus.NewDesc("dusk_dashboard_pages", "Dashboard pages connected.", nil, nil)
)

// collector reads the aggregator's state when Prometheus scrapes.
type collector struct{ a *Aggregator }

func (c *collector) Describe(ch chan<- *prometheus.Desc) { prometheus.DescribeByCollect(c, ch) }

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	a := c.a
	a.mu.Lock()
	defer a.mu.Unlock()
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	// Tasks by prefix and state come from the scheduler's snapshot, which
	// is exact: counts folded from events drift when events are lost.
	snap := a.src.Snapshot()
	for name, by := range snap.Prefixes {
		for i := range nStates {
			if taskState(i) != sForgotten {
				gauge(descTasks, float64(by[stateNames[i]]), name, stateNames[i])
			}
		}
	}
	for name, p := range a.prefixes {
		counter(descTasksTotal, float64(p.total), name)
	}
	counter(descRuns, float64(a.totals.runs-a.totals.failures), "ok")
	counter(descRuns, float64(a.totals.failures), "failed")
	threads := 0
	for _, w := range a.workers {
		threads += w.Threads
		gauge(descMemory, float64(w.Managed), w.ID, "managed")
		gauge(descMemory, float64(w.Unmanaged), w.ID, "unmanaged")
		gauge(descMemory, float64(w.Spilled), w.ID, "spilled")
		gauge(descLimit, float64(w.Limit), w.ID)
		gauge(descExecuting, float64(w.Executing), w.ID)
		paused := 0.0
		if w.Paused {
			paused = 1
		}
		gauge(descPaused, paused, w.ID)
	}
	gauge(descWorkers, float64(len(a.workers)))
	gauge(descThreads, float64(threads))
	counter(descTransfer, float64(a.totals.transferBytes))
	counter(descTransfers, float64(a.totals.transfers))
	counter(descSpill, float64(a.totals.spillBytes), "spill")
	counter(descSpill, float64(a.totals.unspillBytes), "unspill")
	counter(descLost, float64(a.lost))
	gauge(descPages, float64(len(a.subs)))
}
