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
