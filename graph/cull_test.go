package graph

import (
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

func TestCull(t *testing.T) {
	diamond := graphOf(
		mk("a", "f", val("1")),
		mk("b", "f", Ref("a")),
		mk("c", "f", Ref("a"), Ref("ext")),
		mk("d", "f", List(Ref("b"), Ref("c"))),
		mk("e", "f", Ref("b")),
		mk("lone", "f"),
	)
	nested := graphOf(
		mk("a", "f"),
		mk("b", "f"),
		mk("c", "f", call("g", List(Ref("a")))),
		mk("d", "f", Ref("b")),
	)
	cycle := graphOf(
		mk("a", "f", Ref("b")),
		mk("b", "f", Ref("a")),
		mk("c", "f", Ref("a")),
	)
	tests := []struct {
		name    string
		g       Graph
		outputs []Key
		want    []Key
	}{
		{"no outputs", diamond, nil, nil},
		{"sink needs all above it", diamond, []Key{"d"}, []Key{"a", "b", "c", "d"}},
		{"branch", diamond, []Key{"e"}, []Key{"a", "b", "e"}},
		{"source alone", diamond, []Key{"a"}, []Key{"a"}},
		{"several outputs", diamond, []Key{"e", "lone"}, []Key{"a", "b", "e", "lone"}},
		{"duplicate outputs", diamond, []Key{"e", "e", "b"}, []Key{"a", "b", "e"}},
		{"missing outputs ignored", diamond, []Key{"nope", "c", "ext"}, []Key{"a", "c"}},
		{"refs inside lists and calls", nested, []Key{"c"}, []Key{"a", "c"}},
		{"cycle terminates", cycle, []Key{"c"}, []Key{"a", "b", "c"}},
		{"empty graph", Graph{}, []Key{"a"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := cloneGraph(tt.g)
			got := Cull(tt.g, tt.outputs)
			if keys := slices.Sorted(maps.Keys(got)); !slices.Equal(keys, tt.want) {
				t.Errorf("kept %v, want %v", keys, tt.want)
			}
			for k, task := range got {
				if task != tt.g[k] {
					t.Errorf("task %q is not shared with the input", k)
				}
			}
			if !reflect.DeepEqual(tt.g, before) {
				t.Error("input graph modified")
			}
		})
	}
}

// reachable is the obvious recursive definition Cull must agree with.
func reachable(g Graph, k Key, into Graph) {
	t, ok := g[k]
	if !ok {
		return
	}
	if _, seen := into[k]; seen {
		return
	}
	into[k] = t
	for _, d := range t.Deps() {
		reachable(g, d, into)
	}
}

func TestCullRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		g, seq := randomDAG(rng, 300)
		var outputs []Key
		for range rng.IntN(5) {
			outputs = append(outputs, seq[rng.IntN(len(seq))])
		}
		outputs = append(outputs, "ext-1")
		want := make(Graph)
		for _, k := range outputs {
			reachable(g, k, want)
		}
		got := Cull(g, outputs)
		if !maps.Equal(got, want) {
			t.Fatalf("Cull kept %d tasks, want %d", len(got), len(want))
		}
		// What is external to the culled graph was external to g or culled.
		for k := range externalRefs(got) {
			if _, ok := g[k]; ok {
				t.Fatalf("culled graph refers to %q of g but dropped it", k)
			}
		}
	}
}

func TestCullLongChain(t *testing.T) {
	n := longChain()
	g, seq := chainGraph(n)
	if got := Cull(g, []Key{seq[n-1]}); len(got) != n {
		t.Errorf("kept %d of %d", len(got), n)
	}
	if got := Cull(g, []Key{seq[n/2]}); len(got) != n/2+1 {
		t.Errorf("kept %d, want %d", len(got), n/2+1)
	}
}
