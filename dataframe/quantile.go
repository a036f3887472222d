package dataframe

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk/dataframe/engine"
)

// quantileSample is how many values of its part of an interval each
// partition sends back per round of Quantile (all of them when it has no
// more).
const quantileSample = 1000

// quantileMaxRounds bounds Quantile's rounds; each round narrows every
// interval to a few of its samples' gaps, so the bound is never reached
// on real data.
const quantileMaxRounds = 64

// Quantile returns the exact quantiles qs (each in [0, 1]) of the columns
// cols (every integer and float column when none are given), with linear
// interpolation between the two nearest values: pandas' default
// (interpolation="linear") and DuckDB's quantile_cont. The table has a
// float64 column "q" with one row per quantile, then one float64 column per
// column; nulls and NaN are left out, and a column with no values gives
// null.
//
// No more than about a thousand values per partition and sought value
// travel: the DataFrame's columns are persisted for the call; a first pass
// counts the values; then each round, for every value still sought, each
// partition sends how many of its values lie below an interval that holds
// the value, and up to 1000 evenly spaced values of those inside it (at
// known ranks; DuckDB sorts the partition's values inside the interval:
// all of them in the first round, a sliver after). The interval narrows to
// the gap between samples that must hold the value, and when every
// partition has sent all of its values in the interval, the value is read
// off exactly. Rounds grow with the log of the rows (base about 1000 /
// partitions): two for a million rows in 16 partitions.
func (df *DataFrame) Quantile(ctx context.Context, qs []float64, cols ...string) (arrow.Table, error) {
	if df.err != nil {
		return nil, df.err
	}
	if len(qs) == 0 {
		return nil, opError("Quantile", errors.New("no quantiles given"))
	}
	for _, q := range qs {
		if math.IsNaN(q) || q < 0 || q > 1 {
			return nil, opError("Quantile", fmt.Errorf("quantile %v is not in [0, 1]", q))
		}
	}
	s := df.Schema()
	if len(cols) == 0 {
		for _, f := range s.Fields() {
			if isIntOrFloat(f.Type) {
				cols = append(cols, f.Name)
			}
		}
		if len(cols) == 0 {
			return nil, opError("Quantile", fmt.Errorf("no integer or float column (%s)", schemaString(s)))
		}
	}
	qcols := make([]*quantileCol, len(cols))
	given := map[string]bool{}
	for i, c := range cols {
		if given[c] {
			return nil, opError("Quantile", fmt.Errorf("column %q is given twice", c))
		}
		given[c] = true
		t, err := numericColumn(s, c, "Quantile")
		if err != nil {
			return nil, opError("Quantile", err)
		}
		if t.ID() == arrow.UINT64 {
			return nil, opError("Quantile", fmt.Errorf("column %q is uint64, which Quantile does not read (values above 2^63); Astype it to int64 or float64 first", c))
		}
		qcols[i] = &quantileCol{name: c, float: arrow.IsFloating(t.ID())}
	}
	// The columns, persisted for the rounds.
	data := df.Select(cols...)
	if _, done := df.n.(*persistedNode); !done {
		p, err := data.Persist(ctx)
		if err != nil {
			return nil, err
		}
		defer p.Release()
		data = p
	}
	if err := data.quantileCounts(ctx, qcols); err != nil {
		return nil, opError("Quantile", err)
	}
	// The ranks sought: for quantile q of n values, h = (n-1)q, the values
	// of 1-based ranks floor(h)+1 and, when h has a fraction, floor(h)+2.
	var targets []*quantileTarget
	for _, qc := range qcols {
		qc.ranks = map[int64]*quantileTarget{}
		if qc.n == 0 {
			continue
		}
		for _, q := range qs {
			h := float64(qc.n-1) * q
			k := int64(math.Floor(h))
			for _, r := range []int64{k + 1, k + 2} {
				if r > qc.n || qc.ranks[r] != nil {
					continue
				}
				t := &quantileTarget{col: qc, rank: r}
				qc.ranks[r] = t
				targets = append(targets, t)
			}
		}
	}
	for round := 0; ; round++ {
		var open []*quantileTarget
		for _, t := range targets {
			if !t.done {
				open = append(open, t)
			}
		}
		if len(open) == 0 {
			break
		}
		if round == quantileMaxRounds {
			return nil, opError("Quantile", fmt.Errorf("internal error: %d values not found after %d rounds", len(open), round))
		}
		if err := data.quantileRound(ctx, open); err != nil {
			return nil, opError("Quantile", err)
		}
	}
	fields := []arrow.Field{{Name: "q", Type: arrow.PrimitiveTypes.Float64, Nullable: true}}
	for _, c := range cols {
		fields = append(fields, arrow.Field{Name: c, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	b.Field(0).(*array.Float64Builder).AppendValues(qs, nil)
	for i, qc := range qcols {
		fb := b.Field(i + 1).(*array.Float64Builder)
		for _, q := range qs {
			if qc.n == 0 {
				fb.AppendNull()
				continue
			}
			h := float64(qc.n-1) * q
			k := int64(math.Floor(h))
			lo := qc.ranks[k+1].value.float()
			d := h - float64(k)
			if d == 0 {
				fb.Append(lo)
				continue
			}
			hi := qc.ranks[k+2].value.float()
			fb.Append(lo + (hi-lo)*d)
		}
	}
	rec := b.NewRecordBatch()
	return array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec}), nil
}

// quantileCol is a column Quantile reads.
type quantileCol struct {
	name  string
	float bool
	n     int64 // values, nulls and NaN aside
	ranks map[int64]*quantileTarget
}

// expr is the column as Quantile reads it: a DOUBLE or a BIGINT.
func (c *quantileCol) expr() string {
	if c.float {
		return "CAST(" + engine.QuoteIdent(c.name) + " AS DOUBLE)"
	}
	return "CAST(" + engine.QuoteIdent(c.name) + " AS BIGINT)"
}

// valid is the condition of a value Quantile counts.
func (c *quantileCol) valid() string {
	q := engine.QuoteIdent(c.name)
	if c.float {
		return fmt.Sprintf("(%s IS NOT NULL AND NOT isnan(%s))", q, q)
	}
	return q + " IS NOT NULL"
}

// qvalue is a value of a column: exact for integers and floats alike.
type qvalue struct {
	isFloat bool
	i       int64
	f       float64
}

func (v qvalue) float() float64 {
	if v.isFloat {
		return v.f
	}
	return float64(v.i)
}

func (v qvalue) less(w qvalue) bool {
	if v.isFloat {
		return v.f < w.f
	}
	return v.i < w.i
}

func (v qvalue) literal() string {
	if v.isFloat {
		return floatLiteral(v.f)
	}
	return strconv.FormatInt(v.i, 10) + "::BIGINT"
}

// quantileTarget is the value of one rank of a column, sought in the
// interval (lo, hi] (nil bounds are open).
type quantileTarget struct {
	col    *quantileCol
	rank   int64
	lo, hi *qvalue
	done   bool
	value  qvalue
}

func (t *quantileTarget) interval() string {
	key := t.col.name
	if t.lo != nil {
		key += "|>" + t.lo.literal()
	}
	if t.hi != nil {
		key += "|<=" + t.hi.literal()
	}
	return key
}

// quantileCounts counts the values of every column.
func (df *DataFrame) quantileCounts(ctx context.Context, cols []*quantileCol) error {
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = fmt.Sprintf("count(*) FILTER (WHERE %s)::BIGINT AS n%d", c.valid(), i)
	}
	query := engine.WithCTE("part", engine.ScanView(engine.ViewIn), "SELECT "+strings.Join(sel, ", ")+" FROM part")
	recs, err := df.collectPerPartition(ctx, query)
	if err != nil {
		return err
	}
	for _, r := range recs {
		for i, c := range cols {
			c.n += r.Column(i).(*array.Int64).Value(0)
		}
	}
	return nil
}

// quantileRound runs one round for the open targets: one query per
// partition, one sub-query per distinct interval.
func (df *DataFrame) quantileRound(ctx context.Context, open []*quantileTarget) error {
	groups := map[string][]*quantileTarget{}
	var keys []string
	for _, t := range open {
		k := t.interval()
		if groups[k] == nil {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], t)
	}
	subs := make([]string, len(keys))
	for g, k := range keys {
		t := groups[k][0]
		v := t.col.expr()
		below := "false"
		in := []string{t.col.valid()}
		if t.lo != nil {
			below = fmt.Sprintf("%s AND %s <= %s", t.col.valid(), v, t.lo.literal())
			in = append(in, fmt.Sprintf("%s > %s", v, t.lo.literal()))
		}
		if t.hi != nil {
			in = append(in, fmt.Sprintf("%s <= %s", v, t.hi.literal()))
		}
		inCond := strings.Join(in, " AND ")
		subs[g] = fmt.Sprintf(`SELECT %d AS g, a.below, a.n, b.vals, b.pos FROM
  (SELECT count(*) FILTER (WHERE %s)::BIGINT AS below, count(*) FILTER (WHERE %s)::BIGINT AS n FROM part) AS a,
  (SELECT list(v ORDER BY r) AS vals, list(r ORDER BY r) AS pos FROM (
     SELECT v, r, m FROM (SELECT v, row_number() OVER (ORDER BY v) AS r, count(*) OVER () AS m FROM (SELECT %s AS v FROM part WHERE %s))
     WHERE r = 1 OR r = m OR (r - 1) %% greatest(1, ceil(m / %d))::BIGINT = 0)) AS b`,
			g, below, inCond, v, inCond, quantileSample)
	}
	query := engine.WithCTE("part", engine.ScanView(engine.ViewIn), strings.Join(subs, "\nUNION ALL\n"))
	recs, err := df.collectPerPartition(ctx, query)
	if err != nil {
		return err
	}
	// Per interval: each partition's count below, count inside, samples.
	type piece struct {
		below, n int64
		vals     []qvalue
		pos      []int64
	}
	pieces := make([][]piece, len(keys))
	for _, r := range recs {
		gs := r.Column(0)
		for row := range int(r.NumRows()) {
			g := int(int64Value(gs, row))
			p := piece{below: r.Column(1).(*array.Int64).Value(row), n: r.Column(2).(*array.Int64).Value(row)}
			p.vals = listValues(r.Column(3), row, groups[keys[g]][0].col.float)
			for _, x := range listValues(r.Column(4), row, false) {
				p.pos = append(p.pos, x.i)
			}
			pieces[g] = append(pieces[g], p)
		}
	}
	for g, k := range keys {
		ps := pieces[g]
		var below int64
		whole := true
		var all []qvalue
		for _, p := range ps {
			below += p.below
			whole = whole && int64(len(p.vals)) == p.n
			all = append(all, p.vals...)
		}
		sort.Slice(all, func(i, j int) bool { return all[i].less(all[j]) })
		for _, t := range groups[k] {
			want := t.rank - below // rank inside the interval
			if len(all) == 0 || want < 1 {
				return fmt.Errorf("internal error: rank %d of %q is not in its interval (%d values below, none inside)", t.rank, t.col.name, below)
			}
			if whole {
				if want > int64(len(all)) {
					return fmt.Errorf("internal error: rank %d of %q is past its interval", t.rank, t.col.name)
				}
				t.done, t.value = true, all[want-1]
				continue
			}
			if !all[0].less(all[len(all)-1]) {
				// One value fills the interval.
				t.done, t.value = true, all[0]
				continue
			}
			// Bounds on how many values are <= v, for every sample v:
			// in each partition, at least the rank of its greatest
			// sample <= v, at most one less than the rank of its least
			// sample > v.
			var lo, hi *qvalue
			for _, v := range all {
				var atLeast, atMost int64 = below, below
				for _, p := range ps {
					j := sort.Search(len(p.vals), func(i int) bool { return v.less(p.vals[i]) })
					if j > 0 {
						atLeast += p.pos[j-1]
					}
					if j < len(p.vals) {
						atMost += p.pos[j] - 1
					} else {
						atMost += p.n
					}
				}
				if atMost < t.rank {
					vv := v
					lo = &vv
				}
				if atLeast >= t.rank && hi == nil {
					vv := v
					hi = &vv
				}
			}
			if lo != nil {
				t.lo = lo
			}
			if hi != nil {
				t.hi = hi
			}
		}
	}
	return nil
}

// int64Value reads an integer cell of any integer type.
func int64Value(a arrow.Array, i int) int64 {
	switch x := a.(type) {
	case *array.Int64:
		return x.Value(i)
	case *array.Int32:
		return int64(x.Value(i))
	}
	return 0
}

// listValues returns the values of a list cell (none for a null list).
func listValues(a arrow.Array, row int, float bool) []qvalue {
	l, ok := a.(array.ListLike)
	if !ok || l.IsNull(row) {
		return nil
	}
	start, end := l.ValueOffsets(row)
	vals := l.ListValues()
	out := make([]qvalue, 0, end-start)
	for i := start; i < end; i++ {
		switch x := vals.(type) {
		case *array.Float64:
			out = append(out, qvalue{isFloat: true, f: x.Value(int(i))})
		case *array.Int64:
			out = append(out, qvalue{i: x.Value(int(i))})
		}
	}
	return out
}
