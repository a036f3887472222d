package array_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/dusk-go/dusk/array"
)

// Take, Compress, Transpose, Concatenate and Stack give what NumPy gives.
func TestStructureAgainstNumPy(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	data := values[int64](t, ctx, arr(array.Arange(c, 0, 4*5*6, 1, array.By(-1))))
	x := arr(array.FromSlice(c, data, []int{4, 5, 6}, array.By(3, 2, 4)))
	mask := []bool{true, false, false, true, true}
	y := arr(array.FromSlice(c, data[:2*5*6], []int{2, 5, 6}, array.By(1, 2, 4)))
	results := []*array.Array{
		arr(x.Take([]int{5, 0, -1, 2, 2, 3}, 2)),
		arr(x.Take([]int{3, 1}, 0)),
		arr(x.Compress(mask, 1)),
		arr(x.Transpose()),
		arr(x.Transpose(1, 2, 0)),
		arr(array.Concatenate([]*array.Array{x, y}, 0)),
		arr(array.Stack([]*array.Array{x, x}, 1)),
		arr(array.Stack([]*array.Array{x, x}, -1)),
		arr(x.Take(nil, 1)),
	}
	out := python(t, `
import json, numpy as np
x = np.arange(4*5*6).reshape(4, 5, 6)
y = x[:2]
rs = [np.take(x, [5, 0, -1, 2, 2, 3], 2), np.take(x, [3, 1], 0), np.compress([True, False, False, True, True], x, 1),
      x.transpose(), x.transpose(1, 2, 0), np.concatenate([x, y], 0), np.stack([x, x], 1), np.stack([x, x], -1),
      np.take(x, [], 1)]
print(json.dumps([{"shape": list(r.shape), "v": r.ravel().tolist()} for r in rs]))`)
	var want []struct {
		Shape []int
		V     []int64
	}
	if err := json.Unmarshal([]byte(out), &want); err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		if !slices.Equal(r.Shape(), want[i].Shape) {
			t.Fatalf("result %d: shape %v, NumPy's %v", i, r.Shape(), want[i].Shape)
		}
		got := values[int64](t, ctx, r)
		if len(got) != len(want[i].V) || len(got) > 0 && !slices.Equal(got, want[i].V) {
			t.Fatalf("result %d: %v, NumPy's %v", i, got, want[i].V)
		}
	}
	if _, err := x.Take([]int{6}, 2); err == nil {
		t.Error("Take of an index out of range: no error")
	}
	if _, err := x.Compress([]bool{true}, 0); err == nil {
		t.Error("Compress with a short mask: no error")
	}
	if _, err := x.Transpose(0, 0, 1); err == nil {
		t.Error("Transpose(0, 0, 1): no error")
	}
	if _, err := array.Concatenate([]*array.Array{x, arr(x.Transpose())}, 0); err == nil {
		t.Error("Concatenate of arrays of other shapes: no error")
	}
}
