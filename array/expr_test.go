package array_test

import (
	"math"
	"slices"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/array"
)

// An element-wise chain evaluates into buffers of its own: the blocks it
// reads (persisted, computed with it, or computed before) are the same
// after it ran.
func TestChainLeavesItsInputsAlone(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	x := arr(array.Random(c, []int{40, 30}, array.By(10, 15), 7))
	p := arr(x.Persist(ctx))
	if err := p.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if err := x.Wait(ctx); err != nil {
		t.Fatalf("Wait of an array not persisted: %v", err)
	}
	for _, in := range []*array.Array{x, p} {
		first := values[float64](t, ctx, in)
		y := arr(arr(in.Add(1)).Mul(2))
		got := values[float64](t, ctx, y)
		for i, v := range first {
			if want := (v + 1) * 2; got[i] != want {
				t.Fatalf("((x+1)*2)[%d] = %v, want %v", i, got[i], want)
			}
		}
		s := values[float64](t, ctx, arr(y.Sum()))
		if want := sumOf(got); math.Abs(s[0]-want) > 1e-9 {
			t.Fatalf("sum %v, want %v", s[0], want)
		}
		if again := values[float64](t, ctx, in); !slices.Equal(again, first) {
			t.Fatal("x changed after ((x+1)*2) ran")
		}
		// x and the chain in one graph: x's blocks are outputs and the
		// chain's inputs at once.
		lz := append(blocksOf(in), blocksOf(y)...)
		vals, err := dusk.ComputeAll(ctx, c, lz)
		if err != nil {
			t.Fatal(err)
		}
		for i, b := range vals[:in.NumBlocks()] {
			v := must[[]float64](t)(array.BlockValues[float64](b.(*array.Block)))
			w := must[[]float64](t)(array.BlockValues[float64](vals[in.NumBlocks()+i].(*array.Block)))
			for k := range v {
				if w[k] != (v[k]+1)*2 {
					t.Fatalf("block %d: ((x+1)*2)[%d] = %v with x %v", i, k, w[k], v[k])
				}
			}
		}
		if again := values[float64](t, ctx, in); !slices.Equal(again, first) {
			t.Fatal("x changed after x and ((x+1)*2) ran together")
		}
	}
}

// An input read twice by one chain (x + x, (x*2) + x, (x+1)*(x-1) - x*x)
// is read, not overwritten, by the first step.
func TestChainSharedInputs(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	x := arr(array.Random(c, []int{30, 20}, array.By(10), 3))
	p := arr(x.Persist(ctx))
	for _, in := range []*array.Array{x, p} {
		xs := values[float64](t, ctx, in)
		twice := arr(in.Add(in))
		thrice := arr(arr(in.Mul(2)).Add(in))
		diff := arr(arr(arr(in.Add(1)).Mul(arr(in.Sub(1)))).Sub(arr(in.Mul(in))))
		for _, tc := range []struct {
			name string
			a    *array.Array
			f    func(v float64) float64
		}{
			{"x + x", twice, func(v float64) float64 { return v + v }},
			{"(x*2) + x", thrice, func(v float64) float64 { return v*2 + v }},
			{"(x+1)*(x-1) - x*x", diff, func(v float64) float64 { return (v+1)*(v-1) - v*v }},
		} {
			got := values[float64](t, ctx, tc.a)
			for i, v := range xs {
				if got[i] != tc.f(v) {
					t.Fatalf("%s [%d] = %v, want %v", tc.name, i, got[i], tc.f(v))
				}
			}
			want := 0.0
			for _, v := range xs {
				want += tc.f(v)
			}
			if s := values[float64](t, ctx, arr(tc.a.Sum())); math.Abs(s[0]-want) > 1e-9 {
				t.Fatalf("%s: sum %v, want %v", tc.name, s[0], want)
			}
		}
		if again := values[float64](t, ctx, in); !slices.Equal(again, xs) {
			t.Fatal("x changed")
		}
	}
}

// Reductions of chains in every type the chains fuse, against the same in
// Go: sums, a min and max a NaN wins, means over one axis, a chain longer
// than one task evaluates, and sums of int32 (int64 results).
func TestChainReductions(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	v := make([]float64, 24*18)
	for i := range v {
		v[i] = float64(i%37) - 11
	}
	x := arr(array.FromSlice(c, v, []int{24, 18}, array.By(8, 6)))
	// Sqrt of a negative is NaN: the max of the chain is NaN.
	r := arr(arr(x.Mul(0.5)).Sqrt())
	if got := values[float64](t, ctx, arr(r.Max())); !math.IsNaN(got[0]) {
		t.Fatalf("max of sqrt(x*0.5) = %v, want NaN", got[0])
	}
	a := arr(arr(x.Abs()).Add(1))
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, e := range v {
		lo, hi = min(lo, math.Abs(e)+1), max(hi, math.Abs(e)+1)
	}
	if got := values[float64](t, ctx, arr(a.Min())); got[0] != lo {
		t.Fatalf("min %v, want %v", got[0], lo)
	}
	if got := values[float64](t, ctx, arr(a.Max())); got[0] != hi {
		t.Fatalf("max %v, want %v", got[0], hi)
	}
	m := values[float64](t, ctx, arr(a.Mean(0)))
	for j := range 18 {
		s := 0.0
		for i := range 24 {
			s += math.Abs(v[i*18+j]) + 1
		}
		if math.Abs(m[j]-s/24) > 1e-12 {
			t.Fatalf("mean(0)[%d] = %v, want %v", j, m[j], s/24)
		}
	}
	// A chain of 100 steps: longer than one expression.
	long := x
	for range 100 {
		long = arr(long.Add(1))
	}
	got := values[float64](t, ctx, long)
	for i, e := range v {
		if got[i] != e+100 {
			t.Fatalf("x+1+...+1 [%d] = %v, want %v", i, got[i], e+100)
		}
	}
	// Integers: int32 chains stay int32 and their sums are int64.
	i32 := arr(x.Astype(array.Int32))
	ci := arr(arr(arr(i32.Mul(3)).Sub(i32)).Neg())
	if ci.DType() != array.Int32 {
		t.Fatalf("chain of int32 is %s", ci.DType())
	}
	var want int64
	for _, e := range v {
		want += -int64(e*3 - e)
	}
	s := arr(ci.Sum())
	if s.DType() != array.Int64 {
		t.Fatalf("sum of int32 is %s", s.DType())
	}
	if got := values[int64](t, ctx, s); got[0] != want {
		t.Fatalf("sum %d, want %d", got[0], want)
	}
	i64 := arr(arr(x.Astype(array.Int64)).Mul(-2))
	if got := values[int64](t, ctx, arr(i64.Max())); got[0] != 22 {
		t.Fatalf("max of x*-2 = %d, want 22", got[0])
	}
}

func sumOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// A matrix's transpose read by an element-wise expression is its source
// block transposed in the expression's task: x + x.T, with square and
// oblong blocks, in float64 and int64, reduced or not, gives what
// indexing the computed x gives, and has no transpose task of its own.
func TestTransposeInExpressions(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	x := arr(array.Random(c, []int{30, 30}, array.By(10), 5))
	xs := values[float64](t, ctx, x)
	y := arr(x.Add(arr(x.Transpose())))
	got := values[float64](t, ctx, y)
	for i := range 30 {
		for j := range 30 {
			if want := xs[i*30+j] + xs[j*30+i]; got[i*30+j] != want {
				t.Fatalf("(x + x.T)[%d, %d] = %v, want %v", i, j, got[i*30+j], want)
			}
		}
	}
	// Each block of x + x.T makes the blocks of x it reads in its own
	// task (remade.go), the one read transposed made transposed: as
	// written, 18 makings of blocks of x (two for each of the 9) and no
	// transpose; as Compute sends them, 9 tasks, one per block.
	if n, err := dusk.CountTasks(blocksOf(y)); err != nil || n != 18+9 {
		t.Fatalf("x + x.T over 3×3 blocks is %d tasks as written (%v), want 27: 18 makings of blocks of x and 9 sums, no transposes", n, err)
	}
	if n, err := dusk.CountTasks(blocksOf(y), dusk.OptimizedWidth(1)); err != nil || n != 9 {
		t.Fatalf("x + x.T over 3×3 blocks is %d tasks as computed (%v), want 9", n, err)
	}
	sum := 0.0
	for _, v := range got {
		sum += v
	}
	if s := values[float64](t, ctx, arr(y.Sum())); math.Abs(s[0]-sum) > 1e-9 {
		t.Fatalf("(x + x.T).sum() = %v, want %v", s[0], sum)
	}
	// Oblong blocks: a 6×4 int64 matrix in 3×2 blocks, its transpose in 2×3
	// blocks, against a 4×6 matrix cut the same way, and summed along an
	// axis (the block made, then reduced).
	a := arr(array.FromSlice(c, []int64{
		0, 1, 2, 3,
		4, 5, 6, 7,
		8, 9, 10, 11,
		12, 13, 14, 15,
		16, 17, 18, 19,
		20, 21, 22, 23,
	}, []int{6, 4}, array.By(3, 2)))
	b := arr(array.Arange(c, 100, 124, 1, array.By(8)))
	b = arr(arr(b.Rechunk(array.By(24))).Reshape(4, 6))
	b = arr(b.Rechunk(array.By(2, 3)))
	z := arr(arr(arr(a.Transpose()).Mul(2)).Sub(b))
	zs := values[int64](t, ctx, z)
	cols := values[int64](t, ctx, arr(z.Sum(1)))
	for i := range 4 {
		var row int64
		for j := range 6 {
			want := 2*int64(j*4+i) - int64(100+i*6+j)
			if zs[i*6+j] != want {
				t.Fatalf("(a.T*2 - b)[%d, %d] = %d, want %d", i, j, zs[i*6+j], want)
			}
			row += want
		}
		if cols[i] != row {
			t.Fatalf("(a.T*2 - b).sum(1)[%d] = %d, want %d", i, cols[i], row)
		}
	}
	// A transpose of three axes in an expression is a block of its own.
	u := arr(array.Random(c, []int{4, 6, 8}, array.By(2, 3, 4), 9))
	us := values[float64](t, ctx, u)
	w := values[float64](t, ctx, arr(arr(u.Transpose(2, 0, 1)).Add(1)))
	for i := range 8 {
		for j := range 4 {
			for k := range 6 {
				if got, want := w[(i*4+j)*6+k], us[(j*6+k)*8+i]+1; got != want {
					t.Fatalf("(u.transpose(2,0,1)+1)[%d,%d,%d] = %v, want %v", i, j, k, got, want)
				}
			}
		}
	}
}

// Blocks cheap to make from nothing (Random, Full, Arange, ...) are made
// again by each expression reading them (remade.go): the values are those
// of the blocks made once (x persisted first), an expression reading a
// persisted array reads its blocks, a sum over Random's blocks makes
// them in its own tasks, and blocks read by a rechunk are still made once.
func TestCheapBlocksMadeWhereRead(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	x := arr(array.Random(c, []int{40, 40}, array.By(10), 9))
	p := arr(x.Persist(ctx))
	fromX := values[float64](t, ctx, arr(arr(x.Add(arr(x.Transpose()))).Mul(arr(x.Sub(1)))))
	fromP := values[float64](t, ctx, arr(arr(p.Add(arr(p.Transpose()))).Mul(arr(p.Sub(1)))))
	if !slices.Equal(fromX, fromP) {
		t.Fatal("(x + x.T) * (x - 1) differs between x made in the expression's tasks and x persisted")
	}
	// Over 4×4 blocks, as written: each of the 16 blocks of x + x.T makes
	// the two blocks of x it reads (one transposed); over x persisted, the
	// 16 blocks of x are read.
	y := arr(x.Add(arr(x.Transpose())))
	if n, err := dusk.CountTasks(blocksOf(y)); err != nil || n != 16+2*16 {
		t.Fatalf("x + x.T over 4×4 blocks is %d tasks as written (%v), want 48: 16 sums, 2×16 makings of blocks of x", n, err)
	}
	if n, err := dusk.CountTasks(blocksOf(arr(p.Add(arr(p.Transpose()))))); err != nil || n != 16+16 {
		t.Fatalf("over x persisted: %d tasks as written (%v), want 32: 16 sums and 16 blocks of x", n, err)
	}
	// A sum of x itself makes each block band by band in the task that
	// reduces it (randomreduce.go): 16 tasks and 4 combinations, where
	// the blocks were 16 tasks more; the sums are those over x persisted,
	// bit for bit.
	if n, err := dusk.CountTasks(blocksOf(arr(x.Sum(0)))); err != nil || n != 16+4 {
		t.Fatalf("x.sum(0) over 4×4 blocks is %d tasks as written (%v), want 20", n, err)
	}
	for _, axes := range [][]int{{0}, {1}, nil} {
		got := values[float64](t, ctx, arr(x.Sum(axes...)))
		if want := values[float64](t, ctx, arr(p.Sum(axes...))); !slices.Equal(got, want) {
			t.Fatalf("x.sum(%v) = %v, over x persisted %v", axes, got, want)
		}
	}
	if got, want := values[float64](t, ctx, arr(x.Mean(0))), values[float64](t, ctx, arr(p.Mean(0))); !slices.Equal(got, want) {
		t.Fatalf("x.mean(0) = %v, over x persisted %v", got, want)
	}
	// Full and Arange too.
	f := arr(array.Full(c, []int{6, 4}, array.By(3, 2), 2.5))
	if got := values[float64](t, ctx, arr(arr(arr(f.Transpose()).Mul(2)).Sum())); got[0] != 5*24 {
		t.Fatalf("(f.T * 2).sum() = %v, want 120", got[0])
	}
	// An oblong random x: x.T * 2 - x.T made transposed is x.T.
	o := arr(array.Random(c, []int{30, 20}, array.By(10, 5), 4))
	op := arr(o.Persist(ctx))
	fromO := values[float64](t, ctx, arr(arr(arr(o.Transpose()).Mul(2)).Sub(arr(o.Transpose()))))
	fromOP := values[float64](t, ctx, arr(op.Transpose()))
	if !slices.Equal(fromO, fromOP) {
		t.Fatal("x.T * 2 - x.T over an oblong random x differs from x.T of x persisted")
	}
	r := arr(array.Arange(c, 0, 10, 1, array.By(3)))
	if got := values[int64](t, ctx, arr(arr(r.Mul(r)).Add(r))); !slices.Equal(got, []int64{0, 2, 6, 12, 20, 30, 42, 56, 72, 90}) {
		t.Fatalf("r*r + r = %v", got)
	}
}
