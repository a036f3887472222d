package dataframe

import (
	"context"
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk/dataframe/engine"
)

// DivisionBounds are divisions to give SetIndex or SortValues (see
// WithDivisions), all of one Go type: make them with Bounds.
type DivisionBounds struct {
	vals []any // int64, float64, string or time.Time
}

// Bounds returns divisions of one type, ascending, one more than the
// partitions wanted: Bounds[int64](0, 100, 500, 999). int64 bounds fit
// integer columns, float64 bounds float columns, strings string columns
// and time.Time dates and timestamps (a time finer than the column's unit
// is refused, not rounded).
func Bounds[T int64 | float64 | string | time.Time](vs ...T) DivisionBounds {
	out := make([]any, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return DivisionBounds{vals: out}
}

// WithDivisions gives the divisions instead of sampling the data for them.
// The rows are placed by the inner bounds; the first and last bound become
// the data's least and greatest value (a pass over the data reads them),
// so that the divisions hold the data exactly, whatever the ends given.
func WithDivisions(b DivisionBounds) IndexOption {
	return func(o *indexOptions) { o.bounds = append([]any(nil), b.vals...) }
}

// boundsFor converts given bounds to the values the column's divisions
// hold (int64 for integers, dates and timestamps; float64; string),
// refusing a type that does not fit the column.
func boundsFor(f arrow.Field, vals []any) ([]any, error) {
	out := make([]any, len(vals))
	want := ""
	for i, v := range vals {
		var err error
		switch t := f.Type.(type) {
		case *arrow.Date32Type:
			want = "time.Time"
			if tv, ok := v.(time.Time); ok {
				d := tv.UTC()
				if d.Hour() != 0 || d.Minute() != 0 || d.Second() != 0 || d.Nanosecond() != 0 {
					err = fmt.Errorf("division %s is not a whole day, and column %q holds dates", tv, f.Name)
				}
				out[i] = d.Unix() / 86400
				if d.Unix() < 0 && d.Unix()%86400 != 0 {
					out[i] = d.Unix()/86400 - 1
				}
			}
		case *arrow.TimestampType:
			want = "time.Time"
			if tv, ok := v.(time.Time); ok {
				ns := tv.UnixNano()
				per := int64(t.Unit.Multiplier())
				if ns%per != 0 {
					err = fmt.Errorf("division %s is finer than column %q's unit (%s)", tv, f.Name, t.Unit)
				}
				out[i] = ns / per
			}
		default:
			switch {
			case arrow.IsInteger(f.Type.ID()):
				want = "int64"
				if x, ok := v.(int64); ok {
					out[i] = x
				}
			case arrow.IsFloating(f.Type.ID()):
				want = "float64"
				if x, ok := v.(float64); ok {
					out[i] = x
				}
			default:
				want = "string"
				if x, ok := v.(string); ok {
					out[i] = x
				}
			}
		}
		if err != nil {
			return nil, err
		}
		if out[i] == nil {
			return nil, fmt.Errorf("division %v is a %T but column %q is %s; give Bounds[%s](...)", v, v, f.Name, typeName(f.Type), want)
		}
	}
	return out, checkBounds(out)
}

// exactEnds sets the first and last of the bounds to the least and
// greatest value of col in the data (rows below the first inner bound go to
// the first partition, rows above the last to the last, so the inner
// bounds alone place rows): a pass over the data.
func (df *DataFrame) exactEnds(ctx context.Context, col string, bounds []any) ([]any, error) {
	c := engine.QuoteIdent(col)
	q := engine.WithCTE("part", engine.ScanView(engine.ViewIn), fmt.Sprintf("SELECT min(%s) AS lo, max(%s) AS hi FROM part", c, c))
	recs, err := df.collectPerPartition(ctx, q)
	if err != nil {
		return nil, err
	}
	var lo, hi any
	for _, r := range recs {
		if r.NumRows() == 0 {
			continue
		}
		l, err := scalars(r.Column(0))
		if err != nil {
			return nil, err
		}
		h, _ := scalars(r.Column(1))
		if l[0] != nil && (lo == nil || compareAny(l[0], lo) < 0) {
			lo = l[0]
		}
		if h[0] != nil && (hi == nil || compareAny(h[0], hi) > 0) {
			hi = h[0]
		}
	}
	if lo == nil {
		return nil, fmt.Errorf("column %q has no values to take divisions from", col)
	}
	out := append([]any(nil), bounds...)
	n := len(out) - 1
	// An empty first (last) partition keeps its neighbour's bound, so
	// that the bounds still ascend.
	out[0] = lo
	if n > 1 && compareAny(lo, out[1]) > 0 {
		out[0] = out[1]
	}
	out[n] = hi
	if n > 1 && compareAny(hi, out[n-1]) < 0 {
		out[n] = out[n-1]
	}
	if n == 1 && compareAny(out[0], out[1]) > 0 {
		out[0], out[1] = out[1], out[0]
	}
	return out, nil
}

// sameSplits reports whether two divisions place rows alike: as many
// partitions, with equal inner bounds (rows outside the ends go to the
// end partitions, whatever the ends are).
func sameSplits(a, b []any) bool {
	if len(a) != len(b) || len(a) < 2 {
		return false
	}
	return equalBounds(a[1:len(a)-1], b[1:len(b)-1])
}

// extremes returns the rows of the least and greatest non-null value of a
// (NaN aside), or -1, -1 when it has none.
func extremes(a arrow.Array) (lo, hi int) {
	lo, hi = -1, -1
	switch x := a.(type) {
	case *array.Int64:
		return extremesOf(x.Len(), x.IsNull, x.Value)
	case *array.Int32:
		return extremesOf(x.Len(), x.IsNull, x.Value)
	case *array.Int16:
		return extremesOf(x.Len(), x.IsNull, x.Value)
	case *array.Int8:
		return extremesOf(x.Len(), x.IsNull, x.Value)
	case *array.Float64:
		return extremesOf(x.Len(), func(i int) bool { return x.IsNull(i) || x.Value(i) != x.Value(i) }, x.Value)
	case *array.Float32:
		return extremesOf(x.Len(), func(i int) bool { return x.IsNull(i) || x.Value(i) != x.Value(i) }, x.Value)
	case *array.String:
		return extremesOf(x.Len(), x.IsNull, x.Value)
	case *array.Date32:
		return extremesOf(x.Len(), x.IsNull, x.Value)
	case *array.Timestamp:
		return extremesOf(x.Len(), x.IsNull, x.Value)
	}
	return lo, hi
}

func extremesOf[T int8 | int16 | int32 | int64 | float32 | float64 | string | arrow.Date32 | arrow.Timestamp](n int, null func(int) bool, val func(int) T) (lo, hi int) {
	lo, hi = -1, -1
	for i := range n {
		if null(i) {
			continue
		}
		if lo < 0 || val(i) < val(lo) {
			lo = i
		}
		if hi < 0 || val(i) > val(hi) {
			hi = i
		}
	}
	return lo, hi
}
