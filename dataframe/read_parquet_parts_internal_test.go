package dataframe

import (
	"fmt"
	"testing"

	"github.com/dusk-go/dusk/dataframe/io"
)

// TestParquetPartsRunsOfOneFile checks how row groups make partitions: a
// run of neighbours in one file up to the target size, a new partition at
// another file, at a row group pruned in between, and for a row group
// larger than the target alone.
func TestParquetPartsRunsOfOneFile(t *testing.T) {
	g := func(path string, index int, bytes int64) io.RowGroup {
		return io.RowGroup{Path: path, Index: index, Bytes: bytes}
	}
	n := &parquetNode{target: 100, groups: []io.RowGroup{
		g("a", 0, 40), g("a", 1, 40), g("a", 2, 40), // 80, then 40
		g("a", 3, 150),               // larger than the target: alone
		g("a", 4, 10), g("a", 6, 10), // 5 was pruned
		g("b", 0, 10), g("b", 1, 10), // another file
	}}
	var got []string
	for _, gs := range n.parts() {
		s := gs[0].Path
		for _, x := range gs {
			s += fmt.Sprint(x.Index)
		}
		got = append(got, s)
	}
	if want := "[a01 a2 a3 a4 a6 b01]"; fmt.Sprint(got) != want {
		t.Fatalf("partitions %v, want %s", got, want)
	}
	if p := n.piece(n.parts()[0]); p.Path != "a" || p.RowGroup != 0 || p.Count != 2 {
		t.Fatalf("the first partition's piece is %+v, want a's row groups 0 and 1", p)
	}
	n.groups = nil
	if parts := n.parts(); len(parts) != 0 {
		t.Fatalf("no row group left gives %d partitions", len(parts))
	}
}
