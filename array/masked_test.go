package array_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/array"
)

func TestMaskAndCompressBy(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	const rows, cols = 13, 11
	data := make([]int64, rows*cols)
	for i := range data {
		data[i] = int64(i*37%101) - 20
	}
	x := arr(array.FromSlice(c, data, []int{rows, cols}, array.By(4, -1)))

	// x[x > 30], in C order as NumPy gives it.
	y := arr(x.Mask(ctx, arr(x.Gt(30))))
	var want []int64
	for _, v := range data {
		if v > 30 {
			want = append(want, v)
		}
	}
	if got := values[int64](t, ctx, y); !slices.Equal(got, want) || y.Shape()[0] != len(want) || len(y.Chunks()[0]) != 4 {
		t.Fatalf("x[x > 30]: shape %v chunks %v, %v; want %v", y.Shape(), y.Chunks(), got, want)
	}
	// It is an array like any other: reduce it.
	var sum int64
	for _, v := range want {
		sum += v
	}
	if got := values[int64](t, ctx, arr(y.Sum())); got[0] != sum {
		t.Fatalf("x[x > 30].sum() = %d, want %d", got[0], sum)
	}
	// A mask that keeps nothing: an empty array.
	none := arr(x.Mask(ctx, arr(x.Gt(1000))))
	if none.Shape()[0] != 0 || len(values[int64](t, ctx, none)) != 0 {
		t.Fatalf("keeping nothing: %v", none.Shape())
	}

	// x[:, m] with m an array: columns where the first row's value is even.
	xc := arr(x.Rechunk(array.By(5, 3)))
	colMask := make([]bool, cols)
	for j := range cols {
		colMask[j] = data[j]%2 == 0
	}
	m := arr(array.FromSlice(c, colMask, []int{cols}, array.By(3)))
	z := arr(xc.CompressBy(ctx, m, 1))
	byGo := arr(xc.Compress(colMask, 1))
	if got, w := values[int64](t, ctx, z), values[int64](t, ctx, byGo); !slices.Equal(got, w) || !slices.Equal(z.Shape(), byGo.Shape()) {
		t.Fatalf("CompressBy: %v %v, Compress with the Go mask: %v %v", z.Shape(), got, byGo.Shape(), w)
	}

	// Mistakes: a mask of other chunks, not bool, blocks that are not whole
	// rows.
	if _, err := x.Mask(ctx, arr(xc.Gt(0))); err == nil || !strings.Contains(err.Error(), "Rechunk the mask") {
		t.Fatalf("a mask of other chunks: %v", err)
	}
	if _, err := x.Mask(ctx, x); err == nil || !strings.Contains(err.Error(), "bool mask") {
		t.Fatalf("a mask of int64: %v", err)
	}
	if _, err := xc.Mask(ctx, arr(xc.Gt(0))); err == nil || !strings.Contains(err.Error(), "runs of whole rows") {
		t.Fatalf("a mask over blocks that are not whole rows: %v", err)
	}
	if _, err := xc.CompressBy(ctx, arr(array.FromSlice(c, colMask, []int{cols}, array.By(4))), 1); err == nil || !strings.Contains(err.Error(), "Rechunk the mask") {
		t.Fatalf("a column mask of other chunks: %v", err)
	}
	if _, err := xc.CompressBy(ctx, m, 2); err == nil {
		t.Fatal("CompressBy along an axis out of range: no error")
	}
}
