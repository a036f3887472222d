package dataframe

import (
	"fmt"
)

// Partitions returns the partitions lo to hi-1 as a DataFrame (Dask's
// df.partitions[lo:hi]); nothing else of the data is read.
func (df *DataFrame) Partitions(lo, hi int) *DataFrame {
	if df.err != nil {
		return df
	}
	n := df.NPartitions()
	if lo < 0 || hi > n || lo >= hi {
		return df.fail("Partitions", fmt.Errorf("partitions [%d, %d) of %d", lo, hi, n))
	}
	m := df.n.meta().clone()
	m.nparts = hi - lo
	m.hashed = nil
	if m.bytes > 0 {
		m.bytes = m.bytes * int64(hi-lo) / int64(n)
	}
	if m.divs != nil {
		m.divs = &Divisions{Column: m.divs.Column, Bounds: append([]any(nil), m.divs.Bounds[lo:hi+1]...), tied: m.divs.tied}
	}
	return df.derive(&pickNode{child: df.n, lo: lo, hi: hi, m: m})
}

// EstimatedBytes returns the plan's estimate of the DataFrame's size in
// memory: exact for a persisted DataFrame, from file sizes and metadata for
// readers, -1 when unknown.
func (df *DataFrame) EstimatedBytes() int64 {
	if df.n == nil {
		return -1
	}
	return df.n.meta().bytes
}

// pickNode is a range of its child's partitions.
type pickNode struct {
	child  node
	lo, hi int
	m      *meta
}

func (n *pickNode) meta() *meta      { return n.m }
func (n *pickNode) children() []node { return []node{n.child} }
func (n *pickNode) label() string {
	return fmt.Sprintf("Partitions [%d, %d) of %d", n.lo, n.hi, n.child.meta().nparts)
}

func (n *pickNode) lower(lw *lowering) ([]part, error) {
	in, err := lw.parts(n.child)
	if err != nil {
		return nil, err
	}
	return in[n.lo:n.hi], nil
}
