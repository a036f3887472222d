package dataframe

import (
	"context"
	"fmt"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
	"github.com/dusk-go/dusk/dataframe/kernels"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

var (
	fnJoinInner = dusk.Register("dataframe.join-inner", kernels.JoinInner)
	fnJoinPairs = dusk.Register("dataframe.join-inner-pairs", joinPairs)
)

// joinPairs joins lefts[i] with rights[i] in Go, for each i, and returns
// the results as one record: the inner join of hash-shuffled outputs
// coalesced into one partition (each key is in one pair only), without
// first copying each side's outputs into one record.
func joinPairs(lefts, rights []arrow.RecordBatch, p kernels.JoinPlan) (arrow.RecordBatch, error) {
	if len(lefts) != len(rights) || len(lefts) == 0 {
		return nil, fmt.Errorf("dataframe: internal error: joining %d left and %d right outputs", len(lefts), len(rights))
	}
	outs := make([]arrow.RecordBatch, 0, len(lefts))
	defer func() {
		for _, o := range outs {
			o.Release()
		}
	}()
	for i := range lefts {
		o, err := kernels.JoinInner(lefts[i], rights[i], p)
		if err != nil {
			return nil, err
		}
		outs = append(outs, o)
	}
	return concatRecords(outs)
}

// DefaultBroadcastThreshold is the size under which Merge sends the smaller
// side whole to every partition of the other (100 MB).
const DefaultBroadcastThreshold = 100 << 20

// The join strategies Merge chooses among.
const (
	StrategyAligned   = "partition-aligned"
	StrategyBroadcast = "broadcast"
	StrategyShuffle   = "hash-shuffle"
)

// MergeOption configures Merge.
type MergeOption func(*mergeOptions)

type mergeOptions struct {
	threshold int64
	force     string
	suffixes  [2]string
}

// BroadcastThreshold sets the size (bytes, estimated) under which the
// smaller side is broadcast (default: the client's
// dataframe.broadcast-threshold setting, DefaultBroadcastThreshold unless
// changed).
func BroadcastThreshold(n int64) MergeOption { return func(o *mergeOptions) { o.threshold = n } }

// Strategy forces a join strategy: StrategyBroadcast (of the smaller side
// the join type allows), StrategyShuffle, or StrategyAligned (an error if
// the sides are not aligned).
func Strategy(s string) MergeOption { return func(o *mergeOptions) { o.force = s } }

// Suffixes name the columns both sides have besides the keys (default
// "_x" and "_y", as pandas).
func Suffixes(left, right string) MergeOption {
	return func(o *mergeOptions) { o.suffixes = [2]string{left, right} }
}

// Merge joins df (left) with other (right) on the key columns, which both
// must have: how is "inner", "left", "right" or "outer". The result has the
// keys once, then the left's other columns, then the right's (names both
// sides have get suffixes). Null keys match nothing (as in SQL). Merge
// picks the cheapest way: partition-aligned when both sides have equal
// known divisions on the key (SetIndex both first) or are hash-placed on
// the keys into as many partitions, with no data moving (when only one
// side is placed so, only the other side moves, to its placement); else a
// broadcast
// of the smaller side when it is under the threshold and the join type
// allows it; else a hash shuffle of both sides. Explain shows the choice.
// A hash shuffle adapts once its map side has run (a side that turned out
// small is broadcast, tiny outputs are read together, skewed ones are cut:
// see adaptive.go and the optimization.adaptive settings); Explain shows
// the decisions after the run.
func (df *DataFrame) Merge(other *DataFrame, on []string, how string, opts ...MergeOption) *DataFrame {
	if df.err != nil {
		return df
	}
	if other.err != nil {
		return other
	}
	o := mergeOptions{threshold: setting(df.c, "dataframe.broadcast-threshold", DefaultBroadcastThreshold), suffixes: [2]string{"_x", "_y"}}
	for _, f := range opts {
		f(&o)
	}
	switch how {
	case "inner", "left", "right", "outer":
	default:
		return df.fail("Merge", fmt.Errorf("how is %q; want inner, left, right or outer", how))
	}
	if len(on) == 0 {
		return df.fail("Merge", fmt.Errorf("no key columns given"))
	}
	ls, rs := df.Schema(), other.Schema()
	onSet := map[string]bool{}
	for _, k := range on {
		li, err := columnIndex(ls, k, "Merge (left side)")
		if err != nil {
			return df.fail("Merge", err)
		}
		ri, err := columnIndex(rs, k, "Merge (right side)")
		if err != nil {
			return df.fail("Merge", err)
		}
		if !joinable(ls.Field(li).Type, rs.Field(ri).Type) {
			return df.fail("Merge", fmt.Errorf("key column %q is %s on the left but %s on the right; cast one side with Assign", k, typeName(ls.Field(li).Type), typeName(rs.Field(ri).Type)))
		}
		onSet[k] = true
	}
	query := joinSQL(ls, rs, on, onSet, how, o.suffixes)
	s, cats, err := planJoin(df.n.meta(), other.n.meta(), query)
	if err != nil {
		return df.fail("Merge", err)
	}
	j := &joinNode{left: df.n, right: other.n, on: on, how: how, query: query, suffixes: o.suffixes, goJoin: kernels.NewJoinPlan(ls, rs, on, how, s, cats), adapt: newJoinAdaptive(o)}
	j.strategy, j.small, err = chooseStrategy(df.n.meta(), other.n.meta(), on, how, o)
	if err != nil {
		return df.fail("Merge", err)
	}
	if j.strategy == StrategyShuffle && o.force == "" {
		// One side already placed on the keys: only the other moves
		// (see plan_noshuffle.go).
		alignOneSide(j)
	}
	lm, rm := j.left.meta(), j.right.meta()
	m := &meta{schema: s, cats: cats, bytes: -1}
	switch j.strategy {
	case StrategyAligned:
		m.nparts = lm.nparts
		if lm.divs != nil && onSet[lm.divs.Column] && how != "right" && how != "outer" {
			m.divs = lm.divs
		}
		if len(lm.hashed) > 0 {
			m.hashed = lm.hashed
		}
	case StrategyBroadcast:
		if j.small == "right" {
			m.nparts = lm.nparts
			if lm.divs != nil && onSet[lm.divs.Column] {
				m.divs = lm.divs
			}
		} else {
			m.nparts = rm.nparts
		}
	case StrategyShuffle:
		m.nparts = max(lm.nparts, rm.nparts)
		m.hashed = on
	}
	if lm.bytes >= 0 && rm.bytes >= 0 {
		m.bytes = lm.bytes + rm.bytes
	}
	j.m = m
	return df.derive(j)
}

func joinable(a, b arrow.DataType) bool {
	if arrow.TypeEqual(a, b) {
		return true
	}
	if at, ok := a.(*arrow.TimestampType); ok {
		// Instants of one unit compare whatever zone names them (DuckDB's
		// results name UTC "Etc/UTC"); a naive time and an instant do not.
		bt, ok := b.(*arrow.TimestampType)
		return ok && at.Unit == bt.Unit && at.TimeZone != "" && bt.TimeZone != ""
	}
	num := func(t arrow.DataType) bool { return arrow.IsInteger(t.ID()) || arrow.IsFloating(t.ID()) }
	str := func(t arrow.DataType) bool {
		if d, ok := t.(*arrow.DictionaryType); ok {
			t = d.ValueType
		}
		return t.ID() == arrow.STRING || t.ID() == arrow.LARGE_STRING
	}
	return (num(a) && num(b)) || (str(a) && str(b))
}

// joinSQL is the query that joins a left and a right partition.
func joinSQL(ls, rs *arrow.Schema, on []string, onSet map[string]bool, how string, suffixes [2]string) string {
	var cols []string
	keys := make([]string, len(on))
	for i, k := range on {
		keys[i] = engine.QuoteIdent(k)
		cols = append(cols, engine.QuoteIdent(k))
	}
	inRight := map[string]bool{}
	for _, f := range rs.Fields() {
		inRight[f.Name] = true
	}
	inLeft := map[string]bool{}
	for _, f := range ls.Fields() {
		inLeft[f.Name] = true
	}
	for _, f := range ls.Fields() {
		if onSet[f.Name] {
			continue
		}
		name := f.Name
		if inRight[name] {
			name += suffixes[0]
		}
		cols = append(cols, fmt.Sprintf("l.%s AS %s", engine.QuoteIdent(f.Name), engine.QuoteIdent(name)))
	}
	for _, f := range rs.Fields() {
		if onSet[f.Name] {
			continue
		}
		name := f.Name
		if inLeft[name] {
			name += suffixes[1]
		}
		cols = append(cols, fmt.Sprintf("r.%s AS %s", engine.QuoteIdent(f.Name), engine.QuoteIdent(name)))
	}
	kind := map[string]string{"inner": "INNER", "left": "LEFT", "right": "RIGHT", "outer": "FULL OUTER"}[how]
	body := fmt.Sprintf("SELECT %s FROM l %s JOIN r USING (%s)", strings.Join(cols, ", "), kind, strings.Join(keys, ", "))
	return engine.WithCTE("l", engine.ScanView(engine.ViewLeft), engine.WithCTE("r", engine.ScanView(engine.ViewRight), body))
}

// planJoin checks the join on no rows and returns its result's schema.
func planJoin(lm, rm *meta, query string) (*arrow.Schema, map[string][]string, error) {
	e, err := engine.For(context.Background())
	if err != nil {
		return nil, nil, err
	}
	rec, err := e.Query(context.Background(), query, engine.Input{Name: engine.ViewLeft, Rec: kernels.EmptyRecord(lm.schema)}, engine.Input{Name: engine.ViewRight, Rec: kernels.EmptyRecord(rm.schema)})
	if err != nil {
		return nil, nil, err
	}
	s := kernels.NullableSchema(rec.Schema())
	cats := map[string][]string{}
	fields := s.Fields()
	for i, f := range fields {
		c, ok := lm.cats[f.Name]
		if !ok {
			c, ok = rm.cats[f.Name]
		}
		if ok && f.Type.ID() == arrow.STRING {
			cats[f.Name] = c
			fields[i].Type = kernels.CategoryType
		}
	}
	if len(cats) == 0 {
		return s, nil, nil
	}
	return arrow.NewSchema(fields, nil), cats, nil
}

// chooseStrategy picks how to join; small names the broadcast side.
func chooseStrategy(lm, rm *meta, on []string, how string, o mergeOptions) (strategy, small string, err error) {
	aligned := false
	if len(on) == 1 && lm.divs != nil && rm.divs != nil && !lm.divs.tied && !rm.divs.tied && lm.divs.Column == on[0] && rm.divs.Column == on[0] && sameSplits(lm.divs.Bounds, rm.divs.Bounds) {
		aligned = true
	}
	if len(lm.hashed) > 0 && lm.nparts == rm.nparts && sameStrings2(lm.hashed, on) && sameStrings2(rm.hashed, on) {
		aligned = true
	}
	// Which side may be broadcast: the one whose unmatched rows are not
	// kept.
	canLeft := how == "inner" || how == "right"
	canRight := how == "inner" || how == "left"
	pick := ""
	switch {
	case canLeft && canRight:
		if lm.bytes >= 0 && (rm.bytes < 0 || lm.bytes < rm.bytes) {
			pick = "left"
		} else {
			pick = "right"
		}
	case canLeft:
		pick = "left"
	case canRight:
		pick = "right"
	}
	size := func(side string) int64 {
		if side == "left" {
			return lm.bytes
		}
		return rm.bytes
	}
	switch o.force {
	case StrategyAligned:
		if !aligned {
			return "", "", fmt.Errorf("the sides are not aligned on %v: give both equal divisions on the key (SetIndex) or the same hash placement", on)
		}
		return StrategyAligned, "", nil
	case StrategyBroadcast:
		if pick == "" {
			return "", "", fmt.Errorf("an %s join keeps the unmatched rows of both sides; neither can be broadcast", how)
		}
		return StrategyBroadcast, pick, nil
	case StrategyShuffle:
		return StrategyShuffle, "", nil
	case "":
	default:
		return "", "", fmt.Errorf("unknown strategy %q", o.force)
	}
	if aligned {
		return StrategyAligned, "", nil
	}
	if pick != "" && size(pick) >= 0 && size(pick) < o.threshold {
		return StrategyBroadcast, pick, nil
	}
	return StrategyShuffle, "", nil
}

func sameStrings2(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// joinNode joins two DataFrames.
type joinNode struct {
	left, right node
	on          []string
	how         string
	query       string
	strategy    string
	small       string
	m           *meta
	goJoin      *kernels.JoinPlan // the join done in Go, when it can be (see package kernels)
	adapt       *joinAdaptive     // adaptive execution's settings and last decisions (adaptive.go)
	suffixes    [2]string         // for the planner, to join narrower sides
	scanJoined  bool              // joined in the large side's Parquet scan tasks (scanjoin.go)
}

func (j *joinNode) meta() *meta      { return j.m }
func (j *joinNode) children() []node { return []node{j.left, j.right} }
func (j *joinNode) label() string {
	lm, rm := j.left.meta(), j.right.meta()
	s := fmt.Sprintf("Merge how=%s on=[%s] strategy=%s", j.how, strings.Join(j.on, ", "), j.strategy)
	switch j.strategy {
	case StrategyBroadcast:
		b := lm.bytes
		if j.small == "right" {
			b = rm.bytes
		}
		s += fmt.Sprintf(" (the %s side, %s, to each of %d partitions)", j.small, sizeString(b), j.m.nparts)
	case StrategyShuffle:
		s += fmt.Sprintf(" (left %d and right %d partitions -> %d)", lm.nparts, rm.nparts, j.m.nparts)
	case StrategyAligned:
		s += fmt.Sprintf(" (%d partition pairs, %s)", j.m.nparts, alignedMoves(j))
	}
	s += fmt.Sprintf(" partitions=%d", j.m.nparts)
	if j.goJoin != nil {
		s += " joined in Go"
	}
	if j.scanJoined {
		s += " in each Parquet scan task"
	}
	return s
}

func sizeString(n int64) string {
	switch {
	case n < 0:
		return "size unknown"
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

func (j *joinNode) lower(lw *lowering) ([]part, error) {
	if j.scanJoined {
		return j.lowerScanJoined(lw)
	}
	l, err := lw.parts(j.left)
	if err != nil {
		return nil, err
	}
	r, err := lw.parts(j.right)
	if err != nil {
		return nil, err
	}
	join := func(a, b part) part { return dusk.Call[arrow.RecordBatch](fnSQL2, a, b, j.query, j.m.cats) }
	if g := j.goJoin; g != nil {
		join = func(a, b part) part { return dusk.Call[arrow.RecordBatch](fnJoinInner, a, b, *g) }
	}
	var out []part
	switch j.strategy {
	case StrategyAligned:
		for i := range l {
			out = append(out, join(l[i], r[i]))
		}
	case StrategyBroadcast:
		if j.small == "right" {
			whole := dusk.Call[arrow.RecordBatch](fnConcat, partList(r))
			for _, p := range l {
				out = append(out, join(p, whole))
			}
		} else {
			whole := dusk.Call[arrow.RecordBatch](fnConcat, partList(l))
			for _, p := range r {
				out = append(out, join(whole, p))
			}
		}
	case StrategyShuffle:
		if lw.adapt.flexible(j) {
			var joinMany func(xs, ys []part) part
			if g := j.goJoin; g != nil {
				joinMany = func(xs, ys []part) part {
					return dusk.Call[arrow.RecordBatch](fnJoinPairs, partList(xs), partList(ys), *g)
				}
			}
			return lw.adapt.adaptiveJoin(lw, j, l, r, join, joinMany)
		}
		n := j.m.nparts
		ls, err := lw.shuffleParts(l, j.left.meta().schema, shuffle.Hash, j.on, n, nil)
		if err != nil {
			return nil, err
		}
		rs, err := lw.shuffleParts(r, j.right.meta().schema, shuffle.Hash, j.on, n, nil)
		if err != nil {
			return nil, err
		}
		for i := range n {
			out = append(out, join(ls[i], rs[i]))
		}
	}
	return out, nil
}
