package state

import (
	"slices"
	"testing"

	"github.com/dusk-go/dusk/graph"
)

// onA puts keys k0..k(n-1) of 100 bytes in memory on worker a, the only
// worker at the time; b and c join after.
func onA(t *testing.T, n int) *harness {
	h := newHarness(t)
	h.addWorker("a", 1, nil)
	for i := range n {
		k := graph.Key("k" + string(rune('0'+i)))
		h.submit("client", []*graph.Task{spec(string(k))}, k)
		h.start("a", k)
		h.handle(&TaskFinished{At: h.at(), Worker: "a", Key: k, NBytes: 100, Type: "int"})
	}
	h.addWorker("b", 1, nil)
	h.addWorker("c", 1, nil)
	return h
}

func acquires(acts []Action) map[string][]graph.Key {
	out := map[string][]graph.Key{}
	for _, a := range ofType[*Acquire](acts) {
		for _, d := range a.Deps {
			out[a.Worker] = append(out[a.Worker], d.Key)
		}
	}
	return out
}

func TestReplicate(t *testing.T) {
	h := onA(t, 2)
	acts := h.handle(&ReplicasRequested{At: h.at(), Keys: []graph.Key{"k0", "k1", "gone"}, N: 2})
	got := acquires(acts)
	// Least loaded first: k0 to b, then k1 to c (b has k0 planned).
	if !slices.Equal(got["b"], []graph.Key{"k0"}) || !slices.Equal(got["c"], []graph.Key{"k1"}) {
		t.Fatalf("acquires %v", got)
	}
	h.handle(&KeysAdded{At: h.at(), Worker: "b", Keys: []graph.KeySize{{Key: "k0", NBytes: 100}}})
	h.handle(&KeysAdded{At: h.at(), Worker: "c", Keys: []graph.KeySize{{Key: "k1", NBytes: 100}}})
	if r := h.s.Replicas([]graph.Key{"k0", "k1"}); r["k0"] != 2 || r["k1"] != 2 {
		t.Fatalf("replicas %v", r)
	}
	// Asking again does nothing; more than there are workers means all.
	if got := acquires(h.handle(&ReplicasRequested{At: h.at(), Keys: []graph.Key{"k0"}, N: 2})); len(got) != 0 {
		t.Fatalf("a second request acquired %v", got)
	}
	if got := acquires(h.handle(&ReplicasRequested{At: h.at(), Keys: []graph.Key{"k0"}, N: 10})); !slices.Equal(got["c"], []graph.Key{"k0"}) || len(got) != 1 {
		t.Fatalf("N above the workers acquired %v", got)
	}
	// Releasing a replicated key frees it on every holder.
	h.handle(&KeysAdded{At: h.at(), Worker: "c", Keys: []graph.KeySize{{Key: "k0", NBytes: 100}}})
	acts = h.handle(&KeysReleased{At: h.at(), Client: "client", Keys: []graph.Key{"k0"}})
	var freed []string
	for _, f := range ofType[*Free](acts) {
		if slices.Contains(f.Keys, "k0") {
			freed = append(freed, f.Worker)
		}
	}
	slices.Sort(freed)
	if !slices.Equal(freed, []string{"a", "b", "c"}) {
		t.Fatalf("k0 freed on %v, want a, b and c", freed)
	}
}

func TestRebalance(t *testing.T) {
	h := onA(t, 4)
	got := acquires(h.handle(&RebalanceRequested{At: h.at()}))
	// a holds 400, the mean is 133: the first key goes to b, the second to
	// c; a third would leave a emptier than its receiver.
	if len(got["b"])+len(got["c"]) != 2 || len(got["b"]) != 1 || len(got["a"]) != 0 {
		t.Fatalf("acquires %v", got)
	}
	if n, b := h.s.Moving(); n != 2 || b != 200 {
		t.Fatalf("%d moves of %d bytes", n, b)
	}
	kb, kc := got["b"][0], got["c"][0]
	acts := h.handle(&KeysAdded{At: h.at(), Worker: "b", Keys: []graph.KeySize{{Key: kb, NBytes: 100}}})
	if fs := ofType[*Free](acts); len(fs) != 1 || fs[0].Worker != "a" || !slices.Equal(fs[0].Keys, []graph.Key{kb}) {
		t.Fatalf("after b took %s: %s", kb, describe(acts))
	}
	if who := h.s.Task(kb).WhoHas(); !slices.Equal(who, []string{"b"}) {
		t.Fatalf("%s is on %v, want b only", kb, who)
	}
	// c dies before it has its key: a keeps it, and the move is forgotten.
	h.handle(&WorkerRemoved{At: h.at(), ID: "c"})
	if n, _ := h.s.Moving(); n != 0 {
		t.Fatalf("%d moves left after the receiver died", n)
	}
	if who := h.s.Task(kc).WhoHas(); !slices.Equal(who, []string{"a"}) {
		t.Fatalf("%s is on %v, want a", kc, who)
	}
	// A balanced cluster moves nothing.
	if got := acquires(h.handle(&RebalanceRequested{At: h.at(), Keys: []graph.Key{kb}})); len(got) != 0 {
		t.Fatalf("moving a key of a lighter worker: %v", got)
	}
}
