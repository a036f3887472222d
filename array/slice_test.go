package array_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/array"
)

// Slices with steps, negative ones included, and single indexes give what
// NumPy gives, over blocks of uneven sizes.
func TestSliceAgainstNumPy(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	a := arr(array.Arange(c, 0, 13*11, 1, array.By(-1)))
	data := values[int64](t, ctx, a)
	x := arr(array.FromSlice(c, data, []int{13, 11}, array.By(4, 3)))
	specs := [][]any{
		{":", ":"}, {"::2", "5:"}, {"::-1", ":"}, {"10:2:-3", "-4:"}, {"-100:100", "::-2"},
		{"5:5", ":"}, {3, "::3"}, {-1, -1}, {"1:12:5", 7}, {"7:-20:-2"},
	}
	var py []string
	for _, s := range specs {
		var parts []string
		for _, p := range s {
			parts = append(parts, fmt.Sprint(p))
		}
		py = append(py, "a["+strings.Join(parts, ", ")+"]")
	}
	out := python(t, `
import json, numpy as np
a = np.arange(13*11).reshape(13, 11)
print(json.dumps([{"shape": list(r.shape), "v": r.ravel().tolist()} for r in [`+strings.Join(py, ", ")+`]]))`)
	var want []struct {
		Shape []int
		V     []int64
	}
	if err := json.Unmarshal([]byte(out), &want); err != nil {
		t.Fatal(err)
	}
	for i, s := range specs {
		y, err := x.Slice(s...)
		if err != nil {
			t.Fatalf("%s: %v", py[i], err)
		}
		if !slices.Equal(y.Shape(), want[i].Shape) {
			t.Fatalf("%s: shape %v, NumPy's %v", py[i], y.Shape(), want[i].Shape)
		}
		if got := values[int64](t, ctx, y); !slices.Equal(got, want[i].V) && len(want[i].V) > 0 {
			t.Fatalf("%s: %v, NumPy's %v", py[i], got, want[i].V)
		}
	}
	for _, bad := range [][]any{{"1:2:0"}, {"a:b"}, {20}, {":", ":", ":"}, {1.5}} {
		if _, err := x.Slice(bad...); err == nil {
			t.Errorf("Slice%v: no error", bad)
		}
	}
}
