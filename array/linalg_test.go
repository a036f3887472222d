package array_test

import (
	"encoding/json"
	"math"
	"slices"
	"testing"

	"github.com/dusk-go/dusk/array"
)

func TestDotAgainstNumPy(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	mk := func(n int, shape []int, chunks ...int) *array.Array {
		v := make([]float64, n)
		for i := range v {
			v[i] = float64((i*37)%23) - 11
		}
		return arr(array.FromSlice(c, v, shape, array.By(chunks...)))
	}
	a := mk(7*5, []int{7, 5}, 3, 2)
	b := mk(5*6, []int{5, 6}, 2, 4)
	v := mk(5, []int{5}, 2)
	t3 := mk(4*5*6, []int{4, 5, 6}, 2, 2, 4)
	results := []*array.Array{
		arr(array.MatMul(a, b)),
		arr(array.Dot(a, v)),
		arr(array.Dot(v, v)),
		arr(array.Tensordot(t3, b, []int{1, 2}, []int{0, 1})),
		arr(array.Tensordot(t3, a, []int{1}, []int{1})),
	}
	out := python(t, `
import json, numpy as np
def mk(n, shape):
    return ((np.arange(n) * 37) % 23 - 11).astype(float).reshape(shape)
a, b, v, t3 = mk(35, (7, 5)), mk(30, (5, 6)), mk(5, (5,)), mk(120, (4, 5, 6))
rs = [a @ b, a.dot(v), v.dot(v), np.tensordot(t3, b, ([1, 2], [0, 1])), np.tensordot(t3, a, ([1], [1]))]
print(json.dumps([{"shape": list(np.shape(r)), "v": np.ravel(r).tolist()} for r in rs]))`)
	var want []struct {
		Shape []int
		V     []float64
	}
	if err := json.Unmarshal([]byte(out), &want); err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if !slices.Equal(r.Shape(), want[i].Shape) {
			t.Fatalf("product %d: shape %v, NumPy's %v", i, r.Shape(), want[i].Shape)
		}
		got := values[float64](t, ctx, r)
		for j := range got {
			if math.Abs(got[j]-want[i].V[j]) > 1e-9 {
				t.Fatalf("product %d: element %d is %v, NumPy's %v", i, j, got[j], want[i].V[j])
			}
		}
	}
	// Integers multiply in int64; float32 stays float32.
	i32 := arr(array.FromSlice(c, []int32{1 << 20, 1 << 20}, []int{2}, array.By(1)))
	if got := values[int64](t, ctx, arr(array.Dot(i32, i32))); got[0] != 1<<41 {
		t.Fatalf("int32 dot: %v", got)
	}
	f32 := arr(a.Astype(array.Float32))
	if p := arr(array.MatMul(f32, arr(b.Astype(array.Float32)))); p.DType() != array.Float32 {
		t.Fatalf("float32 matmul is %s", p.DType())
	}
	if _, err := array.MatMul(a, a); err == nil {
		t.Fatal("MatMul of (7,5) by (7,5): no error")
	}
	if _, err := array.MatMul(a, mk(5*6, []int{5, 6}, 3, 4)); err == nil {
		t.Fatal("MatMul over axes cut differently: no error")
	}
}

// TestTensordotReadsTransposedBlocks contracts matrices over every pair
// of axes (the kernel reads a block whose axes are the other way round
// as a transposed matrix, without copying it) in float64 and float32,
// over uneven blocks, against a triple loop.
func TestTensordotReadsTransposedBlocks(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	const p, q, r = 23, 19, 17
	mk := func(rows, cols, seed int) []float64 {
		v := make([]float64, rows*cols)
		for i := range v {
			v[i] = math.Sin(float64(i*seed + 1))
		}
		return v
	}
	// x is p×q, y is q×r, z is r×q: x·y contracts axes (1, 0), xᵀ·x
	// (0, 0), x·zᵀ (1, 1), yᵀ·xᵀ (0, 1).
	xs, ys, zs := mk(p, q, 3), mk(q, r, 5), mk(r, q, 7)
	at := func(v []float64, cols, i, j int) float64 { return v[i*cols+j] }
	cases := []struct {
		name       string
		a, b       []float64
		ashape     [2]int
		bshape     [2]int
		achunks    []int
		bchunks    []int
		aAxis, bAx int
	}{
		{"x·y", xs, ys, [2]int{p, q}, [2]int{q, r}, []int{7, 5}, []int{5, 6}, 1, 0},
		{"xᵀ·x", xs, xs, [2]int{p, q}, [2]int{p, q}, []int{7, 5}, []int{7, 4}, 0, 0},
		{"x·zᵀ", xs, zs, [2]int{p, q}, [2]int{r, q}, []int{6, 5}, []int{4, 5}, 1, 1},
		{"yᵀ·xᵀ", ys, xs, [2]int{q, r}, [2]int{p, q}, []int{5, 6}, []int{8, 5}, 0, 1},
		// Ten blocks along the contracted axis: tasks of DotGroup
		// products, then their sum.
		{"x·y in blocks of 2", xs, ys, [2]int{p, q}, [2]int{q, r}, []int{7, 2}, []int{2, 6}, 1, 0},
		{"xᵀ·x in blocks of 2", xs, xs, [2]int{p, q}, [2]int{p, q}, []int{2, 5}, []int{2, 4}, 0, 0},
	}
	for _, tc := range cases {
		m, k := tc.ashape[1-tc.aAxis], tc.ashape[tc.aAxis]
		n := tc.bshape[1-tc.bAx]
		want := make([]float64, m*n)
		for i := range m {
			for j := range n {
				for l := range k {
					var u, w float64
					if tc.aAxis == 1 {
						u = at(tc.a, tc.ashape[1], i, l)
					} else {
						u = at(tc.a, tc.ashape[1], l, i)
					}
					if tc.bAx == 0 {
						w = at(tc.b, tc.bshape[1], l, j)
					} else {
						w = at(tc.b, tc.bshape[1], j, l)
					}
					want[i*n+j] += u * w
				}
			}
		}
		a := arr(array.FromSlice(c, tc.a, tc.ashape[:], array.By(tc.achunks...)))
		b := arr(array.FromSlice(c, tc.b, tc.bshape[:], array.By(tc.bchunks...)))
		got := values[float64](t, ctx, arr(array.Tensordot(a, b, []int{tc.aAxis}, []int{tc.bAx})))
		for i := range want {
			if math.Abs(got[i]-want[i]) > 1e-12 {
				t.Fatalf("%s: element %d is %v, want %v", tc.name, i, got[i], want[i])
			}
		}
		a32, b32 := arr(a.Astype(array.Float32)), arr(b.Astype(array.Float32))
		got32 := values[float32](t, ctx, arr(array.Tensordot(a32, b32, []int{tc.aAxis}, []int{tc.bAx})))
		for i := range want {
			if math.Abs(float64(got32[i])-want[i]) > 1e-4 {
				t.Fatalf("%s in float32: element %d is %v, want %v", tc.name, i, got32[i], want[i])
			}
		}
	}
	// Through Transpose: xᵀ·y.
	x := arr(array.FromSlice(c, xs, []int{p, q}, array.By(7, 5)))
	xt := arr(x.Transpose())
	got := values[float64](t, ctx, arr(array.MatMul(xt, x)))
	for i := range q {
		for j := range q {
			var w float64
			for l := range p {
				w += at(xs, q, l, i) * at(xs, q, l, j)
			}
			if math.Abs(got[i*q+j]-w) > 1e-12 {
				t.Fatalf("xᵀ·x through Transpose: element (%d, %d) is %v, want %v", i, j, got[i*q+j], w)
			}
		}
	}
}
