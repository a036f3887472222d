package graph

import (
	"slices"
	"testing"
)

// The block of a + b, whose operands are chains of their own, becomes one
// task; a tree reduction's combine of many partial results does not.
func TestFuseBlockwise(t *testing.T) {
	g := graphOf(
		mk("a1", "rand", val("1")), mk("a2", "inc", Ref("a1")),
		mk("b1", "rand", val("2")), mk("b2", "dbl", Ref("b1")),
		mk("s", "add", Ref("a2"), Ref("b2")),
	)
	chains := Fuse(g, []Key{"s"}, FuseOptions{})
	if len(chains) != 3 {
		t.Fatalf("chain fusion alone: %d tasks, want 3 (two chains and the sum)", len(chains))
	}
	out := Fuse(g, []Key{"s"}, FuseOptions{AveWidth: 1})
	if len(out) != 1 || out["s"] == nil || out["s"].Fused != 5 {
		t.Fatalf("blockwise: %v", keysOf(out))
	}
	if err := out.Validate(); err != nil {
		t.Fatal(err)
	}
	var w argWalker
	if h := w.walk(out["s"].Args, func(Key, int) {}); h != 3 {
		t.Fatalf("the fused task's height is %d, want 3", h)
	}

	// Eight leaves combined at once: wider than 2 branches. They stay
	// tasks.
	leaves := []*Task{}
	var refs []Arg
	for i := range 8 {
		k := Key("p-" + string(rune('a'+i)))
		leaves = append(leaves, mk(k, "part", val("x")))
		refs = append(refs, Ref(k))
	}
	comb := graphOf(append(leaves, mk("c", "combine", List(refs...)))...)
	if out := Fuse(comb, []Key{"c"}, FuseOptions{AveWidth: 1}); len(out) != 9 {
		t.Fatalf("a combine of 8 partial results was fused: %v", keysOf(out))
	}
	// Two of them are (2 branches, of height 2).
	two := graphOf(leaves[0], leaves[1], mk("c", "combine", List(refs[:2]...)))
	if out := Fuse(two, []Key{"c"}, FuseOptions{AveWidth: 1}); len(out) != 1 {
		t.Fatalf("a combine of 2: %v", keysOf(out))
	}

	// Not fused: a kept operand, an operand used twice, other options, or
	// past the height.
	if out := Fuse(g, []Key{"s", "a2"}, FuseOptions{AveWidth: 1}); len(out) != 3 {
		t.Fatalf("a kept operand was absorbed: %v", keysOf(out))
	}
	shared := graphOf(mk("x", "rand", val("1")), mk("y", "rand", val("2")), mk("s", "add", Ref("x"), Ref("y")), mk("u", "neg", Ref("x")))
	if out := Fuse(shared, []Key{"s", "u"}, FuseOptions{AveWidth: 1}); out["x"] == nil {
		t.Fatalf("an operand with two dependents was absorbed: %v", keysOf(out))
	}
	opt := graphOf(mk("x", "rand", val("1")), &Task{Key: "y", Func: "rand", Args: []Arg{val("2")}, Priority: 5}, mk("s", "add", Ref("x"), Ref("y")))
	if out := Fuse(opt, []Key{"s"}, FuseOptions{AveWidth: 1}); out["y"] == nil {
		t.Fatalf("an operand with its own priority was absorbed: %v", keysOf(out))
	}
	if out := Fuse(g, []Key{"s"}, FuseOptions{AveWidth: 1, MaxHeight: 2}); len(out) == 1 {
		t.Fatalf("fused past MaxHeight 2: %v", keysOf(out))
	}
}

func keysOf(g Graph) []Key {
	var ks []Key
	for k := range g {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// Neither chain nor blockwise fusion puts into one task tasks whose
// scheduling options differ (the annotations of a context apply to every
// task of a graph, but a function's own options may set some apart):
// whichever task of the block of a + b has an option of its own, every
// task of the output runs only the calls of tasks with its options, and
// no task is lost.
func TestFuseBlockwiseKeepsOptionsApart(t *testing.T) {
	options := map[string]func(*Task){
		"priority":            func(t *Task) { t.Priority = 1 },
		"retries":             func(t *Task) { t.Retries = 2 },
		"workers":             func(t *Task) { t.Workers = []string{"w1"} },
		"allow other workers": func(t *Task) { t.AllowOtherWorkers = true },
		"resources":           func(t *Task) { t.Resources = map[string]float64{"GPU": 1} },
	}
	block := func() Graph {
		return graphOf(
			mk("a1", "rand", val("1")), mk("a2", "inc", Ref("a1")),
			mk("b1", "rand", val("2")), mk("b2", "dbl", Ref("b1")),
			mk("s", "add", Ref("a2"), Ref("b2")),
		)
	}
	for name, set := range options {
		for _, victim := range []Key{"a1", "a2", "b2", "s"} {
			g := block()
			set(g[victim])
			out := Fuse(g, []Key{"s"}, FuseOptions{AveWidth: 1})
			seen := map[Key]bool{}
			var visit func(owner *Task, args []Arg)
			visit = func(owner *Task, args []Arg) {
				for _, a := range args {
					switch a.Kind {
					case ArgList:
						visit(owner, a.List)
					case ArgCall:
						seen[a.Call.Key] = true
						if !sameOptions(g[a.Call.Key], owner) {
							t.Errorf("%s on %s: %s was fused into %s, whose options differ:\n%s", name, victim, a.Call.Key, owner.Key, dump(out))
						}
						visit(owner, a.Call.Args)
					}
				}
			}
			for k, ot := range out {
				seen[k] = true
				if !sameOptions(ot, g[k]) {
					t.Errorf("%s on %s: %s lost its options:\n%s", name, victim, k, dump(out))
				}
				visit(ot, ot.Args)
			}
			for k := range g {
				if !seen[k] {
					t.Errorf("%s on %s: %s is gone:\n%s", name, victim, k, dump(out))
				}
			}
			if len(out) == 1 {
				t.Errorf("%s on %s: all fused into one task", name, victim)
			}
		}
	}
	// The same options on every task (a context's annotations): fused
	// into one task that keeps them.
	g := block()
	for _, tk := range g {
		for _, set := range options {
			set(tk)
		}
	}
	out := Fuse(g, []Key{"s"}, FuseOptions{AveWidth: 1})
	if len(out) != 1 || out["s"] == nil || !sameOptions(out["s"], g["s"]) {
		t.Fatalf("a block with the same options everywhere:\n%s", dump(out))
	}
}
