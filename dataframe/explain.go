package dataframe

import (
	"fmt"
	"strings"
)

// Explain returns the plan as it will run: one step per line, inputs
// indented below the step that reads them, with partition counts, the
// columns and row groups readers read, and each join's strategy. With
// BeforeAndAfter it prints the plan as written first. After a Compute, a
// shuffled Merge also shows what adaptive execution decided in its last
// run (lines "adaptive: ...").
func (df *DataFrame) Explain(opts ...ExplainOption) string {
	if df.err != nil {
		return "error: " + df.err.Error()
	}
	var b strings.Builder
	seen := map[node]int{}
	var walk func(n node, depth int)
	walk = func(n node, depth int) {
		indent := strings.Repeat("  ", depth)
		if id, ok := seen[n]; ok {
			fmt.Fprintf(&b, "%s(step %d, shared)\n", indent, id)
			return
		}
		seen[n] = len(seen) + 1
		fmt.Fprintf(&b, "%s%s\n", indent, n.label())
		if r, ok := n.(interface{ ranLines() []string }); ok {
			for _, l := range r.ranLines() {
				fmt.Fprintf(&b, "%s  %s\n", indent, l)
			}
		}
		for _, c := range n.children() {
			walk(c, depth+1)
		}
	}
	plan, _ := optimize(df.n, coalescingOf(df.c))
	if !explainBoth(opts) {
		walk(plan, 0)
		return b.String()
	}
	b.WriteString("before optimization:\n")
	walk(df.n, 1)
	b.WriteString("after optimization:\n")
	clear(seen)
	walk(plan, 1)
	return b.String()
}

// ExplainOption configures Explain.
type ExplainOption func(*explainOptions)

type explainOptions struct{ both bool }

// BeforeAndAfter makes Explain print the plan as written, then the plan
// the optimizer makes of it (the one that runs), each under a heading, so
// that what each rule of the planner did shows (see docs/dataframe.md,
// "The planner").
func BeforeAndAfter() ExplainOption { return func(o *explainOptions) { o.both = true } }

func explainBoth(opts []ExplainOption) bool {
	var o explainOptions
	for _, f := range opts {
		f(&o)
	}
	return o.both
}
