package report

import (
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"slices"

	"github.com/google/pprof/profile"

	"github.com/dusk-go/dusk/diagnostics/layout"
)

// NotInTask names CPU samples taken outside any task: the worker's own
// work (transfers, encoding, bookkeeping), the Go runtime and its garbage
// collector.
const NotInTask = "(not in a task)"

// topFuncs is how many functions a prefix lists.
const topFuncs = 15

// buildProfile splits the CPU samples of the profiles by their "task"
// label (the key prefix of the task that ran) and lists each prefix's
// costliest functions.
func buildProfile(raw [][]byte, notes []string) Profile {
	out := Profile{Prefixes: []ProfilePrefix{}, Notes: append([]string{}, notes...)}
	type agg struct {
		total     int64
		flat, cum map[string]int64
	}
	byPrefix := map[string]*agg{}
	var all int64
	for i, b := range raw {
		p, err := profile.Parse(bytes.NewReader(b))
		if err != nil {
			out.Notes = append(out.Notes, fmt.Sprintf("profile %d could not be read: %v", i+1, err))
			continue
		}
		vi := valueIndex(p)
		if vi < 0 {
			out.Notes = append(out.Notes, fmt.Sprintf("profile %d has no CPU samples", i+1))
			continue
		}
		for _, s := range p.Sample {
			v := s.Value[vi]
			if v == 0 {
				continue
			}
			prefix := NotInTask
			if ls := s.Label["task"]; len(ls) > 0 && ls[0] != "" {
				prefix = ls[0]
			}
			a := byPrefix[prefix]
			if a == nil {
				a = &agg{flat: map[string]int64{}, cum: map[string]int64{}}
				byPrefix[prefix] = a
			}
			a.total += v
			all += v
			seen := map[string]bool{}
			for li, loc := range s.Location {
				for ln, line := range loc.Line {
					if line.Function == nil {
						continue
					}
					name := line.Function.Name
					if li == 0 && ln == 0 {
						a.flat[name] += v
					}
					if !seen[name] {
						seen[name] = true
						a.cum[name] += v
					}
				}
			}
		}
	}
	const ns = 1e9
	out.Seconds = float64(all) / ns
	if all == 0 && len(raw) > 0 && len(out.Notes) == 0 {
		out.Notes = append(out.Notes, "the profiles hold no CPU samples: the workers were busy for less than the profiler's sampling interval (10 ms)")
	}
	for _, name := range slices.Sorted(maps.Keys(byPrefix)) {
		a := byPrefix[name]
		pp := ProfilePrefix{Prefix: name, Color: layout.PrefixColor(name), Seconds: float64(a.total) / ns, Top: []Func{}}
		if name == NotInTask {
			pp.Color = "#9aa7b4"
		}
		funcs := slices.Collect(maps.Keys(a.cum))
		slices.SortFunc(funcs, func(x, y string) int {
			return cmp.Or(cmp.Compare(a.flat[y], a.flat[x]), cmp.Compare(a.cum[y], a.cum[x]), cmp.Compare(x, y))
		})
		for _, f := range funcs[:min(topFuncs, len(funcs))] {
			pp.Top = append(pp.Top, Func{Name: f, Flat: float64(a.flat[f]) / ns, Cum: float64(a.cum[f]) / ns})
		}
		out.Prefixes = append(out.Prefixes, pp)
	}
	slices.SortStableFunc(out.Prefixes, func(x, y ProfilePrefix) int { return cmp.Compare(y.Seconds, x.Seconds) })
	return out
}

// valueIndex returns the index of the CPU time among a profile's sample
// values, or -1.
func valueIndex(p *profile.Profile) int {
	for i, st := range p.SampleType {
		if st.Type == "cpu" && st.Unit == "nanoseconds" {
			return i
		}
	}
	return -1
}
