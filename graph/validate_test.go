package graph

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name    string
		g       Graph
		wantErr error  // errors.Is target; nil for none
		wantMsg string // substring of the message
	}{
		{"empty", Graph{}, nil, ""},
		{"chain", chainOf(10), nil, ""},
		{"external refs are fine", graphOf(mk("a", "f", Ref("ext"))), nil, ""},
		{"fused task", graphOf(mk("a", "f", inl("b", "g", Ref("ext")))), nil, ""},
		{"nil task", Graph{"a": nil}, ErrNilTask, `task "a"`},
		{"key mismatch", Graph{"a": mk("b", "f")}, ErrKeyMismatch, `task "a": task key differs from its graph key: Key field is "b"`},
		{"empty func", graphOf(mk("a", "")), ErrEmptyFunc, `task "a"`},
		{"empty func in a nested call", graphOf(mk("a", "f", List(inl("b", "")))), ErrEmptyFunc, `nested call "b"`},
		{"nil nested call", graphOf(mk("a", "f", List(val("1"), Arg{Kind: ArgCall}))), ErrNilCall, `task "a"`},
		{
			"smallest bad key reported",
			Graph{"c": nil, "b": mk("b", ""), "d": mk("x", "f"), "e": mk("e", "f")},
			ErrEmptyFunc, `task "b"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 5 { // map order must not show
				err := tt.g.Validate()
				if tt.wantErr == nil {
					if err != nil {
						t.Fatalf("unexpected error %v", err)
					}
					continue
				}
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Fatalf("message %q lacks %q", err, tt.wantMsg)
				}
			}
		})
	}
}

func TestValidateCycle(t *testing.T) {
	tests := []struct {
		name string
		g    Graph
		want []Key
	}{
		{"self", graphOf(mk("a", "f", Ref("a"))), []Key{"a"}},
		{"two", graphOf(mk("b", "f", Ref("a")), mk("a", "f", Ref("b"))), []Key{"a", "b"}},
		{
			"three, with tasks above and below",
			graphOf(
				mk("src", "f"),
				mk("c", "f", Ref("src"), Ref("e")),
				mk("d", "f", Ref("c")),
				mk("e", "f", List(Ref("d"))),
				mk("top", "f", Ref("d")),
			),
			[]Key{"c", "e", "d"}, // c depends on e, e on d, d on c
		},
		{
			"through a nested call",
			graphOf(mk("a", "f", inl("x", "g", Ref("b"))), mk("b", "f", Ref("a"))),
			[]Key{"a", "b"},
		},
		{
			"two cycles: the one through the smallest key",
			graphOf(
				mk("p", "f", Ref("q")), mk("q", "f", Ref("p")),
				mk("m", "f", Ref("n")), mk("n", "f", Ref("m")),
			),
			[]Key{"m", "n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 5 {
				err := tt.g.Validate()
				var ce *CycleError
				if !errors.As(err, &ce) {
					t.Fatalf("err = %v, want a *CycleError", err)
				}
				if !slices.Equal(ce.Keys, tt.want) {
					t.Fatalf("cycle %v, want %v", ce.Keys, tt.want)
				}
			}
		})
	}
}

func TestCycleErrorMessage(t *testing.T) {
	short := &CycleError{Keys: []Key{"a", "b"}}
	if got, want := short.Error(), `graph: dependency cycle: "a" -> "b" -> "a"`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
	var keys []Key
	for i := range 1000 {
		keys = append(keys, Key(fmt.Sprint("k", i)))
	}
	long := (&CycleError{Keys: keys}).Error()
	if !strings.HasSuffix(long, "... (1000 keys)") || len(long) > 400 {
		t.Errorf("long cycle message: %s", long)
	}
}

func TestValidateRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for range 50 {
		g, seq := randomDAG(rng, 2+rng.IntN(200))
		if err := g.Validate(); err != nil {
			t.Fatalf("DAG reported invalid: %v", err)
		}
		// Close a cycle: an early task refers to a later one that
		// (transitively) depends on it, found through Cull.
		for i := len(seq) - 1; i > 0; i-- {
			above := Cull(g, []Key{seq[i]})
			if len(above) < 2 {
				continue
			}
			var low Key
			for k := range above {
				if k != seq[i] {
					low = k
					break
				}
			}
			c := cloneGraph(g)
			c[low].Args = append(c[low].Args, Ref(seq[i]))
			var ce *CycleError
			if err := c.Validate(); !errors.As(err, &ce) {
				t.Fatalf("err = %v, want a cycle", err)
			}
			checkCycle(t, c, ce.Keys)
			break
		}
	}
}

// checkCycle fails t unless keys is a cycle of g.
func checkCycle(t *testing.T, g Graph, keys []Key) {
	t.Helper()
	for i, k := range keys {
		next := keys[(i+1)%len(keys)]
		if !slices.Contains(g[k].Deps(), next) {
			t.Fatalf("%q does not depend on %q in cycle %v", k, next, keys)
		}
	}
}

func TestValidateLongChain(t *testing.T) {
	n := longChain()
	g, seq := chainGraph(n)
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	g[seq[0]] = mk(seq[0], "inc", Ref(seq[n-1]))
	var ce *CycleError
	if err := g.Validate(); !errors.As(err, &ce) || len(ce.Keys) != n {
		t.Fatalf("err = %v, want a cycle of %d keys", err, n)
	}
}
