package graph

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// byPriority lists the keys of prio from first to last.
func byPriority(prio map[Key]int) []Key {
	keys := make([]Key, len(prio))
	for k, p := range prio {
		keys[p] = k
	}
	return keys
}

func TestOrder(t *testing.T) {
	diamond := graphOf(
		mk("a", "f"),
		mk("b", "f", Ref("a")),
		mk("c", "f", Ref("a")),
		mk("d", "f", Ref("c"), Ref("b")),
	)
	twoChains := graphOf(
		mk("p1", "f"), mk("p2", "f", Ref("p1")),
		mk("q1", "f"), mk("q2", "f", Ref("q1")),
	)
	tests := []struct {
		name string
		g    Graph
		seq  []Key
		want []Key // keys from first to last
	}{
		{"empty", Graph{}, nil, []Key{}},
		{"single", graphOf(mk("a", "f")), []Key{"a"}, []Key{"a"}},
		{"chain in dependency order", chainOf(4), nil, []Key{"x-0", "x-1", "x-2", "x-3"}},
		{"dependencies in argument order", diamond, []Key{"a", "b", "c", "d"}, []Key{"a", "c", "b", "d"}},
		{"sinks in creation order", twoChains, []Key{"q1", "q2", "p1", "p2"}, []Key{"q1", "q2", "p1", "p2"}},
		{"missing keys come after, sorted", twoChains, []Key{"q2"}, []Key{"q1", "q2", "p1", "p2"}},
		{"no seq sorts sinks", twoChains, nil, []Key{"p1", "p2", "q1", "q2"}},
		{"seq keys outside g and duplicates ignored", twoChains, []Key{"zz", "q2", "q2", "p2"}, []Key{"q1", "q2", "p1", "p2"}},
		{"a key listed twice counts at its last place", twoChains, []Key{"p2", "q2", "p2"}, []Key{"q1", "q2", "p1", "p2"}},
		{"only sinks' places matter", twoChains, []Key{"q1", "p2", "q2", "p1"}, []Key{"p1", "p2", "q1", "q2"}},
		{
			"a finished branch comes before the next starts",
			graphOf(
				mk("a1", "f"), mk("a2", "f", Ref("a1")),
				mk("b1", "f"), mk("b2", "f", Ref("b1")),
				mk("out", "f", Ref("a2"), Ref("b2")),
			),
			[]Key{"a1", "b1", "a2", "b2", "out"},
			[]Key{"a1", "a2", "b1", "b2", "out"},
		},
		{
			"shared dependency numbered once, for the first sink",
			graphOf(
				mk("s", "f"),
				mk("u", "f", Ref("s")),
				mk("v", "f", Ref("s"), Ref("w")),
				mk("w", "f"),
			),
			[]Key{"s", "w", "u", "v"},
			[]Key{"s", "u", "w", "v"},
		},
		{
			"external keys play no part",
			graphOf(mk("a", "f", Ref("ext")), mk("b", "f", Ref("a"), Ref("ext2"))),
			nil,
			[]Key{"a", "b"},
		},
		{
			"cycle still numbers every task",
			graphOf(mk("a", "f", Ref("b")), mk("b", "f", Ref("a")), mk("c", "f", Ref("a"))),
			[]Key{"a", "b", "c"},
			[]Key{"b", "a", "c"},
		},
		{
			"cycle without a sink",
			graphOf(mk("a", "f", Ref("b")), mk("b", "f", Ref("a"))),
			[]Key{"a", "b"},
			[]Key{"b", "a"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := byPriority(Order(tt.g, tt.seq))
			if !slices.Equal(got, tt.want) {
				t.Errorf("order %v, want %v", got, tt.want)
			}
			if keys := OrderKeys(tt.g, tt.seq); !slices.Equal(keys, tt.want) {
				t.Errorf("OrderKeys %v, want %v", keys, tt.want)
			}
		})
	}
}

// A tree reduction with fan-in 8 over 64 leaves: each group of 8 leaves is
// followed at once by its sum, so at most 8 leaf results wait in memory.
func TestOrderTreeReduction(t *testing.T) {
	g, seq, root := treeGraph(64, 8)
	prio := Order(g, seq)
	checkPriorities(t, g, prio)
	for j := range 8 {
		sum := Key(fmt.Sprintf("sum1-%d", j))
		base := prio[Key(fmt.Sprintf("leaf-%d", 8*j))]
		for i := range 8 {
			if p := prio[Key(fmt.Sprintf("leaf-%d", 8*j+i))]; p != base+i {
				t.Errorf("leaf-%d has priority %d, want %d", 8*j+i, p, base+i)
			}
		}
		if prio[sum] != base+8 {
			t.Errorf("%s has priority %d, want %d right after its leaves", sum, prio[sum], base+8)
		}
	}
	if prio[root] != len(g)-1 {
		t.Errorf("root has priority %d, want last (%d)", prio[root], len(g)-1)
	}
}

// On random DAGs every task comes after its dependencies, priorities are
// 0..n-1, and the result depends on the graph and seq only.
func TestOrderRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for range 100 {
		g, seq := randomDAG(rng, 1+rng.IntN(300))
		prio := Order(g, seq)
		checkPriorities(t, g, prio)
		if keys := OrderKeys(g, seq); !slices.Equal(keys, byPriority(prio)) {
			t.Fatal("OrderKeys disagrees with Order")
		}
		if again := Order(cloneGraph(g), slices.Clone(seq)); !maps.Equal(again, prio) {
			t.Fatal("same input, different order")
		}
		// A partial seq: the rest is sorted, so still deterministic.
		part := seq[:len(seq)/2]
		p1, p2 := Order(g, part), Order(cloneGraph(g), part)
		checkPriorities(t, g, p1)
		if !maps.Equal(p1, p2) {
			t.Fatal("same input, different order with a partial seq")
		}
	}
}

func TestOrderLongChain(t *testing.T) {
	n := longChain()
	g, seq := chainGraph(n)
	prio := Order(g, nil) // seq unknown: keys get sorted
	for i, k := range seq {
		if prio[k] != i {
			t.Fatalf("%s has priority %d, want %d", k, prio[k], i)
		}
	}
}
