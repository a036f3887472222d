// Package layout places the nodes of a directed acyclic graph in layers
// (dependencies above their dependents) and draws it as SVG. It is small
// and dependency-free: the dashboard's graph view and dusk.Visualize use
// it, so that pictures of task graphs need no Graphviz.
package layout
