package dusk

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/dusk-go/dusk/diagnostics/layout"
	"github.com/dusk-go/dusk/graph"
)

// VisualizeOption changes how Visualize draws a graph.
type VisualizeOption func(*visualizeOptions)

type visualizeOptions struct {
	optimized bool
	aveWidth  int
}

// Optimized draws the graph as Compute would send it: culled, with linear
// chains fused into single tasks (drawn "prefix ×N"). The default draws
// the graph as written.
func Optimized(on bool) VisualizeOption { return func(o *visualizeOptions) { o.optimized = on } }

// OptimizedWidth draws the graph optimized with blockwise fusion of width
// n too (see FuseWidth), as the array package computes it.
func OptimizedWidth(n int) VisualizeOption {
	return func(o *visualizeOptions) { o.optimized, o.aveWidth = true, max(n, 0) }
}

// Visualize writes a picture of the graph behind d to filename. The file's
// extension picks the format: ".svg" (laid out by dusk itself, no Graphviz
// needed) or ".dot" (Graphviz's language). Tasks are coloured by key
// prefix, as on the dashboard; keys the graph uses but does not compute
// (futures already on the cluster) are boxes.
func Visualize(d Lazy, filename string, opts ...VisualizeOption) error {
	format := strings.TrimPrefix(filepath.Ext(filename), ".")
	f, err := os.Create(filename)
	if err != nil {
		return fmt.Errorf("dusk: visualize: %w", err)
	}
	if err := WriteGraph(f, format, []Lazy{d}, opts...); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("dusk: visualize: %w", err)
	}
	return nil
}

// WriteGraph writes a picture of the graph behind ds to w in format "svg"
// or "dot"; see Visualize.
func WriteGraph(w io.Writer, format string, ds []Lazy, opts ...VisualizeOption) error {
	var o visualizeOptions
	for _, f := range opts {
		f(&o)
	}
	_, g, _, err := buildGraph(context.Background(), nil, ds, computeOptions{optimize: o.optimized, aveWidth: o.aveWidth})
	if err != nil {
		return err
	}
	switch strings.ToLower(format) {
	case "dot", "gv":
		err = graph.WriteDOT(w, g, func(k graph.Key) string { return layout.PrefixColor(k.Prefix()) })
	case "svg":
		l, keys := layoutGraph(g)
		err = layout.WriteSVG(w, l, func(i int) (string, bool, string) {
			_, inside := g[keys[i]]
			return layout.PrefixColor(keys[i].Prefix()), !inside, string(keys[i])
		})
	default:
		return fmt.Errorf("dusk: visualize: unknown format %q; use .svg or .dot", format)
	}
	if err != nil {
		return fmt.Errorf("dusk: visualize: %w", err)
	}
	return nil
}

// layoutGraph lays out g's tasks and the outside keys they use, and
// returns the layout and each node's key.
func layoutGraph(g graph.Graph) (*layout.Layout, []graph.Key) {
	keys := slices.Sorted(maps.Keys(g))
	index := make(map[graph.Key]int, len(keys))
	for i, k := range keys {
		index[k] = i
	}
	var edges [][2]int
	for i, k := range keys {
		seen := map[graph.Key]bool{}
		for _, d := range g[k].Deps() {
			if seen[d] {
				continue
			}
			seen[d] = true
			j, ok := index[d]
			if !ok {
				j = len(keys)
				keys = append(keys, d)
				index[d] = j
			}
			edges = append(edges, [2]int{j, i})
		}
	}
	labels := make([]string, len(keys))
	for i, k := range keys {
		labels[i] = k.Prefix()
		if t := g[k]; t != nil && t.Fused > 1 {
			labels[i] += " ×" + strconv.Itoa(t.Fused)
		}
	}
	return layout.Compute(layout.Graph{Labels: labels, Edges: edges}), keys
}

// CountTasks returns how many tasks the graph behind ds has, as written
// or, with Optimized or OptimizedWidth, as Compute would send it.
func CountTasks(ds []Lazy, opts ...VisualizeOption) (int, error) {
	var o visualizeOptions
	for _, f := range opts {
		f(&o)
	}
	_, g, _, err := buildGraph(context.Background(), nil, ds, computeOptions{optimize: o.optimized, aveWidth: o.aveWidth})
	if err != nil {
		return 0, err
	}
	return len(g), nil
}
