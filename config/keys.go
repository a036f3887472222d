package config

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// keyInfo is one row of the table of known keys.
type keyInfo struct {
	name     string
	kind     kind
	defText  string // the default as it would be written in a file
	doc      string
	auto     bool               // bytes: "auto" is allowed
	inf      bool               // float: "inf" is allowed
	positive bool               // numbers: zero is not allowed
	secret   bool               // Print hides the value
	check    func(string) error // strings: a syntax rule
	syntax   string             // strings: what check wants, for messages

	def any // defText parsed; set when the table is built
}

// table is every known key. Defaults are written as they would be in a
// file; init parses them. Keep each doc to one line.
var table = []*keyInfo{
	{name: "scheduler.worker-saturation", kind: kindFloat, defText: "1.1", inf: true, positive: true,
		doc: "Root tasks sent to a worker per thread before the rest queue on the scheduler; inf disables queuing."},
	{name: "scheduler.work-stealing", kind: kindBool, defText: "true",
		doc: "Whether idle workers steal queued tasks from busy ones."},
	{name: "scheduler.work-stealing-interval", kind: kindDuration, defText: "100ms", positive: true,
		doc: "How often the scheduler looks for work to steal."},
	{name: "scheduler.bandwidth", kind: kindBytes, defText: "100MB", positive: true,
		doc: "Bytes per second assumed between workers until transfers are measured."},
	{name: "scheduler.unknown-task-duration", kind: kindDuration, defText: "500ms",
		doc: "Duration assumed for a task whose prefix has no measured duration yet."},
	{name: "scheduler.allowed-failures", kind: kindInt, defText: "3",
		doc: "Number of workers that may die while running a task before the task is marked failed."},
	{name: "scheduler.events.capacity", kind: kindInt, defText: "100000", positive: true,
		doc: "Number of events the scheduler's event ring holds."},
	{name: "scheduler.events.record", kind: kindBool, defText: "true",
		doc: "Whether the scheduler records events for diagnostics."},
	{name: "scheduler.worker-ttl", kind: kindDuration, defText: "10s",
		doc: "Time without a heartbeat after which a worker is removed; 0 never removes one."},
	{name: "scheduler.client-ttl", kind: kindDuration, defText: "20s", positive: true,
		doc: "Time a client (or worker) may leave the scheduler's keepalive pings unanswered before it is dropped and its work freed."},
	{name: "scheduler.address", kind: kindString, defText: "127.0.0.1:8786",
		doc: "Address the scheduler listens on."},
	{name: "scheduler.dashboard-address", kind: kindString, defText: "127.0.0.1:8787",
		doc: "Address the dashboard listens on."},
	{name: "scheduler.gc-heap-floor", kind: kindBytes, defText: "128MiB",
		doc: "Bytes the Go heap of a process running a scheduler may grow past what was live before the next collection (over Go's GOGC rule for small heaps); 0 keeps Go's default; GOGC in the environment wins."},
	{name: "scheduler.state-directory", kind: kindString, defText: "",
		doc: "Directory where the scheduler keeps its named state (published datasets, queued items, variables, set events), so that a scheduler started again on it restores them; empty keeps them in memory only."},

	{name: "worker.nthreads", kind: kindInt, defText: "0",
		doc: "Threads per worker; 0 means the number of CPUs."},
	{name: "worker.memory.limit", kind: kindBytes, defText: "auto", auto: true,
		doc: "Memory a worker may use; auto derives it from the machine's memory."},
	{name: "worker.memory.target", kind: kindFraction, defText: "0.60",
		doc: "Fraction of the memory limit at which stored data starts to spill to disk; false disables."},
	{name: "worker.memory.spill", kind: kindFraction, defText: "0.70",
		doc: "Fraction of the memory limit, as process memory, at which the worker spills until below target; false disables."},
	{name: "worker.memory.pause", kind: kindFraction, defText: "0.80",
		doc: "Fraction of the memory limit at which the worker stops starting tasks; false disables."},
	{name: "worker.memory.terminate", kind: kindFraction, defText: "0.95",
		doc: "Fraction of the memory limit at which the nanny restarts the worker; false disables."},
	{name: "worker.memory.monitor-interval", kind: kindDuration, defText: "100ms", positive: true,
		doc: "How often the worker measures its memory."},
	{name: "worker.memory.max-spill", kind: kindBytes, defText: "0",
		doc: "Most bytes a worker spills to disk; 0 means unlimited."},
	{name: "worker.spill-directory", kind: kindString, defText: "",
		doc: "Directory for spilled data; empty means the OS temporary directory."},
	{name: "worker.memory.gc-heap-floor", kind: kindBytes, defText: "64MiB",
		doc: "As scheduler.gc-heap-floor, for a worker's own process; its memory limit still makes Go collect earlier as it nears it."},
	{name: "worker.heartbeat-interval", kind: kindDuration, defText: "500ms", positive: true,
		doc: "How often a worker reports to the scheduler."},
	{name: "worker.transfer.chunk-size", kind: kindBytes, defText: "8MiB", positive: true,
		doc: "Size of the pieces a value is cut into when it moves between workers; a value up to it moves in one piece, not copied again to be joined."},
	{name: "worker.transfer.max-connections", kind: kindInt, defText: "50", positive: true,
		doc: "Most transfers a worker runs with its peers at once."},
	{name: "worker.resources", kind: kindString, defText: "", check: checkResources, syntax: "a list like GPU=1,MEM=2",
		doc: "Abstract resources the worker offers to tasks, like GPU=1,MEM=2."},
	{name: "worker.metrics-address", kind: kindString, defText: "",
		doc: "Address a worker serves Prometheus metrics and pprof on, behind the token; empty serves none."},
	{name: "worker.death-timeout", kind: kindDuration, defText: "0s",
		doc: "How long the scheduler may stay out of reach before a worker gives up and exits; 0 never gives up."},
	{name: "worker.lifetime", kind: kindDuration, defText: "0s",
		doc: "How long a worker lives before it retires gracefully (its data handed to other workers first); 0 lives on."},
	{name: "worker.lifetime-stagger", kind: kindDuration, defText: "0s",
		doc: "A random amount, up to this much either way, added to each worker's lifetime so that workers started together do not all leave together."},
	{name: "worker.lifetime-restart", kind: kindBool, defText: "false",
		doc: "Whether a worker whose lifetime ended is started again fresh by its nanny, instead of leaving for good."},
	{name: "worker.accept-binaries", kind: kindBool, defText: "true",
		doc: "Whether a worker under a nanny switches to an executable a client ships (dusk.ShipBinary); the token is what admits clients, as it admits their tasks."},
	{name: "worker.nanny", kind: kindBool, defText: "true",
		doc: "Whether a nanny process supervises the worker and restarts it."},

	{name: "client.reconnect-timeout", kind: kindDuration, defText: "1m",
		doc: "How long a client that lost its scheduler tries to reconnect (then re-submits what its futures still need) before its futures fail as lost; 0 fails them at once."},

	{name: "comm.timeouts.connect", kind: kindDuration, defText: "10s", positive: true,
		doc: "Time allowed to establish a connection."},
	{name: "comm.token", kind: kindString, defText: "", secret: true,
		doc: "Token every connection presents; empty generates one for a local cluster."},
	{name: "comm.token-file", kind: kindString, defText: "",
		doc: "File holding the token, readable by its owner only; comm.token wins; dusk scheduler writes a new token to it if it does not exist."},
	{name: "comm.tls.cert", kind: kindString, defText: "",
		doc: "PEM certificate file for mutual TLS, also served by the dashboard, metrics and pprof (HTTPS); empty disables TLS."},
	{name: "comm.tls.key", kind: kindString, defText: "",
		doc: "PEM private key file of the TLS certificate."},
	{name: "comm.tls.ca", kind: kindString, defText: "",
		doc: "PEM file of the certificate authorities that sign peers' certificates."},

	{name: "optimization.fuse.active", kind: kindBool, defText: "true",
		doc: "Whether linear chains of tasks are fused before a graph is sent."},
	{name: "optimization.fuse.max-height", kind: kindInt, defText: "128", positive: true,
		doc: "Most tasks fused into one chain."},
	{name: "optimization.fuse.ave-width", kind: kindInt, defText: "0",
		doc: "Blockwise fusion: a task absorbs several dependencies that are each its alone while the fused tree stays narrow (Dask's ave_width: 1 fuses two branches); 0 fuses linear chains only. Arrays compute with 1 unless told otherwise."},

	{name: "optimization.auto-scatter.active", kind: kindBool, defText: "true",
		doc: "Whether large literal task arguments are scattered to the workers once and referred to, instead of travelling with every task."},
	{name: "optimization.auto-scatter.threshold", kind: kindBytes, defText: "1MiB", positive: true,
		doc: "A literal argument this large, or one that several tasks of a graph pass and that adds this much to the graph in all, is auto-scattered."},
	{name: "optimization.coalesce.active", kind: kindBool, defText: "true",
		doc: "Whether a dataframe's plan joins runs of tiny neighbouring partitions (32 or more, when that at least halves them) before a shuffle or a group-by's reduction."},
	{name: "optimization.coalesce.target", kind: kindBytes, defText: "128MiB", positive: true,
		doc: "The size coalesced partitions are joined up to (the guide's 100-300 MB per partition)."},
	{name: "optimization.adaptive.active", kind: kindBool, defText: "true",
		doc: "Whether a dataframe's shuffled Merge decides at run time, once the map side of its shuffles has run and the output partitions' sizes are known: a side that turned out under the broadcast threshold is broadcast (the other side is not shuffled), tiny neighbouring outputs are read as one partition (up to optimization.coalesce.target, when coalescing is on), skewed outputs are split."},
	{name: "optimization.adaptive.skew-factor", kind: kindFloat, defText: "5", positive: true,
		doc: "A shuffle output partition is skewed when it is this many times larger than the median output and larger than optimization.adaptive.skew-bytes: its side is split into pieces of about optimization.coalesce.target, each joined with the other side's matching partition."},
	{name: "optimization.adaptive.skew-bytes", kind: kindBytes, defText: "256MiB", positive: true,
		doc: "The size under which no shuffle output partition counts as skewed, whatever optimization.adaptive.skew-factor says."},
	{name: "optimization.persist-shared.active", kind: kindBool, defText: "false",
		doc: "Whether the client keeps on the cluster the results of a branch that consecutive computations share (computed again, or used by a lazy value not yet computed), so that the next computation takes them instead of computing them again; it costs their memory until they are released."},
	{name: "optimization.persist-shared.min-seconds", kind: kindDuration, defText: "1s",
		doc: "A shared branch is kept (and, with persist-shared off, a recomputed one reported) only when the computation that ran it took at least this long."},
	{name: "optimization.persist-shared.release-after", kind: kindInt, defText: "3", positive: true,
		doc: "A kept branch is released after this many computations of the client that do not use it (also by Client.ReleaseShared, and when the client closes)."},

	{name: "advisor.large-graph.tasks", kind: kindInt, defText: "1000000", positive: true,
		doc: "A graph of more tasks than this is a finding (large-graph) before it is sent, with the partition count that would bring it under; it is still sent."},
	{name: "advisor.large-graph.bytes", kind: kindBytes, defText: "1GiB", positive: true,
		doc: "A graph whose tasks encode to more than this is a finding (large-graph) before it is sent; it is still sent."},
	{name: "advisor.large-gather.bytes", kind: kindBytes, defText: "1GiB", positive: true,
		doc: "Gathering more than this to the client (Result, Gather, Compute) is a finding (large-gather) naming the call site."},

	{name: "dataframe.broadcast-threshold", kind: kindBytes, defText: "100MiB",
		doc: "A join side smaller than this is sent to every worker instead of shuffled (Merge's BroadcastThreshold default)."},
	{name: "dataframe.partition-size", kind: kindBytes, defText: "64MiB", positive: true,
		doc: "Most bytes of a CSV or JSON file one partition reads (ReadCSV's BlockSize, ReadJSON's JSONBlockSize default), and of a Parquet file's consecutive row groups, uncompressed (ReadParquet's ParquetBlockSize default)."},
}

// Built from table by init, read-only afterwards.
var (
	byName   = map[string]*keyInfo{} // canonical name to row
	sections = map[string]bool{}     // every proper prefix of a key: "worker", "worker.memory", ...
	names    []string                // every key, sorted
)

func init() {
	for _, k := range table {
		if k.name != canonical(k.name) || byName[k.name] != nil {
			panic("config: bad or repeated key in table: " + k.name)
		}
		v, err := k.parse(k.defText)
		if err != nil {
			panic(fmt.Sprintf("config: default of %s: %v", k.name, err))
		}
		k.def = v
		byName[k.name] = k
		names = append(names, k.name)
		for i, c := range k.name {
			if c == '.' {
				sections[k.name[:i]] = true
			}
		}
	}
	slices.Sort(names)
	for _, n := range names {
		if sections[n] {
			panic("config: key " + n + " is also a section")
		}
	}
}

// canonical folds the spellings of a key that name the same key: case, and
// "_" for "-".
func canonical(key string) string {
	return strings.ToLower(strings.ReplaceAll(key, "_", "-"))
}

// lookup finds a key's row; src says where the key was written, for the
// error.
func lookup(key string, src Source) (*keyInfo, error) {
	if k := byName[canonical(key)]; k != nil {
		return k, nil
	}
	return nil, &UnknownKeyError{Key: key, Suggestion: suggest(canonical(key)), Source: src}
}

// checkResources checks a worker's resources: comma-separated NAME=number
// pairs, each number 0 or more.
func checkResources(s string) error {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	for item := range strings.SplitSeq(s, ",") {
		name, num, ok := strings.Cut(item, "=")
		if !ok || strings.TrimSpace(name) == "" {
			return fmt.Errorf("resource %q: want NAME=number", item)
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
		if err != nil {
			return fmt.Errorf("resource %q: %w", item, err)
		}
		if !(f >= 0) || math.IsInf(f, 1) {
			return fmt.Errorf("resource %q: %w", item, errRange)
		}
	}
	return nil
}
