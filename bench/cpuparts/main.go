// Command cpuparts says where a benchmark's CPU went, per task: it reads
// CPU profiles (the client's -cpuprofile and the workers' DUSK_CPUPROFILE
// files of one bench/core run) and counts each sample to the first of
// dusk's parts found anywhere on its stack, in this order: the
// scheduler's core, diagnostics, marshalling (protobuf and the generated
// codec, whoever calls them), the worker, the scheduler's shell, the
// client, the collector's background work, gRPC, and the rest of the
// runtime. It prints each profile's parts and their sum in µs of CPU per
// task:
//
//	DUSK_CPUPROFILE=/tmp/p/w go run -tags duckdb_arrow ./bench/core -dask=false -reps 30 -only merge -cpuprofile /tmp/p/client.prof
//	go run ./bench/cpuparts -tasks 750000 /tmp/p/client.prof /tmp/p/w.*
//
// -tasks is the number of tasks the profiles cover (here 30 runs of
// 25,000; the warm-up run is left out of the count, as bench/README.md's
// tables do).
package main

import (
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/google/pprof/profile"
)

// part is one bucket of CPU and the functions that put a sample in it.
type part struct {
	name  string
	match *regexp.Regexp
}

// parts are tried in order; the first whose pattern matches any function
// on a sample's stack takes the sample.
var parts = []part{
	{"core", regexp.MustCompile(`dusk/scheduler/state\.`)},
	{"diagnostics", regexp.MustCompile(`dusk/diagnostics/`)},
	{"marshalling", regexp.MustCompile(`google\.golang\.org/protobuf|dusk/wire/pb\.`)},
	{"worker", regexp.MustCompile(`dusk/worker`)},
	{"shell", regexp.MustCompile(`dusk/scheduler\.`)},
	{"client", regexp.MustCompile(`github\.com/dusk-go/dusk\.|dusk/graph\.`)},
	{"collection", regexp.MustCompile(`runtime\.gcBgMarkWorker`)},
	{"grpc", regexp.MustCompile(`google\.golang\.org/grpc`)},
	{"runtime", regexp.MustCompile(`.`)},
}

func main() {
	tasks := flag.Int("tasks", 0, "tasks the profiles cover")
	flag.Parse()
	if *tasks <= 0 || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: cpuparts -tasks N profile...")
		os.Exit(2)
	}
	all := map[string]float64{}
	for _, path := range flag.Args() {
		ns, err := split(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, "cpuparts:", err)
			os.Exit(1)
		}
		fmt.Println(path, format(ns, *tasks))
		for k, v := range ns {
			all[k] += v
		}
	}
	fmt.Println("all", format(all, *tasks))
}

// split reads one CPU profile and returns its nanoseconds of CPU by part.
func split(path string) (map[string]float64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	idx := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			idx = i
		}
	}
	if idx < 0 {
		return nil, fmt.Errorf("%s: not a CPU profile (no cpu/nanoseconds sample type)", path)
	}
	out := map[string]float64{}
	for _, s := range p.Sample {
		var names []string
		for _, loc := range s.Location {
			for _, ln := range loc.Line {
				if ln.Function != nil {
					names = append(names, ln.Function.Name)
				}
			}
		}
		stack := strings.Join(names, "\n")
		for _, pt := range parts {
			if pt.match.MatchString(stack) {
				out[pt.name] += float64(s.Value[idx])
				break
			}
		}
	}
	return out, nil
}

// format lists the parts largest first, in µs per task, and their total.
func format(ns map[string]float64, tasks int) string {
	names := make([]string, 0, len(ns))
	total := 0.0
	for k, v := range ns {
		names = append(names, k)
		total += v
	}
	sort.Slice(names, func(i, j int) bool { return ns[names[i]] > ns[names[j]] })
	var b strings.Builder
	for _, k := range names {
		fmt.Fprintf(&b, "%s %.2f, ", k, ns[k]/1e3/float64(tasks))
	}
	fmt.Fprintf(&b, "total %.2f µs/task", total/1e3/float64(tasks))
	return b.String()
}
