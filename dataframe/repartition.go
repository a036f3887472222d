package dataframe

import (
	"context"
	"errors"
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
)

// PartitionTarget says how Repartition cuts: into a number of partitions
// (NPartitions) or into partitions of about a size (PartitionSize).
type PartitionTarget struct {
	n    int
	size int64
	err  error
}

// NPartitions asks for n partitions.
func NPartitions(n int) PartitionTarget {
	if n <= 0 {
		return PartitionTarget{err: fmt.Errorf("NPartitions(%d): want at least 1", n)}
	}
	return PartitionTarget{n: n}
}

// PartitionSize asks for partitions of about size bytes in memory, such as
// "128MB" (the guide's 100–300 MB chunks).
func PartitionSize(size string) PartitionTarget {
	n, err := dusk.ParseBytes(size)
	if err == nil && n <= 0 {
		err = errors.New("want a positive size")
	}
	if err != nil {
		return PartitionTarget{err: fmt.Errorf("PartitionSize(%q): %w", size, err)}
	}
	return PartitionTarget{size: n}
}

// repPiece is one output partition of a repartition: inputs [from, to)
// joined, or piece `piece` of `of` of input from.
type repPiece struct {
	from, to  int
	piece, of int
}

// Repartition changes the number of partitions, moving as little data as
// it can: partitions are split in place (by rows) and neighbours are
// joined, so rows keep their order and no shuffle runs. With NPartitions
// the cut is planned from the counts alone; with PartitionSize a first
// pass reads each partition's size (free for a persisted DataFrame), then
// partitions larger than the size are split and runs of small ones
// joined. Joining keeps known divisions; splitting loses them.
func (df *DataFrame) Repartition(ctx context.Context, t PartitionTarget) (*DataFrame, error) {
	if df.err != nil {
		return nil, df.err
	}
	if t.err != nil {
		return nil, opError("Repartition", t.err)
	}
	cur := df.NPartitions()
	var pieces []repPiece
	if t.n > 0 {
		pieces = planByCount(cur, t.n)
	} else {
		sizes, err := df.partitionBytes(ctx)
		if err != nil {
			return nil, opError("Repartition", err)
		}
		pieces = planBySize(sizes, t.size)
	}
	return df.derive(&repartitionNode{child: df.n, pieces: pieces, m: repartitionMeta(df.n.meta(), pieces)}), nil
}

// repartitionMeta is what the plan knows of in cut into pieces: joining
// neighbours keeps the divisions (the outer bounds of each run), splitting
// a partition loses them; no hash placement survives.
func repartitionMeta(in *meta, pieces []repPiece) *meta {
	m := in.clone()
	m.nparts = len(pieces)
	m.hashed = nil
	if m.divs != nil {
		var bounds []any
		for _, p := range pieces {
			if p.of > 1 {
				bounds = nil
				break
			}
			bounds = append(bounds, m.divs.Bounds[p.from])
		}
		if bounds != nil {
			bounds = append(bounds, m.divs.Bounds[len(m.divs.Bounds)-1])
			m.divs = &Divisions{Column: m.divs.Column, Bounds: bounds, tied: m.divs.tied}
		} else {
			m.divs = nil
		}
	}
	return m
}

func planByCount(cur, n int) []repPiece {
	var out []repPiece
	if n <= cur {
		for i := range n {
			out = append(out, repPiece{from: i * cur / n, to: (i + 1) * cur / n, of: 1})
		}
		return out
	}
	for i := range cur {
		k := n / cur
		if i < n%cur {
			k++
		}
		for j := range k {
			out = append(out, repPiece{from: i, to: i + 1, piece: j, of: k})
		}
	}
	return out
}

func planBySize(sizes []int64, size int64) []repPiece {
	var out []repPiece
	for i := 0; i < len(sizes); {
		if sizes[i] > size {
			k := int((sizes[i] + size - 1) / size)
			for j := range k {
				out = append(out, repPiece{from: i, to: i + 1, piece: j, of: k})
			}
			i++
			continue
		}
		j := runEnd(sizes, i, size)
		out = append(out, repPiece{from: i, to: j, of: 1})
		i = j
	}
	return out
}

// planJoins joins runs of neighbouring partitions of at most size bytes
// in all and splits none: a partition larger than size stays as it is.
func planJoins(sizes []int64, size int64) []repPiece {
	var out []repPiece
	for i := 0; i < len(sizes); {
		j := max(runEnd(sizes, i, size), i+1)
		out = append(out, repPiece{from: i, to: j, of: 1})
		i = j
	}
	return out
}

// runEnd returns the end of the run of partitions from i on that are each
// at most size and add up to at most size (at least i+1 when partition i
// is at most size).
func runEnd(sizes []int64, i int, size int64) int {
	j, sum := i, int64(0)
	for j < len(sizes) && sizes[j] <= size && (j == i || sum+sizes[j] <= size) {
		sum += sizes[j]
		j++
	}
	return j
}

// partitionBytes returns each partition's size in memory.
func (df *DataFrame) partitionBytes(ctx context.Context) ([]int64, error) {
	if p, ok := df.n.(*persistedNode); ok && p.bytes != nil {
		return p.bytes, nil
	}
	futs, forget, err := df.run(ctx, func(lw *lowering, parts []part) ([]part, error) {
		out := make([]part, len(parts))
		for i, p := range parts {
			out[i] = dusk.Call[arrow.RecordBatch](fnSize, p)
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	defer forget()
	defer release(futs)
	recs, err := gatherRecords(ctx, futs)
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.Column(1).(*array.Int64).Value(0)
	}
	return out, nil
}

// repartitionNode splits and joins partitions.
type repartitionNode struct {
	child  node
	pieces []repPiece
	m      *meta
	// coalesced is set when the optimizer joined the pieces before a
	// step (see coalesce.go), not the user.
	coalesced *coalesceNote
}

func (n *repartitionNode) meta() *meta      { return n.m }
func (n *repartitionNode) children() []node { return []node{n.child} }
func (n *repartitionNode) label() string {
	if n.coalesced != nil {
		return "Coalesce: " + n.coalesced.String() + "; joins of neighbours, no shuffle"
	}
	split, joined := 0, 0
	for _, p := range n.pieces {
		if p.of > 1 {
			split++
		} else if p.to-p.from > 1 {
			joined++
		}
	}
	return fmt.Sprintf("Repartition %d -> %d partitions (%d pieces of split partitions, %d joins of neighbours; no shuffle)", n.child.meta().nparts, n.m.nparts, split, joined)
}

func (n *repartitionNode) lower(lw *lowering) ([]part, error) {
	in, err := lw.parts(n.child)
	if err != nil {
		return nil, err
	}
	out := make([]part, len(n.pieces))
	for i, p := range n.pieces {
		switch {
		case p.of > 1:
			out[i] = dusk.Call[arrow.RecordBatch](fnSlice, in[p.from], p.piece, p.of)
		case p.to-p.from == 1:
			out[i] = in[p.from]
		default:
			out[i] = lw.concat(in[p.from:p.to])
		}
	}
	return out, nil
}
