package graph

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// This file holds builders and checkers the tests of the package share.

// mk returns a task with key k calling fn on args.
func mk(k Key, fn string, args ...Arg) *Task {
	return &Task{Key: k, Func: fn, Args: args}
}

// val returns a literal argument holding s.
func val(s string) Arg { return Value([]byte(s)) }

// graphOf makes a graph of tasks.
func graphOf(tasks ...*Task) Graph {
	g := make(Graph, len(tasks))
	for _, t := range tasks {
		g[t.Key] = t
	}
	return g
}

// longChain is the length of the chains that test that nothing recurses or
// goes quadratic: a million tasks, fewer under -short or the race detector.
func longChain() int {
	switch {
	case testing.Short():
		return 10_000
	case raceEnabled:
		return 100_000
	}
	return 1_000_000
}

// chainKey names link i of a chain built by chainGraph.
func chainKey(i int) Key { return Key(fmt.Sprintf("x-%d", i)) }

// chainGraph returns x-0 <- x-1 <- ... <- x-(n-1), each calling "inc" on
// the one before (x-0 on a literal), and the keys in creation order.
func chainGraph(n int) (Graph, []Key) {
	g := make(Graph, n)
	seq := make([]Key, n)
	for i := range n {
		k := chainKey(i)
		arg := val("0")
		if i > 0 {
			arg = Ref(seq[i-1])
		}
		g[k] = mk(k, "inc", arg)
		seq[i] = k
	}
	return g, seq
}

// treeGraph returns a tree reduction: leaves "leaf-i" load a literal, and
// each level sums groups of fanIn keys of the level below ("sum<level>-j")
// until one remains. It returns the graph, the keys in creation order (each
// level before the next) and the root.
func treeGraph(leaves, fanIn int) (Graph, []Key, Key) {
	g := make(Graph)
	var seq []Key
	level := make([]Key, leaves)
	for i := range leaves {
		k := Key(fmt.Sprintf("leaf-%d", i))
		g[k] = mk(k, "load", val(fmt.Sprint(i)))
		level[i] = k
		seq = append(seq, k)
	}
	for depth := 1; len(level) > 1; depth++ {
		var up []Key
		for j := 0; j*fanIn < len(level); j++ {
			k := Key(fmt.Sprintf("sum%d-%d", depth, j))
			var args []Arg
			for _, d := range level[j*fanIn : min((j+1)*fanIn, len(level))] {
				args = append(args, Ref(d))
			}
			g[k] = mk(k, "sum", List(args...))
			up = append(up, k)
			seq = append(seq, k)
		}
		level = up
	}
	return g, seq, level[0]
}

// randomDAG returns a random graph of n tasks without cycles, and the keys
// in creation order. Task i refers only to tasks created before it and to
// external keys "ext-j", in plain arguments, lists and nested calls, some
// of them several times. Most tasks have few dependencies, so that chains
// and fusable links are common.
func randomDAG(rng *rand.Rand, n int) (Graph, []Key) {
	g := make(Graph, n)
	seq := make([]Key, n)
	for i := range n {
		k := Key(fmt.Sprintf("t%d-%d", rng.IntN(3), i))
		seq[i] = k
		var refs []Arg
		nrefs := rng.IntN(4)
		if i > 0 && rng.IntN(3) == 0 {
			nrefs = 1 // favour chains
		}
		for range nrefs {
			switch {
			case rng.IntN(8) == 0:
				refs = append(refs, Ref(Key(fmt.Sprintf("ext-%d", rng.IntN(5)))))
			case i > 0:
				refs = append(refs, Ref(seq[max(0, i-1-rng.IntN(min(i, 6)))]))
			}
		}
		args := []Arg{val(fmt.Sprint(i))}
		for _, r := range refs {
			switch rng.IntN(6) {
			case 0:
				args = append(args, List(r, val("l"), r))
			case 1:
				args = append(args, Arg{Kind: ArgCall, Call: &Call{Func: "wrap", Args: []Arg{r}}})
			default:
				args = append(args, r)
			}
		}
		t := mk(k, fmt.Sprintf("f%d", rng.IntN(2)), args...)
		if rng.IntN(10) == 0 {
			t.Retries = 1
		}
		g[k] = t
	}
	return g, seq
}

// cloneGraph deep-copies g, so that a test can check that a function left
// its input alone.
func cloneGraph(g Graph) Graph {
	out := make(Graph, len(g))
	for k, t := range g {
		c := *t
		c.Args = cloneArgs(t.Args)
		c.Resources = maps.Clone(t.Resources)
		c.Workers = slices.Clone(t.Workers)
		out[k] = &c
	}
	return out
}

func cloneArgs(args []Arg) []Arg {
	if args == nil {
		return nil
	}
	out := make([]Arg, len(args))
	for i, a := range args {
		out[i] = a
		out[i].Value = slices.Clone(a.Value)
		out[i].List = cloneArgs(a.List)
		if a.Call != nil {
			c := *a.Call
			c.Args = cloneArgs(a.Call.Args)
			out[i].Call = &c
		}
	}
	return out
}

// externalRefs returns the keys tasks of g refer to that g does not hold.
func externalRefs(g Graph) map[Key]bool {
	out := make(map[Key]bool)
	for _, t := range g {
		for _, d := range t.Deps() {
			if _, ok := g[d]; !ok {
				out[d] = true
			}
		}
	}
	return out
}

// evaluator computes the value of keys of a graph symbolically: a call's
// value spells out its function and its arguments' values, so that two
// graphs computing the same thing give the same strings.
type evaluator struct {
	g    Graph
	memo map[Key]string
}

func newEvaluator(g Graph) *evaluator {
	return &evaluator{g: g, memo: make(map[Key]string)}
}

func (e *evaluator) key(k Key) string {
	if v, ok := e.memo[k]; ok {
		return v
	}
	t, ok := e.g[k]
	if !ok {
		return "<" + string(k) + ">" // external data
	}
	v := e.call(t.Func, t.Args)
	e.memo[k] = v
	return v
}

func (e *evaluator) call(fn string, args []Arg) string {
	var b strings.Builder
	b.WriteString(fn)
	b.WriteByte('(')
	e.args(&b, args)
	b.WriteByte(')')
	return b.String()
}

func (e *evaluator) args(b *strings.Builder, args []Arg) {
	for i, a := range args {
		if i > 0 {
			b.WriteByte(',')
		}
		switch a.Kind {
		case ArgValue:
			b.Write(a.Value)
		case ArgRef:
			b.WriteString(e.key(a.Ref))
		case ArgList:
			b.WriteByte('[')
			e.args(b, a.List)
			b.WriteByte(']')
		case ArgCall:
			b.WriteString(e.call(a.Call.Func, a.Call.Args))
		}
	}
}

// checkPriorities fails t unless prio numbers exactly the keys of g from 0
// to len(g)-1 and every task comes after its dependencies in g.
func checkPriorities(t *testing.T, g Graph, prio map[Key]int) {
	t.Helper()
	if len(prio) != len(g) {
		t.Fatalf("got %d priorities for %d tasks", len(prio), len(g))
	}
	used := make([]bool, len(g))
	for k, p := range prio {
		if _, ok := g[k]; !ok {
			t.Fatalf("priority for %q, which is not in the graph", k)
		}
		if p < 0 || p >= len(g) || used[p] {
			t.Fatalf("priority %d of %q is out of range or used twice", p, k)
		}
		used[p] = true
	}
	for k, task := range g {
		for _, d := range task.Deps() {
			if _, ok := g[d]; ok && prio[d] >= prio[k] {
				t.Errorf("%q (priority %d) runs no earlier than its dependent %q (%d)", d, prio[d], k, prio[k])
			}
		}
	}
}
