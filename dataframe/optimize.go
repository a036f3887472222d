package dataframe

import (
	"fmt"
	"strings"

	"github.com/dusk-go/dusk/dataframe/engine"
)

// optimize rewrites a plan before it runs: readers read only the columns
// the steps above them use (projection pushdown, through joins and range
// shuffles too: plan_pushdown.go), filters move down towards the readers
// (plan_pushdown.go), a Parquet reader under a Filter skips the row groups
// whose statistics rule the filter out (predicate pushdown), and a Filter
// on the index of known divisions keeps the partitions that may hold its
// rows (plan_prune.go). The result has the same output columns. Then,
// as co says, runs of tiny neighbouring partitions are joined before the
// steps whose cost grows with the number of their inputs (see
// coalesce.go); notes says what was coalesced.
//
// A step that several steps read (plans are DAGs) is rewritten once, for
// the union of the columns they need: the rewrite runs again, with the
// unions found, until no step is asked for more (see plan_needs.go).
func optimize(n node, co coalescing) (_ node, notes []*coalesceNote) {
	wants := map[node]map[string]bool{}
	for range maxOptimizePasses {
		o := &optimizer{done: map[node]node{}, co: co, coalesce: map[node]node{}, wants: wants}
		out := o.node(n, allColumns(n))
		if !o.grew {
			return out, o.notes
		}
	}
	return n, nil
}

type optimizer struct {
	done     map[node]node // nodes already rewritten (plans are DAGs)
	co       coalescing
	coalesce map[node]node // rewritten inputs and their coalesced form
	notes    []*coalesceNote
	wants    map[node]map[string]bool // the columns asked of each step, over all passes
	grew     bool                     // a step was asked for more columns than before
}

func allColumns(n node) map[string]bool {
	out := map[string]bool{}
	for _, f := range n.meta().schema.Fields() {
		out[f.Name] = true
	}
	return out
}

// node rewrites n so that it produces at least the columns in need.
func (o *optimizer) node(n node, need map[string]bool) node {
	need = o.want(n, need)
	if d, ok := o.done[n]; ok {
		return d
	}
	var out node = n
	switch x := n.(type) {
	case *persistedNode:
		out = project(x, need)
	case interface{ withColumns(map[string]bool) node }:
		// A reader: Parquet files, Hive directories, CSV, JSON.
		out = x.withColumns(need)
	case *sqlNode:
		if p := pushFilter(x); p != nil {
			// The filter moved down (see plan_pushdown.go).
			out = o.node(p, need)
			break
		}
		childNeed := x.childNeed(need)
		if x.filter != "" {
			if hv, ok := x.child.(*hiveNode); ok {
				if preds := parsePredicates(x.filter, hv.m.schema); len(preds) > 0 {
					out = x.rebuild(o.node(hv.withPredicates(preds), childNeed))
					break
				}
			}
			if pq, ok := x.child.(*parquetNode); ok {
				if preds := parsePredicates(x.filter, pq.m.schema); len(preds) > 0 {
					out = x.rebuild(o.node(pq.withPredicates(preds), childNeed))
					break
				}
			}
		}
		if pr := pruneByIndex(x); pr != nil {
			// A Filter on the index reads the partitions that may hold
			// its rows only (see plan_prune.go).
			out = x.rebuild(o.node(pr, childNeed))
			break
		}
		out = x.rebuild(o.node(x.child, childNeed))
	case *pruneNode:
		out = x.optimized(o, need)
	case *joinNode:
		out = o.join(x, need)
	case *rangeNode:
		out = o.rangeSort(x, need)
	case *placeNode:
		out = o.place(x, need)
	case *relabel:
		out = o.relabeled(x, need)
	case *pickNode:
		// Fewer columns pass through; the same partitions are picked.
		if c := o.node(x.child, need); c != x.child && c.meta().nparts == x.child.meta().nparts {
			p := *x
			p.child = c
			p.m = x.m.clone()
			p.m.schema, p.m.cats = c.meta().schema, c.meta().cats
			out = &p
		}
	case overPartitions:
		// Its input may be rewritten below it (filters into readers),
		// every column kept, as long as the partitions stay the same: it
		// planned something for each of them (row windows, time cuts, a
		// seed per partition).
		in := x.plannedInput()
		if c := o.node(in, allColumns(in)); c != in && c.meta().nparts == in.meta().nparts {
			out = x.withPlannedInput(c)
		}
	case *concatNode:
		// The inputs' partitions follow one another: each input is
		// rewritten below it, for the columns needed.
		out = x.rewritten(o, need)
	case *categorizeNode:
		// It encodes the columns it finds by name: fewer pass through.
		if c := o.node(x.child, need); c != x.child {
			out = x.over(c)
		}
	case *reduceNode:
		c := o.node(x.child, refsOf(x.r.chunk, x.child.meta()))
		if !readsParquetInDuckDB(c) {
			before := "the tree reduction of " + x.r.op
			if x.r.splitOut > 1 {
				before = "the hash shuffle of " + x.r.op
			}
			c = o.coalesced(c, before)
		}
		if c != x.child {
			r := *x
			r.child = c
			out = &r
		}
	default:
		// Other steps read every column of their inputs; their inputs
		// may still be rewritten below them.
		out = o.children(n)
	}
	o.done[n] = out
	return out
}

// children rewrites the inputs of a step that reads all their columns.
// Steps that address their input's partitions by position (Repartition,
// Sorted divisions, aligned joins) keep their inputs as they are when a
// rewrite would change the number of partitions (pruned row groups).
func (o *optimizer) children(n node) node {
	same := func(a, b node) bool { return a.meta().nparts == b.meta().nparts }
	switch x := n.(type) {
	case *mapNode:
		if c := o.node(x.child, allColumns(x.child)); c != x.child {
			m := *x
			m.child = c
			m.m = x.m.clone()
			m.m.nparts = c.meta().nparts
			return &m
		}
	case *rangeNode:
		c := o.node(x.child, allColumns(x.child))
		c = o.coalesced(c, fmt.Sprintf("the range shuffle of %s [%s]", x.op, strings.Join(x.cols, ", ")))
		if c != x.child {
			m := *x
			m.child = c
			return &m
		}
	case *relabel:
		if c := o.node(x.child, allColumns(x.child)); c != x.child && same(c, x.child) {
			m := *x
			m.child = c
			return &m
		}
	case *joinNode:
		l := o.node(x.left, allColumns(x.left))
		r := o.node(x.right, allColumns(x.right))
		if x.strategy != StrategyShuffle && (!same(l, x.left) || !same(r, x.right)) {
			return n
		}
		if x.strategy == StrategyShuffle {
			l = o.coalesced(l, fmt.Sprintf("the hash shuffle of Merge's left side on [%s]", strings.Join(x.on, ", ")))
			r = o.coalesced(r, fmt.Sprintf("the hash shuffle of Merge's right side on [%s]", strings.Join(x.on, ", ")))
		}
		if l != x.left || r != x.right {
			m := *x
			m.left, m.right = l, r
			return &m
		}
	case *repartitionNode:
		if c := o.node(x.child, allColumns(x.child)); c != x.child && same(c, x.child) {
			m := *x
			m.child = c
			return &m
		}
	case *groupApplyNode:
		// Through a shuffle the outputs are as many as planned, whatever
		// the inputs; without one, partition for partition.
		c := o.node(x.child, allColumns(x.child))
		if x.shuffle {
			c = o.coalesced(c, fmt.Sprintf("the hash shuffle of %s by [%s]", x.op, strings.Join(x.spec.Keys, ", ")))
		}
		if c != x.child && (x.shuffle || same(c, x.child)) {
			m := *x
			m.child = c
			return &m
		}
	}
	return n
}

// childNeed returns the input columns the step needs to produce the
// columns in need.
func (s *sqlNode) childNeed(need map[string]bool) map[string]bool {
	in := s.child.meta()
	switch {
	case s.uses != nil:
		out := map[string]bool{}
		for _, c := range s.uses {
			out[c] = true
		}
		return out
	case s.passThrough:
		return union(need, refsOf(s.expr, in))
	}
	return refsOf(s.query, in)
}

// rebuild returns the step over a rewritten input, its schema planned
// again (a SELECT * passes fewer columns on).
func (s *sqlNode) rebuild(child node) node {
	if child == s.child {
		return s
	}
	sch, cats, err := planSQL(child.meta(), s.query)
	if err != nil {
		// The narrower input lost a column the query needs after all
		// (the column scan is conservative, so this should not happen):
		// keep the step as it was.
		return s
	}
	sch, cats = keepRenamedCats(s.m, sch, cats)
	c := *s
	c.child = child
	m := s.m.clone()
	m.schema, m.cats = sch, cats
	m.nparts = child.meta().nparts // row groups or partitions pruned below
	if m.nparts != s.m.nparts {
		m.hashed = nil
	}
	if m.divs != nil {
		m.divs = child.meta().divs // fewer partitions, fewer divisions
	}
	if m.divs != nil && len(sch.FieldIndices(m.divs.Column)) == 0 {
		m.divs = nil
	}
	c.m = m
	return &c
}

// refsOf returns the columns of in whose names appear as identifiers in
// the SQL text q: a conservative over-estimate (a name inside a string
// literal is skipped; one used as an alias counts). A "*" other than in
// count(*) means every column.
func refsOf(q string, in *meta) map[string]bool {
	cols := map[string]string{} // lower-case name -> name
	for _, f := range in.schema.Fields() {
		cols[strings.ToLower(f.Name)] = f.Name
	}
	out := map[string]bool{}
	lower := strings.ToLower(q)
	lower = strings.ReplaceAll(lower, "count(*)", "count(1)")
	for i := 0; i < len(lower); {
		c := lower[i]
		switch {
		case c == '\'':
			j := i + 1
			for j < len(lower) {
				if lower[j] == '\'' {
					if j+1 < len(lower) && lower[j+1] == '\'' {
						j += 2
						continue
					}
					break
				}
				j++
			}
			i = j + 1
		case c == '"':
			j := strings.IndexByte(lower[i+1:], '"')
			if j < 0 {
				return allColumns2(in)
			}
			// Quoted identifiers keep their case in q.
			name := q[i+1 : i+1+j]
			for _, f := range in.schema.Fields() {
				if f.Name == name {
					out[name] = true
				}
			}
			i += j + 2
		case c == '*':
			return allColumns2(in)
		case c == '_' || (c >= 'a' && c <= 'z'):
			j := i
			for j < len(lower) && (lower[j] == '_' || (lower[j] >= 'a' && lower[j] <= 'z') || (lower[j] >= '0' && lower[j] <= '9')) {
				j++
			}
			if name, ok := cols[lower[i:j]]; ok {
				out[name] = true
			}
			i = j
		default:
			i++
		}
	}
	return out
}

// renameRefs rewrites the identifiers of the SQL text q that name a key
// of rename (case-insensitively, as DuckDB reads unquoted names; quoted
// ones exactly) to its value, quoted; string literals are left alone. It
// reports false when q has an unterminated quote. Like refsOf it reads
// every identifier as a column reference, so only names that are columns
// and nothing else in q (a suffixed join column, "x_x") may be renamed.
func renameRefs(q string, rename map[string]string) (string, bool) {
	lowerTo := make(map[string]string, len(rename))
	for from, to := range rename {
		lowerTo[strings.ToLower(from)] = to
	}
	var b strings.Builder
	for i := 0; i < len(q); {
		c := q[i]
		switch {
		case c == '\'':
			j := i + 1
			for j < len(q) && (q[j] != '\'' || j+1 < len(q) && q[j+1] == '\'') {
				if q[j] == '\'' {
					j++ // a doubled quote
				}
				j++
			}
			if j >= len(q) {
				return "", false
			}
			b.WriteString(q[i : j+1])
			i = j + 1
		case c == '"':
			j := strings.IndexByte(q[i+1:], '"')
			if j < 0 {
				return "", false
			}
			if to, ok := rename[q[i+1:i+1+j]]; ok {
				b.WriteString(engine.QuoteIdent(to))
			} else {
				b.WriteString(q[i : i+j+2])
			}
			i += j + 2
		case identStart(c):
			j := i
			for j < len(q) && (identStart(q[j]) || q[j] >= '0' && q[j] <= '9') {
				j++
			}
			if to, ok := lowerTo[strings.ToLower(q[i:j])]; ok {
				b.WriteString(engine.QuoteIdent(to))
			} else {
				b.WriteString(q[i:j])
			}
			i = j
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), true
}

func identStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func allColumns2(in *meta) map[string]bool {
	out := map[string]bool{}
	for _, f := range in.schema.Fields() {
		out[f.Name] = true
	}
	return out
}

func union(a, b map[string]bool) map[string]bool {
	out := make(map[string]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// overPartitions is a step over one input whose every partition it
// planned for (its lowering addresses the input's partitions by
// position); withPlannedInput returns it over an input with the same
// columns and partitions.
type overPartitions interface {
	node
	plannedInput() node
	withPlannedInput(c node) node
}
