package dataframe

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk/dataframe/engine"
)

// describeSample is how many values of each column each partition
// contributes to the quantile estimate.
const describeSample = 4096

// Describe summarizes the numeric columns as pandas does: a table whose
// first column "stat" names the rows count, mean, std, min, 25%, 50%, 75%
// and max, with one float64 column per numeric column. Counts, means,
// standard deviations (ddof 1), minima and maxima are exact; the quartiles
// are estimated from a sample of up to 4096 values per partition, weighted
// by the partitions' sizes.
func (df *DataFrame) Describe(ctx context.Context) (arrow.Table, error) {
	if df.err != nil {
		return nil, df.err
	}
	var cols []string
	for _, f := range df.Schema().Fields() {
		if arrow.IsInteger(f.Type.ID()) || arrow.IsFloating(f.Type.ID()) {
			cols = append(cols, f.Name)
		}
	}
	if len(cols) == 0 {
		return nil, opError("Describe", errors.New("no numeric columns"))
	}
	var sel []string
	for _, c := range cols {
		q := engine.QuoteIdent(c)
		// Per partition: the count, the mean and M2 = sum((x - mean)^2)
		// (var_pop * n, which DuckDB computes stably), joined by Chan's
		// formula in summarize: a sum of squares minus the squared sum
		// loses every digit for data far from zero.
		sel = append(sel, fmt.Sprintf("count(%s) AS n, avg(%s::DOUBLE) AS m, coalesce(var_pop(%s::DOUBLE) * count(%s), 0) AS q, min(%s)::DOUBLE AS lo, max(%s)::DOUBLE AS hi, (SELECT list(v) FROM (SELECT %s::DOUBLE AS v FROM part WHERE %s IS NOT NULL USING SAMPLE reservoir(%d ROWS) REPEATABLE (7))) AS sample",
			q, q, q, q, q, q, q, q, describeSample))
	}
	// One pass per column keeps the result's names simple.
	stats := make([]colSummary, len(cols))
	for i := range cols {
		query := engine.WithCTE("part", engine.ScanView(engine.ViewIn), "SELECT "+sel[i]+" FROM part")
		recs, err := df.collectPerPartition(ctx, query)
		if err != nil {
			return nil, err
		}
		stats[i] = summarize(recs)
	}
	names := []string{"count", "mean", "std", "min", "25%", "50%", "75%", "max"}
	fields := []arrow.Field{{Name: "stat", Type: arrow.BinaryTypes.String, Nullable: true}}
	for _, c := range cols {
		fields = append(fields, arrow.Field{Name: c, Type: arrow.PrimitiveTypes.Float64, Nullable: true})
	}
	b := array.NewRecordBuilder(mem, arrow.NewSchema(fields, nil))
	defer b.Release()
	b.Field(0).(*array.StringBuilder).AppendValues(names, nil)
	for i, st := range stats {
		fb := b.Field(i + 1).(*array.Float64Builder)
		for _, v := range st.values() {
			if math.IsNaN(v) {
				fb.AppendNull()
			} else {
				fb.Append(v)
			}
		}
	}
	rec := b.NewRecordBatch()
	return array.NewTableFromRecords(rec.Schema(), []arrow.RecordBatch{rec}), nil
}

// colSummary is a column's statistics over all partitions: the count n,
// the mean m, M2 = sum((x - m)^2) as q, the extremes and a sample.
type colSummary struct {
	n, m, q, lo, hi float64
	sample          []weighted
}

type weighted struct{ v, w float64 }

func summarize(recs []arrow.RecordBatch) colSummary {
	st := colSummary{lo: math.Inf(1), hi: math.Inf(-1)}
	for _, r := range recs {
		n := float64(r.Column(0).(*array.Int64).Value(0))
		if n == 0 {
			continue
		}
		m, q := r.Column(1).(*array.Float64).Value(0), r.Column(2).(*array.Float64).Value(0)
		if st.n == 0 {
			st.n, st.m, st.q = n, m, q
		} else {
			tot := st.n + n
			d := m - st.m
			st.m += d * n / tot
			st.q += q + d*d*st.n*n/tot
			st.n = tot
		}
		st.lo = math.Min(st.lo, r.Column(3).(*array.Float64).Value(0))
		st.hi = math.Max(st.hi, r.Column(4).(*array.Float64).Value(0))
		l := r.Column(5).(*array.List)
		if l.IsNull(0) {
			continue
		}
		vals := l.ListValues().(*array.Float64)
		a, b := l.ValueOffsets(0)
		w := n / float64(b-a)
		for j := a; j < b; j++ {
			st.sample = append(st.sample, weighted{vals.Value(int(j)), w})
		}
	}
	sort.Slice(st.sample, func(i, j int) bool { return st.sample[i].v < st.sample[j].v })
	return st
}

// values returns count, mean, std, min, 25%, 50%, 75%, max (NaN when
// undefined).
func (st colSummary) values() []float64 {
	nan := math.NaN()
	if st.n == 0 {
		return []float64{0, nan, nan, nan, nan, nan, nan, nan}
	}
	std := nan
	if st.n > 1 {
		std = math.Sqrt(math.Max(st.q/(st.n-1), 0))
	}
	return []float64{st.n, st.m, std, st.lo, st.quantile(0.25), st.quantile(0.5), st.quantile(0.75), st.hi}
}

// quantile estimates a quantile from the weighted sample, interpolating
// between neighbours as pandas' default (linear) does.
func (st colSummary) quantile(p float64) float64 {
	s := st.sample
	if len(s) == 0 {
		return math.NaN()
	}
	var total float64
	for _, x := range s {
		total += x.w
	}
	// Position of each sample value: the middle of its weight.
	target := p * total
	cum := 0.0
	prevPos, prevV := -1.0, s[0].v
	for _, x := range s {
		pos := cum + x.w/2
		if pos >= target {
			if prevPos < 0 {
				return x.v
			}
			f := (target - prevPos) / (pos - prevPos)
			return prevV + f*(x.v-prevV)
		}
		prevPos, prevV = pos, x.v
		cum += x.w
	}
	return s[len(s)-1].v
}
