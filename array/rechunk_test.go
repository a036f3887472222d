package array_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/array"
)

func TestRechunkAndReshape(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	data := values[int64](t, ctx, arr(array.Arange(c, 0, 13*11, 1, array.By(-1))))
	x := arr(array.FromSlice(c, data, []int{13, 11}, array.By(4, 3)))
	for _, cs := range []array.Chunks{array.By(5, 7), array.By(13, 1), array.By(1, 11), array.Explicit([]int{4, 4, 4, 1}, []int{3, 3, 3, 2}), array.Auto()} {
		y := arr(x.Rechunk(cs))
		if got := values[int64](t, ctx, y); !slices.Equal(got, data) {
			t.Fatalf("rechunked to %v: %v", y.Chunks(), got)
		}
	}
	// The same chunks: the same blocks, no task added.
	same := arr(x.Rechunk(array.By(4, 3)))
	for i, b := range same.Blocks() {
		if b != x.Blocks()[i] {
			t.Fatalf("rechunking to the same chunks made block %d anew", i)
		}
	}
	if _, err := x.Rechunk(array.Explicit([]int{13}, []int{10})); err == nil || !strings.Contains(err.Error(), "add up to 10") {
		t.Fatalf("rechunk to chunks that do not tile: %v", err)
	}
	// Reshape: runs of whole rows.
	v := arr(array.Arange(c, 0, 24, 1, array.By(6)))
	m := arr(v.Reshape(-1, 3, 2))
	if !slices.Equal(m.Shape(), []int{4, 3, 2}) || !slices.Equal(m.Chunks()[0], []int{1, 1, 1, 1}) {
		t.Fatalf("reshape: %s chunks %v", m, m.Chunks())
	}
	if got := values[int64](t, ctx, arr(m.Reshape(24))); !slices.Equal(got, values[int64](t, ctx, v)) {
		t.Fatalf("reshape back: %v", got)
	}
	if _, err := x.Reshape(11, 13); err == nil || !strings.Contains(err.Error(), "Rechunk first") {
		t.Fatalf("reshape of blocks that are not whole rows: %v", err)
	}
	if _, err := v.Reshape(5, -1); err == nil {
		t.Fatal("reshape of 24 elements to (5, -1): no error")
	}
	odd := arr(array.Arange(c, 0, 24, 1, array.By(4)))
	if _, err := odd.Reshape(4, 6); err == nil || !strings.Contains(err.Error(), "multiple of 6") {
		t.Fatalf("reshape whose rows straddle blocks: %v", err)
	}
}

// scaleByBlock multiplies a block by 1 + its block's first index.
var scaleByBlock = dusk.Register("array_test.scale-by-block", func(info array.BlockInfo, b *array.Block) (*array.Block, error) {
	v, err := array.BlockValues[float64](b)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x * float64(1+info.Index[0])
	}
	return array.NewBlock(out, b.Shape...)
})

// boxSum is the sum of each element's 3×3 neighbourhood within the block
// (a stencil of reach 1).
var boxSum = dusk.Register("array_test.box-sum", func(info array.BlockInfo, b *array.Block) (*array.Block, error) {
	v, err := array.BlockValues[float64](b)
	if err != nil {
		return nil, err
	}
	r, cl := b.Shape[0], b.Shape[1]
	out := make([]float64, len(v))
	for i := range r {
		for j := range cl {
			for di := -1; di <= 1; di++ {
				for dj := -1; dj <= 1; dj++ {
					if i+di >= 0 && i+di < r && j+dj >= 0 && j+dj < cl {
						out[i*cl+j] += v[(i+di)*cl+j+dj]
					}
				}
			}
		}
	}
	return array.NewBlock(out, b.Shape...)
})

func TestMapBlocksAndMapOverlap(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	const rows, cols = 11, 9
	data := make([]float64, rows*cols)
	for i := range data {
		data[i] = float64(i%17) - 3
	}
	x := arr(array.FromSlice(c, data, []int{rows, cols}, array.By(3, 4)))
	got := values[float64](t, ctx, arr(x.MapBlocks(scaleByBlock, array.Float64)))
	for i := range rows {
		for j := range cols {
			if want := data[i*cols+j] * float64(1+i/3); got[i*cols+j] != want {
				t.Fatalf("MapBlocks [%d,%d] = %v, want %v", i, j, got[i*cols+j], want)
			}
		}
	}
	// The stencil over blocks with halos equals the stencil over the
	// whole array, for each boundary.
	at := func(i, j int, mode string) float64 {
		switch {
		case i >= 0 && i < rows && j >= 0 && j < cols:
			return data[i*cols+j]
		case mode == "reflect":
			if i < 0 {
				i = -i
			}
			if i >= rows {
				i = 2*(rows-1) - i
			}
			if j < 0 {
				j = -j
			}
			if j >= cols {
				j = 2*(cols-1) - j
			}
			return data[i*cols+j]
		case mode == "constant":
			return 7
		}
		return 0 // none: no neighbour there
	}
	for mode, b := range map[string]array.Boundary{"none": array.None, "reflect": array.Reflect, "constant": array.Constant(7)} {
		got := values[float64](t, ctx, arr(x.MapOverlap(boxSum, []int{1, 1}, b, array.Float64)))
		for i := range rows {
			for j := range cols {
				want := 0.0
				for di := -1; di <= 1; di++ {
					for dj := -1; dj <= 1; dj++ {
						want += at(i+di, j+dj, mode)
					}
				}
				if got[i*cols+j] != want {
					t.Fatalf("%s: stencil [%d,%d] = %v, want %v", mode, i, j, got[i*cols+j], want)
				}
			}
		}
	}
	if _, err := x.MapOverlap(boxSum, []int{4, 1}, array.None, array.Float64); err == nil || !strings.Contains(err.Error(), "shorter than the depth") {
		t.Fatalf("a halo deeper than a chunk: %v", err)
	}
	bad := arr(x.MapBlocks(scaleByBlock, array.Int64))
	if _, err := bad.Compute(ctx); err == nil || !strings.Contains(err.Error(), "made a float64 block") {
		t.Fatalf("MapBlocks declared int64, made float64: %v", err)
	}
}

func TestRechunkInStages(t *testing.T) {
	// Columns of one element to rows of one: 90,000 parts at once; in
	// stages, far fewer tasks, and the same array.
	ctx, c := client(t)
	arr := must[*array.Array](t)
	const n = 300
	data := make([]float64, n*n)
	for i := range data {
		data[i] = float64(i)
	}
	x := arr(array.FromSlice(c, data, []int{n, n}, array.By(n, 1)))
	y := arr(x.Rechunk(array.By(1, n)))
	if !slices.Equal(y.Chunks()[0], slices.Repeat([]int{1}, n)) || !slices.Equal(y.Chunks()[1], []int{n}) {
		t.Fatalf("chunks %v", y.Chunks())
	}
	explain, err := y.Explain()
	if err != nil {
		t.Fatal(err)
	}
	var written, sent int
	for _, line := range strings.Split(explain, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "tasks:") {
			if _, err := fmt.Sscanf(strings.TrimSpace(line), "tasks: %d as written, %d after optimization", &written, &sent); err != nil {
				t.Fatalf("%q: %v", line, err)
			}
		}
	}
	if written == 0 || written > n*n/5 {
		t.Fatalf("%d tasks as written (%d once optimized), want far fewer than the %d parts of a rechunk at once:\n%s", written, sent, n*n, explain)
	}
	if got := values[float64](t, ctx, y); !slices.Equal(got, data) {
		t.Fatal("the array rechunked in stages differs from the original")
	}
	// And back, through the same kind of plan.
	if got := values[float64](t, ctx, arr(y.Rechunk(array.By(n, 1)))); !slices.Equal(got, data) {
		t.Fatal("the array rechunked back in stages differs from the original")
	}
}

// A sum over a rechunk whose new blocks are bands of whole rows of the
// old reads the bands without assembling the blocks (rowbands.go): no
// assembling task, the same sum bit for bit as over the blocks assembled
// (persisted first); blocks of column bands are still assembled.
func TestSumOverRowBandsNotAssembled(t *testing.T) {
	ctx, c := client(t)
	arr := must[*array.Array](t)
	x := arr(array.Random(c, []int{40, 30}, array.By(8, 15), 3))
	y := arr(x.Rechunk(array.By(40, 5))) // each new block: 5 bands of 8×5
	s := arr(y.Sum())
	// As written: 10 blocks of x, 30 bands cut, 6 sums of bands and the
	// combinations; the 6 assemblies are not there.
	withBlocks, err := dusk.CountTasks(blocksOf(y))
	if err != nil {
		t.Fatal(err)
	}
	n, err := dusk.CountTasks(blocksOf(s))
	if err != nil {
		t.Fatal(err)
	}
	if withBlocks != 10+30+6 || n >= withBlocks+6 {
		t.Fatalf("y is %d tasks as written, want 46; y.sum() %d, want fewer than %d (no assembly)", withBlocks, n, withBlocks+6)
	}
	p := arr(y.Persist(ctx))
	got, want := values[float64](t, ctx, s), values[float64](t, ctx, arr(p.Sum()))
	if !slices.Equal(got, want) {
		t.Fatalf("sum over row bands %v, over the blocks assembled %v", got, want)
	}
	// Column bands: assembled, the same sum as the persisted blocks'.
	z := arr(x.Rechunk(array.By(8, 30)))
	pz := arr(z.Persist(ctx))
	if got, want := values[float64](t, ctx, arr(z.Sum())), values[float64](t, ctx, arr(pz.Sum())); !slices.Equal(got, want) {
		t.Fatalf("sum over column bands %v, over the blocks persisted %v", got, want)
	}
}
