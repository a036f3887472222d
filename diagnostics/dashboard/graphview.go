package dashboard

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/diagnostics/layout"
	"github.com/dusk-go/dusk/graph"
)

// GraphView is the graph the dashboard draws: tasks placed in layers with
// their current state, or, for a graph too big to draw, only its size.
type GraphView struct {
	TooBig bool        `json:"tooBig"`
	Tasks  int         `json:"tasks"`
	Limit  int         `json:"limit"`
	Width  float64     `json:"width"`
	Height float64     `json:"height"`
	Nodes  []GraphNode `json:"nodes"`
	Edges  [][2]int    `json:"edges"`
}

// GraphNode is one placed task.
type GraphNode struct {
	Key   string  `json:"key"`
	Label string  `json:"label"`
	Color string  `json:"color"`
	State string  `json:"state"`
	X     float64 `json:"x"`
	Y     float64 `json:"y"`
	W     float64 `json:"w"`
}

// graphCache is the last layout, shared by every page.
type graphCache struct {
	gen  uint64 // the aggregator's graphGen it was made at
	at   time.Time
	view GraphView
}

// graphRefresh is the least time between two layouts of a changing graph.
const graphRefresh = 2 * time.Second

// Graph returns the graph view with every task's current state. The layout
// is made at most every two seconds, and only when tasks came or went;
// states come from the aggregator, not the scheduler.
func (a *Aggregator) Graph(ctx context.Context) (*GraphView, error) {
	a.graphMu.Lock()
	defer a.graphMu.Unlock()
	a.mu.Lock()
	gen := a.graphGen
	c := a.graphView
	a.mu.Unlock()
	if c == nil || (c.gen != gen && time.Since(c.at) >= graphRefresh) {
		v, err := a.layoutGraph(ctx)
		if err != nil {
			return nil, err
		}
		c = &graphCache{gen: gen, at: time.Now(), view: *v}
		a.mu.Lock()
		a.graphView = c
		a.mu.Unlock()
	}
	v := c.view
	v.Nodes = slices.Clone(v.Nodes)
	a.mu.Lock()
	for i := range v.Nodes {
		st, ok := a.keys[v.Nodes[i].Key]
		if !ok {
			v.Nodes[i].State = "forgotten"
			continue
		}
		v.Nodes[i].State = stateNames[st.state()]
	}
	a.mu.Unlock()
	return &v, nil
}

// layoutGraph asks the scheduler for its graph, if it has at most
// GraphLimit tasks, and lays it out.
func (a *Aggregator) layoutGraph(ctx context.Context) (*GraphView, error) {
	limit := a.opts.GraphLimit
	g, err := a.src.Graph(ctx, limit)
	if err != nil {
		return nil, err
	}
	n, tasks := g.Tasks, g.Nodes
	v := &GraphView{Tasks: n, Limit: limit, Nodes: []GraphNode{}, Edges: [][2]int{}}
	if n > limit {
		v.TooBig = true
		return v, nil
	}
	slices.SortFunc(tasks, func(x, y event.GraphNode) int { return cmp.Compare(x.Key, y.Key) })
	index := make(map[string]int, len(tasks))
	labels := make([]string, len(tasks))
	for i, t := range tasks {
		index[t.Key] = i
		labels[i] = graph.Key(t.Key).Prefix()
		if t.Fused > 1 {
			labels[i] += " ×" + strconv.Itoa(t.Fused)
		}
	}
	edges := [][2]int{}
	for i, t := range tasks {
		for _, d := range t.Deps {
			if j, ok := index[d]; ok {
				edges = append(edges, [2]int{j, i})
			}
		}
	}
	l := layout.Compute(layout.Graph{Labels: labels, Edges: edges})
	v.Width, v.Height, v.Edges = l.Width, l.Height, edges
	v.Nodes = make([]GraphNode, len(tasks))
	for i, t := range tasks {
		nd := l.Nodes[i]
		v.Nodes[i] = GraphNode{Key: t.Key, Label: labels[i], Color: layout.PrefixColor(graph.Key(t.Key).Prefix()), X: nd.X, Y: nd.Y, W: nd.W}
	}
	return v, nil
}
