package graph

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// inl is the argument Fuse puts in place of a reference to the task k
// calling fn on args.
func inl(k Key, fn string, args ...Arg) Arg {
	return Arg{Kind: ArgCall, Call: &Call{Func: fn, Args: args, Key: k}}
}

// fused returns t with its Fused count set.
func fused(t *Task, n int) *Task {
	t.Fused = n
	return t
}

func TestFuse(t *testing.T) {
	tests := []struct {
		name string
		g    Graph
		keep []Key
		opt  FuseOptions
		want Graph
	}{
		{
			name: "chain into its kept end",
			g: graphOf(
				mk("a", "load", val("1")),
				mk("b", "inc", Ref("a")),
				mk("c", "double", Ref("b"), val("2")),
			),
			keep: []Key{"c"},
			want: graphOf(
				fused(mk("c", "double", inl("b", "inc", inl("a", "load", val("1"))), val("2")), 3),
			),
		},
		{
			name: "a kept link ends a chain",
			g: graphOf(
				mk("a", "load"),
				mk("b", "inc", Ref("a")),
				mk("c", "inc", Ref("b")),
			),
			keep: []Key{"b", "c"},
			want: graphOf(
				fused(mk("b", "inc", inl("a", "load")), 2),
				mk("c", "inc", Ref("b")),
			),
		},
		{
			name: "nothing kept still fuses into the sink",
			g: graphOf(
				mk("a", "load"),
				mk("b", "inc", Ref("a")),
			),
			want: graphOf(fused(mk("b", "inc", inl("a", "load")), 2)),
		},
		{
			name: "two dependents block fusion",
			g: graphOf(
				mk("a", "load"),
				mk("b", "inc", Ref("a")),
				mk("c", "inc", Ref("a")),
			),
			keep: []Key{"b", "c"},
			want: graphOf(
				mk("a", "load"),
				mk("b", "inc", Ref("a")),
				mk("c", "inc", Ref("a")),
			),
		},
		{
			name: "a dependent with two dependencies blocks fusion",
			g: graphOf(
				mk("a", "load"),
				mk("b", "load"),
				mk("c", "add", Ref("a"), Ref("b")),
			),
			keep: []Key{"c"},
			want: graphOf(
				mk("a", "load"),
				mk("b", "load"),
				mk("c", "add", Ref("a"), Ref("b")),
			),
		},
		{
			name: "the top of a chain may have several dependencies",
			g: graphOf(
				mk("a", "load"),
				mk("b", "load"),
				mk("c", "add", Ref("a"), Ref("b")),
				mk("d", "inc", Ref("c")),
			),
			keep: []Key{"d"},
			want: graphOf(
				mk("a", "load"),
				mk("b", "load"),
				fused(mk("d", "inc", inl("c", "add", Ref("a"), Ref("b"))), 2),
			),
		},
		{
			name: "external keys do not count as dependencies",
			g: graphOf(
				mk("a", "load", Ref("ext-1")),
				mk("b", "join", Ref("a"), Ref("ext-2")),
			),
			keep: []Key{"b"},
			want: graphOf(
				fused(mk("b", "join", inl("a", "load", Ref("ext-1")), Ref("ext-2")), 2),
			),
		},
		{
			name: "a reference in a nested call",
			g: graphOf(
				mk("a", "load"),
				mk("b", "f", List(val("1")), call("g", List(Ref("a")))),
			),
			keep: []Key{"b"},
			want: graphOf(
				fused(mk("b", "f", List(val("1")), call("g", List(inl("a", "load")))), 2),
			),
		},
		{
			name: "a task referred to twice is not inlined",
			g: graphOf(
				mk("a", "load"),
				mk("b", "f", List(val("1"), Ref("a")), call("g", List(Ref("a")))),
			),
			keep: []Key{"b"},
			want: graphOf(
				mk("a", "load"),
				mk("b", "f", List(val("1"), Ref("a")), call("g", List(Ref("a")))),
			),
		},
		{
			name: "fused counts add up",
			g: graphOf(
				fused(mk("a", "load"), 5),
				fused(mk("b", "inc", Ref("a")), 0),
				fused(mk("c", "inc", Ref("b")), 1),
			),
			keep: []Key{"c"},
			want: graphOf(
				fused(mk("c", "inc", inl("b", "inc", inl("a", "load"))), 7),
			),
		},
		{
			name: "keep keys outside the graph are ignored",
			g: graphOf(
				mk("a", "load"),
				mk("b", "inc", Ref("a")),
			),
			keep: []Key{"zzz", "ext"},
			want: graphOf(fused(mk("b", "inc", inl("a", "load")), 2)),
		},
		{
			name: "MaxHeight cuts a chain from its top",
			g:    chainOf(7),
			keep: []Key{"x-6"},
			opt:  FuseOptions{MaxHeight: 3},
			want: graphOf(
				fused(mk("x-2", "inc", inl("x-1", "inc", inl("x-0", "inc", val("0")))), 3),
				fused(mk("x-5", "inc", inl("x-4", "inc", inl("x-3", "inc", Ref("x-2")))), 3),
				mk("x-6", "inc", Ref("x-5")),
			),
		},
		{
			name: "MaxHeight 1 turns fusion off",
			g:    chainOf(3),
			keep: []Key{"x-2"},
			opt:  FuseOptions{MaxHeight: 1},
			want: chainOf(3),
		},
		{
			name: "MaxHeight counts nested calls already present",
			g: graphOf(
				mk("a", "f", call("g", call("h"))), // height 3
				mk("b", "f", Ref("a")),             // 1 + 3
				mk("c", "f", call("g", Ref("b"))),  // 2 + 4 = 6 > 5
			),
			keep: []Key{"c"},
			opt:  FuseOptions{MaxHeight: 5},
			want: graphOf(
				fused(mk("b", "f", inl("a", "f", call("g", call("h")))), 2),
				mk("c", "f", call("g", Ref("b"))),
			),
		},
		{
			name: "self reference is left alone",
			g:    graphOf(mk("a", "f", Ref("a"))),
			want: graphOf(mk("a", "f", Ref("a"))),
		},
		{
			name: "cycle is left alone",
			g: graphOf(
				mk("a", "f", Ref("b")),
				mk("b", "f", Ref("a")),
			),
			want: graphOf(
				mk("a", "f", Ref("b")),
				mk("b", "f", Ref("a")),
			),
		},
		{
			name: "graph keys, not Task.Key, name inlined calls",
			g: Graph{
				"a": mk("A", "load"),
				"b": mk("b", "inc", Ref("a")),
			},
			keep: []Key{"b"},
			want: graphOf(fused(mk("b", "inc", inl("a", "load")), 2)),
		},
		{
			name: "a cycle broken by a kept key stays a cycle",
			g: graphOf(
				mk("a", "f", Ref("c")),
				mk("b", "f", Ref("a")),
				mk("c", "f", Ref("b")),
			),
			keep: []Key{"c"},
			want: graphOf(
				fused(mk("c", "f", inl("b", "f", inl("a", "f", Ref("c")))), 3),
			),
		},
		{
			name: "empty graph",
			g:    Graph{},
			want: Graph{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := cloneGraph(tt.g)
			got := Fuse(tt.g, tt.keep, tt.opt)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Fuse gave\n%s\nwant\n%s", dump(got), dump(tt.want))
			}
			if !reflect.DeepEqual(tt.g, before) {
				t.Error("input graph modified")
			}
			var ce *CycleError
			if wasCyclic := errors.As(tt.g.Validate(), &ce); wasCyclic != errors.As(got.Validate(), &ce) {
				t.Errorf("cyclic before: %v, after: %v", wasCyclic, !wasCyclic)
			}
		})
	}
}

// chainOf returns a chain graph of n tasks.
func chainOf(n int) Graph {
	g, _ := chainGraph(n)
	return g
}

// dump prints a graph for failure messages, sorted by key.
func dump(g Graph) string {
	var s string
	for _, k := range slices.Sorted(maps.Keys(g)) {
		t := g[k]
		s += fmt.Sprintf("  %s = %s(%s) fused=%d\n", k, t.Func, dumpArgs(t.Args), t.Fused)
	}
	return s
}

func dumpArgs(args []Arg) string {
	var s string
	for i, a := range args {
		if i > 0 {
			s += ", "
		}
		switch a.Kind {
		case ArgValue:
			s += fmt.Sprintf("%q", a.Value)
		case ArgRef:
			s += "&" + string(a.Ref)
		case ArgList:
			s += "[" + dumpArgs(a.List) + "]"
		case ArgCall:
			s += fmt.Sprintf("%s:%s(%s)", a.Call.Key, a.Call.Func, dumpArgs(a.Call.Args))
		}
	}
	return s
}

// Each option that steers scheduling must match for two tasks to fuse.
func TestFuseOptionsMustMatch(t *testing.T) {
	tests := []struct {
		name   string
		set    func(*Task)
		fusing bool
	}{
		{"same", func(*Task) {}, true},
		{"priority", func(t *Task) { t.Priority = 1 }, false},
		{"retries", func(t *Task) { t.Retries = 2 }, false},
		{"workers", func(t *Task) { t.Workers = []string{"w1"} }, false},
		{"allow other workers", func(t *Task) { t.AllowOtherWorkers = true }, false},
		{"resources", func(t *Task) { t.Resources = map[string]float64{"GPU": 1} }, false},
		{"empty resources equal nil", func(t *Task) { t.Resources = map[string]float64{} }, true},
		{"empty workers equal nil", func(t *Task) { t.Workers = []string{} }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := mk("a", "load")
			b := mk("b", "inc", Ref("a"))
			tt.set(a)
			got := Fuse(graphOf(a, b), []Key{"b"}, FuseOptions{})
			if fusedIt := len(got) == 1; fusedIt != tt.fusing {
				t.Errorf("fused = %v, want %v:\n%s", fusedIt, tt.fusing, dump(got))
			}
		})
	}
	// Equal options that are set fuse, and the result keeps them.
	opts := func(t *Task) *Task {
		t.Priority, t.Retries, t.Workers, t.AllowOtherWorkers = 3, 1, []string{"w"}, true
		t.Resources = map[string]float64{"GPU": 1}
		return t
	}
	got := Fuse(graphOf(opts(mk("a", "load")), opts(mk("b", "inc", Ref("a")))), []Key{"b"}, FuseOptions{})
	want := graphOf(fused(opts(mk("b", "inc", inl("a", "load"))), 2))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s", dump(got))
	}
}

// All references to the inlined task share one call, so that fusing
// x(i+1) = f(x(i), x(i)) stays linear in size.
// A chain whose every link refers to the one before twice is not fused:
// each reference would carry its own copy of the call, doubling the size of
// the fused task with every level.
func TestFuseLeavesRepeatedReferences(t *testing.T) {
	const n = 64
	g := make(Graph)
	g["x-0"] = mk("x-0", "load")
	for i := 1; i < n; i++ {
		prev := chainKey(i - 1)
		g[chainKey(i)] = mk(chainKey(i), "add", Ref(prev), List(Ref(prev)))
	}
	got := Fuse(g, []Key{chainKey(n - 1)}, FuseOptions{})
	if len(got) != n {
		t.Fatalf("got %d tasks, want all %d", len(got), n)
	}
}

// Fusion keeps what every kept key computes, which external keys are
// referenced and how many original tasks there are; kept keys survive; a
// second pass finds nothing more to fuse.
func TestFuseRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for iter := range 200 {
		g, seq := randomDAG(rng, 1+rng.IntN(150))
		var keep []Key
		for _, k := range seq {
			if rng.IntN(8) == 0 {
				keep = append(keep, k)
			}
		}
		opt := FuseOptions{MaxHeight: []int{0, 1, 2, 3, 7}[rng.IntN(5)]}
		before := cloneGraph(g)
		got := Fuse(g, keep, opt)

		if !reflect.DeepEqual(g, before) {
			t.Fatalf("iteration %d: input graph modified", iter)
		}
		if !maps.Equal(externalRefs(got), externalRefs(g)) {
			t.Fatalf("iteration %d: external refs changed: %v -> %v", iter, externalRefs(g), externalRefs(got))
		}
		total := 0
		maxHeight := cmp.Or(opt.MaxHeight, DefaultMaxHeight)
		var w argWalker
		for k, task := range got {
			if _, ok := g[k]; !ok {
				t.Fatalf("iteration %d: new key %q", iter, k)
			}
			if task.Key != k {
				t.Fatalf("iteration %d: task %q has Key %q", iter, k, task.Key)
			}
			total += fusedCount(task)
			if task.Fused > 1 && cap(task.Args) != len(task.Args) {
				t.Fatalf("iteration %d: appending to the args of %q could overwrite others", iter, k)
			}
			if task.Fused > 1 {
				if h := w.walk(task.Args, func(Key, int) {}); h > maxHeight {
					t.Fatalf("iteration %d: %q has height %d > %d", iter, k, h, maxHeight)
				}
			}
		}
		if total != len(g) {
			t.Fatalf("iteration %d: fused counts sum to %d, want %d", iter, total, len(g))
		}
		// Every task left that someone needs: the kept ones and the sinks.
		eg, egot := newEvaluator(g), newEvaluator(got)
		for _, k := range keep {
			if _, ok := got[k]; !ok {
				t.Fatalf("iteration %d: kept key %q gone", iter, k)
			}
		}
		for k := range got {
			if a, b := eg.key(k), egot.key(k); a != b {
				t.Fatalf("iteration %d: %q computes\n%s\nafter fusion, want\n%s", iter, k, b, a)
			}
		}
		if again := Fuse(got, keep, opt); !reflect.DeepEqual(again, got) {
			t.Fatalf("iteration %d: second pass fused more:\n%s\nthen\n%s", iter, dump(got), dump(again))
		}
	}
}

// A very long chain fuses in linear time without deep recursion, even when
// one task is allowed to hold it all.
func TestFuseLongChain(t *testing.T) {
	n := longChain()
	g, seq := chainGraph(n)
	got := Fuse(g, []Key{seq[n-1]}, FuseOptions{})
	if want := (n + DefaultMaxHeight - 1) / DefaultMaxHeight; len(got) != want {
		t.Errorf("default height: %d tasks, want %d", len(got), want)
	}

	got = Fuse(g, []Key{seq[n-1]}, FuseOptions{MaxHeight: n})
	task := got[seq[n-1]]
	if len(got) != 1 || task == nil || task.Fused != n {
		t.Fatalf("got %d tasks, want one standing for %d", len(got), n)
	}
	depth := 0
	for args := task.Args; len(args) > 0 && args[0].Kind == ArgCall; args = args[0].Call.Args {
		depth++
		if want := seq[n-1-depth]; args[0].Call.Key != want {
			t.Fatalf("call at depth %d has key %q, want %q", depth, args[0].Call.Key, want)
		}
	}
	if depth != n-1 {
		t.Errorf("nesting depth %d, want %d", depth, n-1)
	}
}
