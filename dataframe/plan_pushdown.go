package dataframe

import (
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
)

// The planner's pushdown rules: projections (the columns the steps above
// use) go down through joins and range shuffles (SetIndex, SortValues),
// and filters go down through Select and Assign and into the sides of a
// join, where they reach the readers (Parquet row-group statistics) and
// cut the rows before the join moves them.

// join rewrites a join so that each side produces only the columns the
// join's output needs: the keys, the columns needed, and both of two
// same-named columns (whose names carry suffixes) when either is.
func (o *optimizer) join(j *joinNode, need map[string]bool) node {
	out := o.joinSides(j, need)
	// A broadcast join over a Parquet scan joins in the scan's tasks
	// (see scanjoin.go).
	if jn, ok := out.(*joinNode); ok && !jn.scanJoined && scanJoinable(jn) {
		c := *jn
		c.scanJoined = true
		return &c
	}
	return out
}

// joinSides rewrites the join's sides for the columns in need.
func (o *optimizer) joinSides(j *joinNode, need map[string]bool) node {
	lneed, rneed := j.sideNeeds(need)
	// A side keeps only the columns the join's result needs: a Filter
	// moved down into a side passes on the columns only it read (the
	// dimension's category a filter picked rows by), which would else be
	// broadcast, shuffled and gathered for nothing.
	l := project(o.node(j.left, lneed), lneed)
	r := project(o.node(j.right, rneed), rneed)
	if j.strategy == StrategyShuffle {
		l = o.coalesced(l, fmt.Sprintf("the hash shuffle of Merge's left side on [%s]", strings.Join(j.on, ", ")))
		r = o.coalesced(r, fmt.Sprintf("the hash shuffle of Merge's right side on [%s]", strings.Join(j.on, ", ")))
	}
	if l == j.left && r == j.right {
		return j
	}
	out := j.rebuild(l, r, need)
	if out == nil {
		// Sides that no longer pair partition by partition (row groups
		// pruned below an aligned join), or that lost a column after
		// all: the join as it was.
		return j
	}
	return out
}

// sideNeeds returns the columns each side of the join must produce for the
// output columns in need.
func (j *joinNode) sideNeeds(need map[string]bool) (l, r map[string]bool) {
	ls, rs := j.left.meta().schema, j.right.meta().schema
	l, r = map[string]bool{}, map[string]bool{}
	onSet := map[string]bool{}
	for _, k := range j.on {
		onSet[k], l[k], r[k] = true, true, true
	}
	inL, inR := map[string]bool{}, map[string]bool{}
	for _, f := range ls.Fields() {
		inL[f.Name] = true
	}
	for _, f := range rs.Fields() {
		inR[f.Name] = true
	}
	for _, f := range ls.Fields() {
		c := f.Name
		if onSet[c] {
			continue
		}
		if inR[c] {
			if need[c+j.suffixes[0]] || need[c+j.suffixes[1]] {
				l[c], r[c] = true, true
			}
		} else if need[c] {
			l[c] = true
		}
	}
	for _, f := range rs.Fields() {
		c := f.Name
		if !onSet[c] && !inL[c] && need[c] {
			r[c] = true
		}
	}
	return l, r
}

// rebuild returns the join of new sides l and r (fewer columns, fewer rows
// or fewer partitions than before), or nil when the sides cannot be
// joined as planned (partition-aligned sides whose partitions no longer
// pair) or the result lacks a column in need.
func (j *joinNode) rebuild(l, r node, need map[string]bool) node {
	lm, rm := l.meta(), r.meta()
	switch j.strategy {
	case StrategyAligned:
		if lm.nparts != j.left.meta().nparts || rm.nparts != j.right.meta().nparts {
			return nil
		}
	case StrategyBroadcast:
		big := j.left
		if j.small == "left" {
			big = j.right
		}
		if (j.small == "right" && lm.nparts != big.meta().nparts) || (j.small == "left" && rm.nparts != big.meta().nparts) {
			return nil
		}
	}
	onSet := map[string]bool{}
	for _, k := range j.on {
		onSet[k] = true
	}
	query := joinSQL(lm.schema, rm.schema, j.on, onSet, j.how, j.suffixes)
	s, cats, err := planJoin(lm, rm, query)
	if err != nil {
		return nil
	}
	for c := range need {
		if len(s.FieldIndices(c)) == 0 {
			return nil
		}
	}
	c := *j
	c.left, c.right, c.query = l, r, query
	c.goJoin = nil
	if j.goJoin != nil {
		c.goJoin = kernels.NewJoinPlan(lm.schema, rm.schema, j.on, j.how, s, cats)
	}
	c.m = j.m.clone()
	c.m.schema, c.m.cats = s, cats
	if lm.bytes >= 0 && rm.bytes >= 0 {
		c.m.bytes = lm.bytes + rm.bytes
	}
	return &c
}

// rangeSort rewrites a range shuffle's input to the columns the steps
// above need, and its key columns.
func (o *optimizer) rangeSort(x *rangeNode, need map[string]bool) node {
	cn := union(need, map[string]bool{})
	for _, c := range x.cols {
		cn[c] = true
	}
	c := o.node(x.child, cn)
	c = o.coalesced(c, fmt.Sprintf("the range shuffle of %s [%s]", x.op, strings.Join(x.cols, ", ")))
	if c == x.child {
		return x
	}
	m := *x
	m.child = c
	m.m = x.m.clone()
	m.m.schema, m.m.cats = c.meta().schema, c.meta().cats
	if x.m.bytes > 0 && c.meta().bytes >= 0 {
		m.m.bytes = c.meta().bytes
	}
	return &m
}

// newFilter returns a Filter step of expr over n (one the planner moved
// down), or an error when expr does not plan over n.
func newFilter(n node, expr string) (*sqlNode, error) { return plannedFilter(n, expr, "moved down") }

// restFilter is newFilter for the part of a filter that could not move,
// left above the step it stays over.
func restFilter(n node, expr string) (*sqlNode, error) { return plannedFilter(n, expr, "left above") }

// plannedFilter is a Filter step the planner made, labelled with why.
func plannedFilter(n node, expr, why string) (*sqlNode, error) {
	query := filterQuery(expr)
	in := n.meta()
	s, cats, err := planSQL(in, query)
	if err != nil {
		return nil, err
	}
	m := &meta{schema: s, nparts: in.nparts, bytes: in.bytes, cats: cats}
	m = keepOrder(in, func(string) bool { return true })(m)
	return &sqlNode{child: n, query: query, op: fmt.Sprintf("Filter %q (%s)", expr, why), m: m,
		passThrough: true, expr: expr, filter: expr}, nil
}

// andParts splits a filter expression at its top-level ANDs, or returns
// it whole when splitting might change its meaning (OR, BETWEEN ... AND,
// CASE).
func andParts(expr string) []string {
	up := " " + strings.ToUpper(stripQuoted(expr)) + " "
	for _, w := range []string{"OR", "BETWEEN", "CASE"} {
		for _, sep := range []string{" ", "(", ")", "\n", "\t"} {
			if strings.Contains(up, " "+w+sep) || strings.Contains(up, "("+w+sep) || strings.Contains(up, "\n"+w+sep) || strings.Contains(up, "\t"+w+sep) {
				return []string{expr}
			}
		}
	}
	var out []string
	for _, p := range splitAnd(expr) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// stripQuoted blanks the insides of string literals and quoted names.
func stripQuoted(s string) string {
	b := []byte(s)
	var q byte
	for i, c := range b {
		switch {
		case q == 0 && (c == '\'' || c == '"'):
			q = c
		case q != 0 && c == q:
			q = 0
		case q != 0:
			b[i] = ' '
		}
	}
	return string(b)
}

// pushFilter moves a Filter below the step under it when the rows it
// keeps do not depend on that step: below a Select, below an Assign of a
// column it does not read, below a range shuffle or a choice of
// partitions (see rangePush, prunePush), below a group-by when it reads
// only the keys (see reducePush), and
// into the sides of a join that own the columns it reads (see joinPush).
// It returns the rewritten plan, or nil.
func pushFilter(f *sqlNode) node {
	expr, ok := filterOf(f)
	if !ok {
		return nil
	}
	switch c := f.child.(type) {
	case *sqlNode:
		switch {
		case plainProjection(c):
		case c.assigned != "" && !refsOf(expr, c.m)[c.assigned]:
		default:
			return nil
		}
		nf, err := newFilter(c.child, expr)
		if err != nil {
			return nil
		}
		out := c.rebuild(nf)
		if out == c {
			return nil
		}
		return out
	case *joinNode:
		return joinPush(expr, c)
	case *rangeNode:
		return rangePush(f, expr, c)
	case *pruneNode:
		return prunePush(expr, c)
	case *reduceNode:
		return reducePush(expr, c)
	case *concatNode:
		return concatPush(expr, c)
	}
	return nil
}

// concatPush moves a Filter below a Concat, into each frame, when every
// frame has the columns the filter reads, of the types the Concat gives
// them (a column Concat casts or fills with nulls keeps the filter above).
func concatPush(expr string, c *concatNode) node {
	refs := refsOf(expr, c.m)
	for _, in := range c.inputs {
		s := in.meta().schema
		for col := range refs {
			idx, to := s.FieldIndices(col), c.m.schema.FieldIndices(col)
			if len(idx) == 0 || len(to) == 0 || !arrow.TypeEqual(s.Field(idx[0]).Type, c.m.schema.Field(to[0]).Type) {
				return nil
			}
		}
	}
	nc := &concatNode{inputs: make([]node, len(c.inputs)), queries: c.queries, m: c.m.clone()}
	nc.m.nparts = 0
	for i, in := range c.inputs {
		nf, err := newFilter(in, expr)
		if err != nil {
			return nil
		}
		nc.inputs[i] = nf
		nc.m.nparts += nf.meta().nparts
	}
	return nc
}

// rangePush moves a Filter below a range shuffle (SetIndex, SortValues),
// which keeps every row: fewer rows move. When the filter compares the
// divisions' column with constants, only the partitions that may hold its
// rows are kept (see pruneByIndex).
func rangePush(f *sqlNode, expr string, r *rangeNode) node {
	nr := rangeOver(expr, r)
	if nr == nil {
		return nil
	}
	if pr := pruneByIndex(&sqlNode{child: nr, filter: f.filter}); pr != nil {
		return pr
	}
	return nr
}

// rangeOver returns the range shuffle r of its input filtered by expr, or
// nil when expr does not plan there.
func rangeOver(expr string, r *rangeNode) *rangeNode {
	nf, err := newFilter(r.child, expr)
	if err != nil {
		return nil
	}
	nr := *r
	nr.child = nf
	nr.m = r.m.clone()
	nr.m.schema, nr.m.cats = nf.m.schema, nf.m.cats
	return &nr
}

// prunePush moves a Filter below a choice of partitions (Loc, a Filter on
// the index), which it commutes with, and on below a range shuffle
// there.
func prunePush(expr string, p *pruneNode) node {
	var below node
	if r, ok := p.child.(*rangeNode); ok {
		if nr := rangeOver(expr, r); nr != nil {
			below = nr
		}
	}
	if below == nil {
		nf, err := newFilter(p.child, expr)
		if err != nil {
			return nil
		}
		below = nf
	}
	np := *p
	np.child = below
	np.m = p.m.clone()
	np.m.schema, np.m.cats = below.meta().schema, below.meta().cats
	return &np
}

// joinPush moves the conjuncts of a Filter over a join into the sides
// that own the columns they read, as the join's kind allows. A conjunct of
// key columns only goes to both sides, whatever the kind: a row of the
// output has the key of each side it comes from (of identical types: a
// key typed differently on the two sides keeps its conjuncts above).
// Other conjuncts go to the side that owns their columns where that side's
// rows are the output's: an inner join either side, a left join the left
// side only (filtering the right would keep, with nulls, left rows the
// filter drops), a right join the right side, an outer join neither.
// A column the join renamed with a suffix ("x_x", the left's x) is read
// as that side's column: the conjunct moves down with the name rewritten
// (renameRefs). What cannot move stays a Filter above the join.
func joinPush(expr string, j *joinNode) node {
	ls, rs := j.left.meta().schema, j.right.meta().schema
	keys := map[string]bool{}
	sameType := map[string]bool{}
	for _, k := range j.on {
		keys[k] = true
		li, ri := ls.FieldIndices(k), rs.FieldIndices(k)
		sameType[k] = len(li) == 1 && len(ri) == 1 && arrowTypeEqual(ls.Field(li[0]).Type, rs.Field(ri[0]).Type)
	}
	inL, inR := map[string]bool{}, map[string]bool{}
	for _, x := range ls.Fields() {
		inL[x.Name] = true
	}
	for _, x := range rs.Fields() {
		inR[x.Name] = true
	}
	// The output's names of the columns both sides have (not keys): the
	// left's and the right's, each to its name on its side.
	// (None when the suffixes are the same, or a suffixed name is also a
	// column's own: the output would name two columns alike.)
	suffL, suffR := map[string]string{}, map[string]string{}
	for name := range inL {
		nl, nr := name+j.suffixes[0], name+j.suffixes[1]
		if inR[name] && !keys[name] && nl != nr && (nl == name || !inL[nl] && !inR[nl]) && (nr == name || !inL[nr] && !inR[nr]) {
			suffL[nl], suffR[nr] = name, name
		}
	}
	// owns: every column the conjunct reads is a key of one type, a
	// column of this side only, or this side's column under its suffixed
	// name.
	owns := func(side, other map[string]bool, suff map[string]string, refs map[string]bool) bool {
		for c := range refs {
			switch {
			case suff[c] != "":
			case keys[c]:
				if !sameType[c] {
					return false
				}
			case !side[c] || other[c]:
				return false
			}
		}
		return true
	}
	canL := j.how == "inner" || j.how == "left"
	canR := j.how == "inner" || j.how == "right"
	var toL, toR, stay []string
	// down gives cj as the side's filter reads it (suffixed names
	// renamed), if it can go there.
	down := func(cj string, refs map[string]bool, side, other map[string]bool, suff map[string]string) (string, bool) {
		if len(refs) == 0 || !owns(side, other, suff, refs) {
			return "", false
		}
		rename := map[string]string{}
		for c := range refs {
			if orig := suff[c]; orig != "" {
				rename[c] = orig
			}
		}
		if len(rename) == 0 {
			return cj, true
		}
		return renameRefs(cj, rename)
	}
	for _, cj := range andParts(expr) {
		refs := refsOf(cj, j.m)
		onlyKeys := len(refs) > 0
		for c := range refs {
			onlyKeys = onlyKeys && keys[c] && sameType[c]
		}
		if onlyKeys {
			toL, toR = append(toL, cj), append(toR, cj)
			continue
		}
		if l, ok := down(cj, refs, inL, inR, suffL); canL && ok {
			toL = append(toL, l)
		} else if r, ok := down(cj, refs, inR, inL, suffR); canR && ok {
			toR = append(toR, r)
		} else {
			stay = append(stay, cj)
		}
	}
	if len(toL) == 0 && len(toR) == 0 {
		return nil
	}
	l, r := j.left, j.right
	var err error
	if len(toL) > 0 {
		if l, err = newFilter(l, "("+strings.Join(toL, ") AND (")+")"); err != nil {
			return nil
		}
	}
	if len(toR) > 0 {
		if r, err = newFilter(r, "("+strings.Join(toR, ") AND (")+")"); err != nil {
			return nil
		}
	}
	nj := j.rebuild(l, r, allColumns(j))
	if nj == nil {
		return nil
	}
	if len(stay) == 0 {
		return nj
	}
	rest, err := restFilter(nj, "("+strings.Join(stay, ") AND (")+")")
	if err != nil {
		return nil
	}
	return rest
}

func arrowTypeEqual(a, b arrow.DataType) bool { return arrow.TypeEqual(a, b) }

// relabeled rewrites the input of a step that only adds knowledge
// (Sorted divisions) to the columns needed above and the divisions'
// column, keeping its partitions.
func (o *optimizer) relabeled(x *relabel, need map[string]bool) node {
	cn := union(need, map[string]bool{})
	if x.m.divs != nil {
		cn[x.m.divs.Column] = true
	}
	c := o.node(x.child, cn)
	if c == x.child || c.meta().nparts != x.child.meta().nparts {
		return x
	}
	r := *x
	r.child = c
	r.m = x.m.clone()
	r.m.schema, r.m.cats = c.meta().schema, c.meta().cats
	return &r
}

// reducePush moves the conjuncts of a Filter that read only the key
// columns of a group-by (or ValueCounts, DropDuplicates) below it: a
// group's keys are its rows' keys, so such a conjunct keeps or drops whole
// groups either way, and fewer rows are aggregated. The other conjuncts
// stay above.
func reducePush(expr string, r *reduceNode) node {
	keys := map[string]bool{}
	for _, k := range r.r.keys {
		keys[k] = true
	}
	var down, stay []string
	for _, cj := range andParts(expr) {
		refs := refsOf(cj, r.m)
		only := len(refs) > 0
		for c := range refs {
			only = only && keys[c]
		}
		if only {
			down = append(down, cj)
		} else {
			stay = append(stay, cj)
		}
	}
	if len(down) == 0 {
		return nil
	}
	nf, err := newFilter(r.child, "("+strings.Join(down, ") AND (")+")")
	if err != nil {
		return nil
	}
	nr := *r
	nr.child = nf
	if len(stay) == 0 {
		return &nr
	}
	rest, err := restFilter(&nr, "("+strings.Join(stay, ") AND (")+")")
	if err != nil {
		return nil
	}
	return rest
}

// filterOf returns the whole expression of a Filter step (its query
// "SELECT * FROM part WHERE (expr)"), and whether the step is one. (The
// step's filter field may hold only the part of it that prunes row
// groups.)
func filterOf(s *sqlNode) (string, bool) {
	if s.filter == "" || s.expr == "" {
		return "", false
	}
	return s.expr, s.query == filterQuery(s.expr)
}

// filterQuery is the query of a Filter of expr.
func filterQuery(expr string) string { return "SELECT * FROM part WHERE (\n" + expr + "\n)" }

// plainProjection reports whether a query step only picks some of its
// input's columns, by name and unchanged (Select, Drop): its query is
// "SELECT a, b FROM part" of the columns it uses, no column renamed.
func plainProjection(s *sqlNode) bool {
	if len(s.uses) == 0 {
		return false
	}
	quoted := make([]string, len(s.uses))
	for i, c := range s.uses {
		quoted[i] = engine.QuoteIdent(c)
	}
	return s.query == "SELECT "+strings.Join(quoted, ", ")+" FROM part"
}
