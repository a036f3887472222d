package dataframe

import (
	"fmt"
	"strings"
)

// ExplainOption configures Explain.
type ExplainOption func(*explainOptions)

type explainOptions struct{ before bool }

// BeforeAndAfter makes Explain print the plan as written, then the plan
// the optimizer makes of it (the one that runs), each under a heading, so
// that what each rule of the planner did shows (see docs/dataframe.md,
// "Planner").
func BeforeAndAfter() ExplainOption { return func(o *explainOptions) { o.before = true } }

// Explain returns the plan as it will run: one step per line, inputs
// indented below the step that reads them, with partition counts, the
// columns and row groups readers read, and each join's strategy. With
// BeforeAndAfter it prints the plan as written first.
func (df *DataFrame) Explain(opts ...ExplainOption) string {
	if df.err != nil {
		return "error: " + df.err.Error()
	}
	var o explainOptions
	for _, f := range opts {
		f(&o)
	}
	plan, _ := optimize(df.n, coalescingOf(df.c))
	if !o.before {
		return planString(plan)
	}
	return "before optimization:\n" + indentLines(planString(df.n)) + "after optimization:\n" + indentLines(planString(plan))
}

// planString renders a plan, one step per line.
func planString(n node) string {
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
		for _, c := range n.children() {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	return b.String()
}

func indentLines(s string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString("  " + l)
		}
	}
	return b.String()
}
