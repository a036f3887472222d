package dataframe

import (
	"fmt"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
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

// WithDivisions gives the divisions instead of sampling the data for them
// (no pass over the data). The divisions must hold the data: a value below
// the first bound or above the last is an error of the computation that
// names it (sampled divisions are exact: the first is the data's least
// value, the last its greatest).
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
			return nil, fmt.Errorf("%v is a %T but column %q is %s: give %s values (for divisions, Bounds[%s](...))", v, v, f.Name, typeName(f.Type), want, want)
		}
	}
	return out, checkBounds(out)
}

var fnWithinDivisions = dusk.Register("dataframe.within-divisions", withinDivisions)

// checkedWithin returns the partitions, each checked (in a task of its
// own, fused with its neighbours) to hold no value of col outside
// [bounds[0], bounds[n]]: given divisions must hold the data.
func checkedWithin(in []part, col string, bounds []any) []part {
	out := make([]part, len(in))
	for i, p := range in {
		out[i] = dusk.Call[arrow.RecordBatch](fnWithinDivisions, p, col, endsOf(bounds))
	}
	return out
}

// divisionEnds are the first and last division, typed for a task's
// arguments.
type divisionEnds struct {
	Kind string // "int", "float" or "string"
	I    [2]int64
	F    [2]float64
	S    [2]string
}

func endsOf(b []any) divisionEnds {
	var e divisionEnds
	for j, v := range []any{b[0], b[len(b)-1]} {
		switch x := v.(type) {
		case int64:
			e.Kind, e.I[j] = "int", x
		case float64:
			e.Kind, e.F[j] = "float", x
		case string:
			e.Kind, e.S[j] = "string", x
		}
	}
	return e
}

func (e divisionEnds) values() (lo, hi any) {
	switch e.Kind {
	case "int":
		return e.I[0], e.I[1]
	case "float":
		return e.F[0], e.F[1]
	}
	return e.S[0], e.S[1]
}

// withinDivisions returns rec when its values of col lie within the
// ends, else an error naming the value and the bound to widen.
func withinDivisions(rec arrow.RecordBatch, col string, ends divisionEnds) (arrow.RecordBatch, error) {
	lo, hi := ends.values()
	i, err := columnIndex(rec.Schema(), col, "SetIndex")
	if err != nil {
		return nil, err
	}
	a := rec.Column(i)
	l, h := extremes(a)
	if l < 0 {
		return rec, nil
	}
	vs, err := scalars(array.NewSlice(a, int64(l), int64(l+1)))
	if err != nil {
		return nil, err
	}
	if compareAny(vs[0], lo) < 0 {
		return nil, fmt.Errorf("value %v of column %q is below the first division given to WithDivisions (%v): give a first bound at most the data's least value", vs[0], col, lo)
	}
	if vs, err = scalars(array.NewSlice(a, int64(h), int64(h+1))); err != nil {
		return nil, err
	}
	if compareAny(vs[0], hi) > 0 {
		return nil, fmt.Errorf("value %v of column %q is above the last division given to WithDivisions (%v): give a last bound at least the data's greatest value", vs[0], col, hi)
	}
	return rec, nil
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
