package layout

import (
	"cmp"
	"slices"
)

// Graph is what to lay out: nodes 0..len(Labels)-1 and edges between them,
// each from a dependency to its dependent.
type Graph struct {
	Labels []string
	Edges  [][2]int
}

// Node is a placed node: its centre, size and layer.
type Node struct {
	X, Y  float64
	W, H  float64
	Layer int
}

// Layout is a graph with every node placed.
type Layout struct {
	Graph
	Nodes         []Node
	Width, Height float64
}

// Spacing of a layout, in SVG user units.
const (
	nodeHeight = 24
	layerGap   = 56
	nodeGap    = 14
	charWidth  = 7
	margin     = 16
	sweeps     = 8
)

// Compute lays out g top to bottom: a node's layer is the length of the
// longest path from a node without dependencies to it, and nodes within a
// layer are ordered to keep edges short (a few sweeps of the barycentre
// heuristic). Edges that would close a cycle are ignored for layering.
func Compute(g Graph) *Layout {
	n := len(g.Labels)
	l := &Layout{Graph: g, Nodes: make([]Node, n)}
	if n == 0 {
		return l
	}
	in := make([][]int, n)  // dependencies of each node
	out := make([][]int, n) // dependents of each node
	for _, e := range g.Edges {
		if e[0] < 0 || e[0] >= n || e[1] < 0 || e[1] >= n || e[0] == e[1] {
			continue
		}
		in[e[1]] = append(in[e[1]], e[0])
		out[e[0]] = append(out[e[0]], e[1])
	}
	layer := layers(in, out)
	nlayers := slices.Max(layer) + 1
	rows := make([][]int, nlayers)
	for v := range n {
		rows[layer[v]] = append(rows[layer[v]], v)
	}
	pos := make([]float64, n) // index of each node within its row
	for _, r := range rows {
		for i, v := range r {
			pos[v] = float64(i)
		}
	}
	for s := range sweeps {
		if s%2 == 0 {
			for i := 1; i < nlayers; i++ {
				reorder(rows[i], in, pos)
			}
		} else {
			for i := nlayers - 2; i >= 0; i-- {
				reorder(rows[i], out, pos)
			}
		}
	}
	// Widths follow the labels; each row is centred.
	rowWidth := make([]float64, nlayers)
	for i, r := range rows {
		for _, v := range r {
			l.Nodes[v].W = float64(max(3, len([]rune(g.Labels[v])))*charWidth + 16)
			l.Nodes[v].H = nodeHeight
			rowWidth[i] += l.Nodes[v].W + nodeGap
		}
		rowWidth[i] -= nodeGap
	}
	widest := slices.Max(rowWidth)
	for i, r := range rows {
		x := margin + (widest-rowWidth[i])/2
		for _, v := range r {
			nd := &l.Nodes[v]
			nd.X = x + nd.W/2
			nd.Y = margin + float64(i)*layerGap + nodeHeight/2
			nd.Layer = i
			x += nd.W + nodeGap
		}
	}
	l.Width = widest + 2*margin
	l.Height = float64(nlayers-1)*layerGap + nodeHeight + 2*margin
	return l
}

// layers returns each node's layer: the longest path to it from a node
// without dependencies (Kahn's order). Nodes on a cycle keep layer 0.
func layers(in, out [][]int) []int {
	n := len(in)
	layer := make([]int, n)
	indeg := make([]int, n)
	for v := range n {
		indeg[v] = len(in[v])
	}
	queue := make([]int, 0, n)
	for v := range n {
		if indeg[v] == 0 {
			queue = append(queue, v)
		}
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, w := range out[v] {
			layer[w] = max(layer[w], layer[v]+1)
			indeg[w]--
			if indeg[w] == 0 {
				queue = append(queue, w)
			}
		}
	}
	return layer
}

// reorder sorts a row by the mean position of each node's neighbours in
// the adjacent row (nodes without neighbours keep their place), then
// records the new positions.
func reorder(row []int, nbrs [][]int, pos []float64) {
	key := make(map[int]float64, len(row))
	for _, v := range row {
		if len(nbrs[v]) == 0 {
			key[v] = pos[v]
			continue
		}
		sum := 0.0
		for _, u := range nbrs[v] {
			sum += pos[u]
		}
		key[v] = sum / float64(len(nbrs[v]))
	}
	slices.SortStableFunc(row, func(a, b int) int { return cmp.Compare(key[a], key[b]) })
	for i, v := range row {
		pos[v] = float64(i)
	}
}
