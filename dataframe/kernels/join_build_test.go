package kernels

import (
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// TestJoinBuildProbesSlices: a JoinBuild of the smaller side probed by
// the larger side's slices, one after another, gives JoinInner's rows in
// its order, for a build side on either hand, on one key (the dense
// table) and on two (the hash table).
func TestJoinBuildProbesSlices(t *testing.T) {
	big := benchJoinSideOf(5_000, 100, 1, "x")
	small := benchJoinSideOf(300, 100, 2, "y")
	defer big.Release()
	defer small.Release()
	for _, c := range []struct {
		name string
		p    JoinPlan
	}{
		{"one key", JoinPlan{On: []string{"id"}, Left: []string{"k", "x"}, Right: []string{"k", "y"}, Names: []string{"id", "k_l", "x", "k_r", "y"}}},
		{"two keys", JoinPlan{On: []string{"id", "k"}, Left: []string{"x"}, Right: []string{"y"}, Names: []string{"id", "k", "x", "y"}}},
	} {
		for _, buildLeft := range []bool{false, true} {
			p := c.p
			left, right := big, small
			if buildLeft {
				left, right = small, big
				p.Left, p.Right = []string{"k", "y"}, []string{"k", "x"}
				if len(p.On) == 2 {
					p.Left, p.Right = []string{"y"}, []string{"x"}
				}
			}
			want, err := JoinInner(left, right, p)
			if err != nil {
				t.Fatal(err)
			}
			b, err := NewJoinBuild(small, buildLeft, p)
			if err != nil {
				t.Fatal(err)
			}
			var outs []arrow.RecordBatch
			for lo := int64(0); lo < big.NumRows(); lo += 700 {
				slice := big.NewSlice(lo, min(big.NumRows(), lo+700))
				o, err := b.Probe(slice)
				slice.Release()
				if err != nil {
					t.Fatal(err)
				}
				outs = append(outs, o)
			}
			got, err := Concat(want.Schema(), outs, false)
			if err != nil {
				t.Fatal(err)
			}
			if want.NumRows() < 100 || !array.RecordEqual(got, want) {
				t.Fatalf("%s, build left %v: %d rows probed slice by slice, JoinInner gives %d (or other rows)", c.name, buildLeft, got.NumRows(), want.NumRows())
			}
			for _, o := range outs {
				o.Release()
			}
			got.Release()
			want.Release()
		}
	}
}
