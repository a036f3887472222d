package array_test

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/array"
)

// Var, Std, Any, All, Count, ArgMin, ArgMax and Cumsum against the same
// computed in Go, over blocks of every shape.
func TestMoreReductions(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	const rows, cols = 37, 6
	data := make([]float64, rows*cols)
	for i := range data {
		data[i] = math.Sin(float64(i)) * 1e3
	}
	a := arr(array.FromSlice(c, data, []int{rows, cols}, array.By(4, 4))) // 10 × 2 blocks
	col := func(j int) []float64 {
		var v []float64
		for i := range rows {
			v = append(v, data[i*cols+j])
		}
		return v
	}
	vr := values[float64](t, ctx, arr(a.Var(1, 0)))
	sd := values[float64](t, ctx, arr(a.Std(0)))
	for j := range cols {
		v := col(j)
		mean := 0.0
		for _, x := range v {
			mean += x
		}
		mean /= float64(len(v))
		ss := 0.0
		for _, x := range v {
			ss += (x - mean) * (x - mean)
		}
		if want := ss / float64(rows-1); math.Abs(vr[j]-want) > 1e-9*want {
			t.Fatalf("column %d: var %v, want %v", j, vr[j], want)
		}
	}
	all := 0.0
	for _, x := range data {
		all += x
	}
	mean := all / float64(len(data))
	ss := 0.0
	for _, x := range data {
		ss += (x - mean) * (x - mean)
	}
	if want := math.Sqrt(ss / float64(len(data))); math.Abs(sd[0]-want) > 1e-9*want {
		t.Fatalf("std %v, want %v", sd[0], want)
	}
	amin := values[int64](t, ctx, arr(a.ArgMin(0)))
	amax := values[int64](t, ctx, arr(a.ArgMax(1)))
	for j := range cols {
		v := col(j)
		if want := int64(slices.Index(v, slices.Min(v))); amin[j] != want {
			t.Fatalf("argmin of column %d: %d, want %d", j, amin[j], want)
		}
	}
	for i := range rows {
		r := data[i*cols : (i+1)*cols]
		if want := int64(slices.Index(r, slices.Max(r))); amax[i] != want {
			t.Fatalf("argmax of row %d: %d, want %d", i, amax[i], want)
		}
	}
	cs := values[float64](t, ctx, arr(a.Cumsum(0)))
	for j := range cols {
		acc := 0.0
		for i := range rows {
			acc += data[i*cols+j]
			if math.Abs(cs[i*cols+j]-acc) > 1e-9 {
				t.Fatalf("cumsum [%d,%d] = %v, want %v", i, j, cs[i*cols+j], acc)
			}
		}
	}
	ints := arr(array.FromSlice(c, []int32{0, 3, 0, 5, 7, 0}, []int{2, 3}, array.By(1, 2)))
	if got := values[int64](t, ctx, arr(ints.Cumsum(1))); !slices.Equal(got, []int64{0, 3, 3, 5, 12, 12}) {
		t.Fatalf("cumsum of ints along 1: %v", got)
	}
	if got := values[bool](t, ctx, arr(ints.Any(1))); !slices.Equal(got, []bool{true, true}) {
		t.Fatalf("any %v", got)
	}
	if got := values[bool](t, ctx, arr(ints.All(0))); !slices.Equal(got, []bool{false, true, false}) {
		t.Fatalf("all %v", got)
	}
	nan := arr(array.FromSlice(c, []float64{1, math.NaN(), 3, math.NaN()}, []int{4}, array.By(3)))
	if got := values[int64](t, ctx, arr(nan.Count())); got[0] != 2 {
		t.Fatalf("count of non-NaN: %v", got)
	}
	if got := values[int64](t, ctx, arr(nan.ArgMax(0))); got[0] != 1 {
		t.Fatalf("argmax with NaNs: %v (NumPy gives the first NaN)", got)
	}
	// Over the flattened array, as NumPy's argmin() without an axis.
	flatMin := values[int64](t, ctx, arr(a.ArgMin()))
	if want := int64(slices.Index(data, slices.Min(data))); flatMin[0] != want {
		t.Fatalf("argmin of the flattened array: %d, want %d", flatMin[0], want)
	}
	ties := arr(array.FromSlice(c, []int32{5, 1, 9, 9, 1, 9}, []int{2, 3}, array.By(1, 2)))
	if got := values[int64](t, ctx, arr(ties.ArgMax())); got[0] != 2 {
		t.Fatalf("argmax with ties across blocks: %d, want the first (2)", got[0])
	}
	if got := values[int64](t, ctx, arr(ties.ArgMin())); got[0] != 1 {
		t.Fatalf("argmin with ties across blocks: %d, want 1", got[0])
	}
	if _, err := a.Var(rows*cols, 0, 1); err == nil || !strings.Contains(err.Error(), "too few elements") {
		t.Fatalf("var with ddof = n: %v", err)
	}
}

// Min and Max over each axis, both and none of a matrix with a NaN in one
// row and one column, against the same in Go: the NaN wins where it is.
func TestMinMaxAlongAxes(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	const r, k = 9, 7
	v := make([]float64, r*k)
	for i := range v {
		v[i] = float64((i*37)%23) - 9
	}
	v[4*k+2] = math.NaN()
	a := arr(array.FromSlice(c, v, []int{r, k}, array.By(4, 3)))
	same := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
	pick := func(op string, xs []float64) float64 {
		m := xs[0]
		for _, x := range xs {
			switch {
			case math.IsNaN(x):
				return x
			case op == "min" && x < m, op == "max" && x > m:
				m = x
			}
		}
		return m
	}
	for _, op := range []string{"min", "max"} {
		red := a.Min
		if op == "max" {
			red = a.Max
		}
		cols := values[float64](t, ctx, arr(red(0)))
		for j := range k {
			var col []float64
			for i := range r {
				col = append(col, v[i*k+j])
			}
			if want := pick(op, col); !same(cols[j], want) {
				t.Fatalf("%s(0)[%d] = %v, want %v", op, j, cols[j], want)
			}
		}
		rows := values[float64](t, ctx, arr(red(1)))
		for i := range r {
			if want := pick(op, v[i*k:(i+1)*k]); !same(rows[i], want) {
				t.Fatalf("%s(1)[%d] = %v, want %v", op, i, rows[i], want)
			}
		}
		if all := values[float64](t, ctx, arr(red())); !math.IsNaN(all[0]) {
			t.Fatalf("%s() = %v, want NaN", op, all[0])
		}
	}
}

// Var over the middle axis of a 3-d array (runs with elements before and
// after them) and over the first and last together (not one run), against
// the same in Go.
func TestVarAlongInnerAxes(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	const p, q, r = 5, 7, 3
	data := make([]float64, p*q*r)
	for i := range data {
		data[i] = math.Cos(float64(i)*0.7) * 50
	}
	a := arr(array.FromSlice(c, data, []int{p, q, r}, array.By(2, 3, 2)))
	at := func(i, j, k int) float64 { return data[(i*q+j)*r+k] }
	variance := func(v []float64) float64 {
		m := 0.0
		for _, x := range v {
			m += x
		}
		m /= float64(len(v))
		s := 0.0
		for _, x := range v {
			s += (x - m) * (x - m)
		}
		return s / float64(len(v))
	}
	mid := values[float64](t, ctx, arr(a.Var(0, 1)))
	for i := range p {
		for k := range r {
			var v []float64
			for j := range q {
				v = append(v, at(i, j, k))
			}
			if want := variance(v); math.Abs(mid[i*r+k]-want) > 1e-9*want {
				t.Fatalf("var(1)[%d,%d] = %v, want %v", i, k, mid[i*r+k], want)
			}
		}
	}
	ends := values[float64](t, ctx, arr(a.Var(0, 0, 2)))
	for j := range q {
		var v []float64
		for i := range p {
			for k := range r {
				v = append(v, at(i, j, k))
			}
		}
		if want := variance(v); math.Abs(ends[j]-want) > 1e-9*want {
			t.Fatalf("var(0, 2)[%d] = %v, want %v", j, ends[j], want)
		}
	}
}
