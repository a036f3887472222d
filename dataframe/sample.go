package dataframe

import (
	"fmt"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/engine"
)

// Sample keeps a fraction frac (in [0, 1]) of the rows of every partition,
// as Dask's sample(frac=frac, random_state=seed): round(frac × the
// partition's rows) of them (half to even, as Python's round), chosen by a
// hash of the seed, the partition's number and the row's place in it. The
// same seed picks the same rows every run; partitions draw differently.
// The rows keep their order (and the DataFrame its divisions).
func (df *DataFrame) Sample(frac float64, seed int64) *DataFrame {
	if df.err != nil {
		return df
	}
	if math.IsNaN(frac) || frac < 0 || frac > 1 {
		return df.fail("Sample", fmt.Errorf("frac is %v; give a fraction in [0, 1]", frac))
	}
	for _, c := range []string{rowNumberCol, sampleKeyCol, sampleRankCol, sampleRowsCol} {
		if len(df.Schema().FieldIndices(c)) > 0 {
			return df.fail("Sample", fmt.Errorf("the column %q is taken; Rename it first", c))
		}
	}
	m := df.n.meta().clone()
	if m.bytes > 0 {
		m.bytes = int64(float64(m.bytes) * frac)
	}
	return df.derive(&sampleNode{child: df.n, frac: frac, seed: seed, m: m})
}

const (
	sampleKeyCol  = "__dusk_key"
	sampleRankCol = "__dusk_rank"
	sampleRowsCol = "__dusk_rows"
)

// sampleNode samples every partition of its input.
type sampleNode struct {
	child node
	frac  float64
	seed  int64
	m     *meta
}

func (n *sampleNode) meta() *meta        { return n.m }
func (n *sampleNode) children() []node   { return []node{n.child} }
func (n *sampleNode) plannedInput() node { return n.child }
func (n *sampleNode) withPlannedInput(c node) node {
	m := *n
	m.child = c
	return &m
}
func (n *sampleNode) label() string {
	return fmt.Sprintf("Sample frac=%g seed=%d partitions=%d", n.frac, n.seed, n.m.nparts)
}

// query returns the sampling query of partition i, over "part".
func (n *sampleNode) query(i int) string {
	rn, key := engine.QuoteIdent(rowNumberCol), engine.QuoteIdent(sampleKeyCol)
	rank, rows := engine.QuoteIdent(sampleRankCol), engine.QuoteIdent(sampleRowsCol)
	return fmt.Sprintf(`SELECT * EXCLUDE (%[1]s, %[2]s, %[3]s, %[4]s) FROM (
  SELECT *, row_number() OVER (ORDER BY %[2]s, %[1]s) AS %[3]s, count(*) OVER () AS %[4]s FROM (
    SELECT *, hash(%[1]s, %[5]s::BIGINT, %[6]d::BIGINT) AS %[2]s FROM (SELECT *, row_number() OVER () AS %[1]s FROM part)))
WHERE %[3]s <= round_even(%[7]s * %[4]s, 0) ORDER BY %[1]s`,
		rn, key, rank, rows, strconv.FormatInt(n.seed, 10), i, strconv.FormatFloat(n.frac, 'g', -1, 64)+"::DOUBLE")
}

func (n *sampleNode) lower(lw *lowering) ([]part, error) {
	// Over a query chain on partitions in memory, the sample joins the
	// chain's query (one pass).
	base := n.child
	chain := ""
	if sn, ok := n.child.(*sqlNode); ok {
		full, root := sn.compose()
		_, pq := root.(*parquetNode)
		_, pn := root.(*projectNode)
		if !pq && !pn {
			base, chain = root, full
		}
	}
	in, err := lw.parts(base)
	if err != nil {
		return nil, err
	}
	out := make([]part, len(in))
	for i, p := range in {
		over := engine.ScanView(engine.ViewIn)
		if chain != "" {
			over = chain
		}
		out[i] = dusk.Call[arrow.RecordBatch](fnSQL, p, engine.WithCTE("part", over, n.query(i)), n.m.cats)
	}
	return out, nil
}
