package array_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/array"
)

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func values[T array.Elem](t *testing.T, ctx context.Context, a *array.Array) []T {
	t.Helper()
	d, err := a.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(d.Shape, a.Shape()) {
		t.Fatalf("computed shape %v, array's %v", d.Shape, a.Shape())
	}
	v, err := array.Values[T](d)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func seq(n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = float64(i)
	}
	return v
}

// A 2-d array cut into uneven blocks comes back as it went.
func TestFromSliceRoundTrip(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	a := arr(array.FromSlice(c, seq(7*5), []int{7, 5}, array.By(3, 2)))
	if got, want := a.Chunks(), [][]int{{3, 3, 1}, {2, 2, 1}}; !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("chunks %v, want %v", got, want)
	}
	if a.NumBlocks() != 9 {
		t.Fatalf("%d blocks", a.NumBlocks())
	}
	if got := values[float64](t, ctx, a); !slices.Equal(got, seq(35)) {
		t.Fatalf("got %v", got)
	}
	d, err := a.Compute(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st := d.Strides(); !slices.Equal(st, []int{5, 1}) {
		t.Fatalf("strides %v", st)
	}
	if v, err := d.Float64(4, 3); err != nil || v != 23 {
		t.Fatalf("element [4,3] = %v, %v", v, err)
	}
}

// ((x+1)*2).Sum() against the same in Go, and the graph it runs: one task
// per block (creation, +1, *2 and the block's partial sum fused) plus the
// tree.
func TestElementwiseAndSumFuse(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	x := arr(array.FromSlice(c, seq(100*30), []int{100, 30}, array.By(10, 30)))
	y := arr(arr(x.Add(1)).Mul(2))
	s := arr(y.Sum())
	want := 0.0
	for _, v := range seq(3000) {
		want += (v + 1) * 2
	}
	if got := values[float64](t, ctx, s); len(got) != 1 || got[0] != want {
		t.Fatalf("sum %v, want %v", got, want)
	}
	if s.NDim() != 0 {
		t.Fatalf("a sum over every axis has %d axes", s.NDim())
	}
	var dot bytes.Buffer
	if err := dusk.WriteGraph(&dot, "dot", []dusk.Lazy{s.Blocks()[0]}, dusk.Optimized(true)); err != nil {
		t.Fatal(err)
	}
	// 10 blocks: 10 fused tasks, then 10 partials → 2 combines → 1.
	if got := strings.Count(dot.String(), "label="); got != 10+2+1 {
		t.Fatalf("the optimized graph has %d tasks, want 13:\n%s", got, dot.String())
	}
	if n, err := dusk.CountTasks(blocksOf(s), dusk.OptimizedWidth(1)); err != nil || n != 10+1 {
		t.Fatalf("with blockwise fusion, %d tasks (%v), want 11: the combines fuse", n, err)
	}
}

// NumPy's broadcasting: a row and a column against a matrix.
func TestBroadcasting(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	m := arr(array.FromSlice(c, seq(12), []int{3, 4}, array.By(2, 2)))
	row := arr(array.FromSlice(c, []float64{10, 20, 30, 40}, []int{4}, array.By(2)))
	col := arr(array.FromSlice(c, []float64{100, 200, 300}, []int{3, 1}, array.By(2, 1)))
	got := values[float64](t, ctx, arr(arr(m.Add(row)).Add(col)))
	for i := range 3 {
		for j := range 4 {
			if want := float64(i*4+j) + float64(10*(j+1)) + float64(100*(i+1)); got[i*4+j] != want {
				t.Fatalf("[%d,%d] = %v, want %v", i, j, got[i*4+j], want)
			}
		}
	}
	// An outer product of a column and a row.
	outer := arr(col.Mul(row))
	if !slices.Equal(outer.Shape(), []int{3, 4}) {
		t.Fatalf("outer shape %v", outer.Shape())
	}
	if got := values[float64](t, ctx, outer); got[2*4+3] != 300*40 {
		t.Fatalf("outer[2,3] = %v", got[2*4+3])
	}
	_, err := m.Add(arr(array.FromSlice(c, seq(3), []int{3}, array.By(3))))
	if err == nil || !strings.Contains(err.Error(), "do not broadcast") || !strings.Contains(err.Error(), "[3 4]") {
		t.Fatalf("(3,4) + (3,): %v", err)
	}
	_, err = m.Add(arr(array.FromSlice(c, seq(4), []int{4}, array.By(3))))
	if err == nil || !strings.Contains(err.Error(), "cut differently") {
		t.Fatalf("chunks that do not line up: %v", err)
	}
}

// Reductions over one axis of many blocks go through the tree.
func TestReductionsOverAxes(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	const rows, cols = 90, 4
	data := make([]int32, rows*cols)
	for i := range data {
		data[i] = int32((i*7919)%101 - 50)
	}
	a := arr(array.FromSlice(c, data, []int{rows, cols}, array.By(5, 2))) // 18 × 2 blocks
	sum0 := values[int64](t, ctx, arr(a.Sum(0)))
	min1 := values[int32](t, ctx, arr(a.Min(-1)))
	max0 := values[int32](t, ctx, arr(a.Max(0)))
	mean := values[float64](t, ctx, arr(a.Mean()))
	var total int64
	for j := range cols {
		var s int64
		mx := int32(math.MinInt32)
		for i := range rows {
			v := data[i*cols+j]
			s += int64(v)
			mx = max(mx, v)
		}
		total += s
		if sum0[j] != s || max0[j] != mx {
			t.Fatalf("column %d: sum %d max %d, want %d %d", j, sum0[j], max0[j], s, mx)
		}
	}
	for i := range rows {
		if want := slices.Min(data[i*cols : (i+1)*cols]); min1[i] != want {
			t.Fatalf("row %d: min %d, want %d", i, min1[i], want)
		}
	}
	if want := float64(total) / float64(rows*cols); math.Abs(mean[0]-want) > 1e-12 {
		t.Fatalf("mean %v, want %v", mean[0], want)
	}
	if _, err := a.Sum(2); err == nil || !strings.Contains(err.Error(), "axis 2 is out of range") {
		t.Fatalf("Sum(2) of a 2-d array: %v", err)
	}
	// A NaN wins in Min and Max, as in NumPy.
	f := arr(array.FromSlice(c, []float64{3, math.NaN(), 1, 2}, []int{4}, array.By(1)))
	if got := values[float64](t, ctx, arr(f.Min())); !math.IsNaN(got[0]) {
		t.Fatalf("min with a NaN: %v", got)
	}
}

// The types of results follow NumPy's rules for these types.
func TestTypes(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	i32 := arr(array.FromSlice(c, []int32{1, 2, 3, 4}, []int{4}, array.By(2)))
	f32 := arr(array.FromSlice(c, []float32{1, 2, 3, 4}, []int{4}, array.By(2)))
	b := arr(array.FromSlice(c, []bool{true, false, true, true}, []int{4}, array.By(2)))
	for _, tc := range []struct {
		name string
		a    *array.Array
		want array.DType
	}{
		{"int32 + 1", arr(i32.Add(1)), array.Int32},
		{"int32 / 2", arr(i32.Div(2)), array.Float64},
		{"int32 + 0.5", arr(i32.Add(0.5)), array.Float64},
		{"float32 * 2.5", arr(f32.Mul(2.5)), array.Float32},
		{"float32 + int32", arr(f32.Add(i32)), array.Float64},
		{"int32 > 2", arr(i32.Gt(2)), array.Bool},
		{"sum of int32", arr(i32.Sum()), array.Int64},
		{"sum of bool", arr(b.Sum()), array.Int64},
		{"sqrt of int32", arr(i32.Sqrt()), array.Float64},
		{"where", arr(array.Where(b, i32, 0)), array.Int64},
	} {
		if tc.a.DType() != tc.want {
			t.Errorf("%s is %s, want %s", tc.name, tc.a.DType(), tc.want)
		}
	}
	if got := values[int32](t, ctx, arr(i32.Add(1))); !slices.Equal(got, []int32{2, 3, 4, 5}) {
		t.Fatalf("int32 + 1 = %v", got)
	}
	if got := values[int64](t, ctx, arr(b.Sum())); got[0] != 3 {
		t.Fatalf("sum of bools %v", got)
	}
	if got := values[int64](t, ctx, arr(array.Where(b, i32, 0))); !slices.Equal(got, []int64{1, 0, 3, 4}) {
		t.Fatalf("where %v", got)
	}
	if got := values[int32](t, ctx, arr(i32.Clip(2, 3))); !slices.Equal(got, []int32{2, 2, 3, 3}) {
		t.Fatalf("clip %v", got)
	}
	if got := values[float64](t, ctx, arr(i32.ScalarDiv(12))); !slices.Equal(got, []float64{12, 6, 4, 3}) {
		t.Fatalf("12 / x = %v", got)
	}
	if _, err := b.Add(b); err == nil || !strings.Contains(err.Error(), "two bool arrays") {
		t.Fatalf("bool + bool: %v", err)
	}
	if _, err := i32.Add(int64(1) << 40); err == nil || !strings.Contains(err.Error(), "does not fit") {
		t.Fatalf("int32 + 2^40: %v", err)
	}
	if _, err := i32.Add("one"); err == nil || !strings.Contains(err.Error(), "is not a scalar") {
		t.Fatalf("int32 + a string: %v", err)
	}
}

// Arrays made on the workers: Full, Arange, Linspace, Random, FromFunc.
func TestCreation(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	if got := values[int64](t, ctx, arr(array.Arange(c, 3, -8, -2, array.By(2)))); !slices.Equal(got, []int64{3, 1, -1, -3, -5, -7}) {
		t.Fatalf("arange %v", got)
	}
	lin := values[float64](t, ctx, arr(array.Linspace(c, 0, 1, 11, array.By(4))))
	if len(lin) != 11 || lin[0] != 0 || lin[10] != 1 || math.Abs(lin[3]-0.3) > 1e-15 {
		t.Fatalf("linspace %v", lin)
	}
	ones := values[float32](t, ctx, arr(array.Ones(c, []int{3, 3}, array.By(2), array.Float32)))
	if len(ones) != 9 || slices.Min(ones) != 1 || slices.Max(ones) != 1 {
		t.Fatalf("ones %v", ones)
	}
	r1 := values[float64](t, ctx, arr(array.Random(c, []int{50, 40}, array.By(20), 7)))
	r2 := values[float64](t, ctx, arr(array.Random(c, []int{50, 40}, array.By(20), 7)))
	if !slices.Equal(r1, r2) || slices.Min(r1) < 0 || slices.Max(r1) >= 1 {
		t.Fatal("Random is not the same for the same seed, or not in [0, 1)")
	}
	if mean := sum(r1) / float64(len(r1)); math.Abs(mean-0.5) > 0.05 {
		t.Fatalf("the mean of 2000 uniform numbers is %v", mean)
	}
	f := arr(array.FromFunc(c, fnIndexBlock, []int{5, 6}, array.By(2, 4), array.Int64))
	got := values[int64](t, ctx, f)
	for i := range 5 {
		for j := range 6 {
			if got[i*6+j] != int64(i*100+j) {
				t.Fatalf("FromFunc [%d,%d] = %d", i, j, got[i*6+j])
			}
		}
	}
	bad := arr(array.FromFunc(c, fnIndexBlock, []int{5, 6}, array.By(2, 4), array.Float64))
	if _, err := bad.Compute(ctx); err == nil || !strings.Contains(err.Error(), "made a int64 block") {
		t.Fatalf("a function that makes blocks of the wrong type: %v", err)
	}
	if _, err := array.Zeros(c, []int{4, 4}, array.Explicit([]int{2, 2}, []int{3}), array.Float64); err == nil || !strings.Contains(err.Error(), "add up to 3") {
		t.Fatalf("chunks that do not tile the shape: %v", err)
	}
	auto := arr(array.Zeros(c, []int{20000, 20000}, array.Auto(), array.Float64))
	for _, cs := range auto.Chunks() {
		if cs[0] != auto.Chunks()[0][0] || cs[0]*cs[0]*8 > array.AutoTarget || cs[0]*cs[0]*8*2 < array.AutoTarget {
			t.Fatalf("auto chunks %v of a 20000×20000 float64 array: not near 128 MiB", auto.Chunks())
		}
	}
}

// fnIndexBlock makes the block whose elements are 100*row + column.
var fnIndexBlock = dusk.Register("array_test.index-block", func(info array.BlockInfo) (*array.Block, error) {
	v := make([]int64, info.Shape[0]*info.Shape[1])
	for i := range info.Shape[0] {
		for j := range info.Shape[1] {
			v[i*info.Shape[1]+j] = int64((info.Offset[0]+i)*100 + info.Offset[1] + j)
		}
	}
	return array.NewBlock(v, info.Shape...)
})

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// The block of (x+1) + (y*2), whose operands come from two arrays made on
// the workers, is one task with its reduction's first stage: blockwise
// fusion in the graph package. Explain says so.
func TestBlockwiseFusionOfTwoArrays(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	x := arr(array.Random(c, []int{60, 60}, array.By(20), 1))
	y := arr(array.Random(c, []int{60, 60}, array.By(20), 2))
	s := arr(arr(arr(x.Add(1)).Add(arr(y.Mul(2)))).Sum())
	n, err := dusk.CountTasks(blocksOf(s), dusk.OptimizedWidth(1))
	if err != nil {
		t.Fatal(err)
	}
	// 9 blocks, each one task; the 9 partial sums combined 5 and 4, then
	// the two together, the three combines one task.
	if n != 9+1 {
		t.Fatalf("%d tasks after optimization, want 10", n)
	}
	chainsOnly, _ := dusk.CountTasks(blocksOf(s), dusk.Optimized(true))
	if chainsOnly <= n {
		t.Fatalf("chain fusion alone gives %d tasks, blockwise %d", chainsOnly, n)
	}
	ex, err := s.Explain()
	if err != nil || !strings.Contains(ex, "tasks: 30 as written, 10 after optimization") {
		t.Fatalf("Explain:\n%s%v", ex, err)
	}
	xs, ys := values[float64](t, ctx, x), values[float64](t, ctx, y)
	want := 0.0
	for i := range xs {
		want += xs[i] + 1 + ys[i]*2
	}
	if got := values[float64](t, ctx, s); math.Abs(got[0]-want) > 1e-9 {
		t.Fatalf("sum %v, want %v", got[0], want)
	}
	svg := filepath.Join(t.TempDir(), "s.svg")
	if err := s.Visualize(svg, true); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(svg); err != nil || !bytes.Contains(b, []byte("<svg")) {
		t.Fatalf("Visualize wrote %d bytes: %v", len(b), err)
	}
}

func blocksOf(a *array.Array) []dusk.Lazy {
	var out []dusk.Lazy
	for _, b := range a.Blocks() {
		out = append(out, b)
	}
	return out
}
