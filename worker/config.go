package worker

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"

	"github.com/dusk-go/dusk/cluster/resources"
	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/worker/store"
)

// OptionsFromConfig returns worker options from configuration: threads,
// memory limit and thresholds, spill directory and maximum, resources,
// heartbeat interval, transfer chunk size, security (with the token file
// named, not read: see wire.Security.Resolve). The scheduler address and
// listener are left to the caller, and so is OwnsProcess.
func OptionsFromConfig(c *config.Config) (Options, error) {
	res, err := resources.Parse(c.String("worker.resources"))
	if err != nil {
		return Options{}, err
	}
	o := Options{
		NThreads:          c.Int("worker.nthreads"),
		Resources:         res,
		HeartbeatInterval: c.Duration("worker.heartbeat-interval"),
		ChunkSize:         int(c.Bytes("worker.transfer.chunk-size")),
		MaxFetches:        c.Int("worker.transfer.max-connections"),
		DeathTimeout:      c.Duration("worker.death-timeout"),
		Lifetime:          c.Duration("worker.lifetime"),
		LifetimeStagger:   c.Duration("worker.lifetime-stagger"),
		LifetimeRestart:   c.Bool("worker.lifetime-restart"),
		RefuseBinaries:    !c.Bool("worker.accept-binaries"),
		ConnectTimeout:    c.Duration("comm.timeouts.connect"),
		MetricsAddress:    c.String("worker.metrics-address"),
		Security: wire.Security{
			Token: c.String("comm.token"), TokenFile: c.String("comm.token-file"),
			CertFile: c.String("comm.tls.cert"), KeyFile: c.String("comm.tls.key"), CAFile: c.String("comm.tls.ca"),
		},
	}
	if o.NThreads <= 0 {
		o.NThreads = runtime.NumCPU()
	}
	o.MemoryLimit = c.Bytes("worker.memory.limit")
	if o.MemoryLimit == config.AutoBytes {
		o.MemoryLimit = AutoMemoryLimit(o.NThreads)
	}
	th := store.ThresholdsFromConfig(c)
	if err := th.Validate(); err != nil {
		return Options{}, err
	}
	o.Thresholds = &th
	o.MemoryMonitorInterval = c.Duration("worker.memory.monitor-interval")
	o.MaxSpill = c.Bytes("worker.memory.max-spill")
	o.GCHeapFloor = c.Bytes("worker.memory.gc-heap-floor")
	o.LocalDirectory = c.String("worker.spill-directory")
	return o, nil
}

// AutoMemoryLimit is the "auto" memory limit of a worker with nthreads
// threads: the machine's memory shared in proportion to threads (Dask's
// rule).
func AutoMemoryLimit(nthreads int) int64 {
	total := SystemMemory()
	if total <= 0 {
		return 0
	}
	share := float64(nthreads) / float64(runtime.NumCPU())
	if share > 1 {
		share = 1
	}
	return int64(float64(total) * share)
}

// SystemMemory returns the machine's memory in bytes (0 if unknown), or the
// cgroup's limit when it is lower.
func SystemMemory() int64 {
	var total int64
	if f, err := os.Open("/proc/meminfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Bytes()
			if bytes.HasPrefix(line, []byte("MemTotal:")) {
				fs := bytes.Fields(line)
				if len(fs) >= 2 {
					kb, _ := strconv.ParseInt(string(fs[1]), 10, 64)
					total = kb << 10
				}
				break
			}
		}
		f.Close()
	}
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if n, err := strconv.ParseInt(string(bytes.TrimSpace(b)), 10, 64); err == nil && n > 0 && (total == 0 || n < total) {
			total = n
		}
	}
	return total
}
