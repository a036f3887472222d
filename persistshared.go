package dusk

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/internal/units"
)

// Persist-shared is the guide's "persist what several computations
// share", done for the user when optimization.persist-shared.active is on.
// Each computation (Compute, ComputeAll, Persist, PersistAll, and the
// array package's, which compute through them) frees the intermediate
// results of its graph as soon as their dependents are done; a later
// computation over the same lazy values sends the same keys again, and the
// cluster computes them again. Each lazy value remembers how long the
// first computation that ran it took (a mark on its call, living as long
// as the value: remembering every key the client ran in a map was a
// twentieth of the client's time on a merge of 25,000 calls), and the
// client, in each new graph, looks for
//
//   - a branch computed again: tasks an earlier computation ran and
//     released (the fix holds the branch's outputs: the keys the rest of
//     the graph depends on), and
//   - a branch shared ahead: a lazy value of the graph that another lazy
//     value, not part of this computation, also uses (Call counts the
//     uses), so that a later computation will need it.
//
// When the computation that ran the branch took at least
// optimization.persist-shared.min-seconds, the client holds futures of the
// branch's outputs: the scheduler keeps a result in memory while a client
// wants it, and the next graphs refer to the held keys instead of sending
// their tasks (and everything above them) again. A kept branch is released
// after optimization.persist-shared.release-after computations that do not
// use it, by Client.ReleaseShared, or when the client closes.
//
// With the fix off, a branch computed again that took that long is a
// finding (rule "recomputed") that names it.

// sharedBranches is a client's memory of its recent computations for
// persist-shared, and the branches it keeps.
type sharedBranches struct {
	mu      sync.Mutex // protects the fields below
	started uint64     // computations planned, numbering them
	held    map[graph.Key]*keptKey
}

// keptKey is a result the fix keeps, and the last computation that used
// it.
type keptKey struct {
	f        *AnyFuture
	lastUsed uint64
}

// sharedPlan is one computation's part in persist-shared.
type sharedPlan struct {
	id uint64
	// nodes are the calls the graph computes (before fusion); each
	// remembers the first computation that ran it (node.ran).
	// holds are the futures placed on the graph's shared outputs, and
	// again the ones whose branch was computed again (its cost known);
	// extra are their keys, wanted with the graph's outputs.
	nodes []*node
	holds []*AnyFuture
	again map[graph.Key]bool
	extra []graph.Key
	// cut are references to the kept results the graph refers to,
	// released once it is sent.
	cut []*AnyFuture
	// seconds is how long the first computation of the branch computed
	// again took; tasks and prefixes describe that branch.
	seconds float64
	once    sync.Once
}

// sharedSettings are the client's persist-shared settings.
type sharedSettings struct {
	active       bool
	min          time.Duration
	releaseAfter uint64
}

func (c *Client) sharedSettings() sharedSettings {
	if c.cfg == nil {
		return sharedSettings{min: time.Second, releaseAfter: 3}
	}
	return sharedSettings{
		active:       c.cfg.Bool("optimization.persist-shared.active"),
		min:          c.cfg.Duration("optimization.persist-shared.min-seconds"),
		releaseAfter: uint64(c.cfg.Int("optimization.persist-shared.release-after")),
	}
}

// planShared takes the kept results out of g (a computation's graph,
// wanting outputs): their tasks and what only they needed are not sent,
// the graph refers to the kept keys. It then finds the graph's shared
// branches: with the fix on it holds their outputs (b.shared.extra, to be
// wanted with the outputs and kept out of fusion); with it off it records
// the finding of a branch computed again.
func (c *Client) planShared(b *builder, g graph.Graph, outputs []graph.Key) graph.Graph {
	set := c.sharedSettings()
	var refs map[graph.Key]int32
	if set.active {
		refs = refCounts(g) // before the kept results' tasks leave g
	}
	s := &c.shared
	s.mu.Lock()
	s.started++
	p := &sharedPlan{id: s.started}
	b.shared = p
	cut := false
	for k, h := range s.held {
		if _, ok := g[k]; !ok {
			continue
		}
		if st := h.f.Status(); st != Pending && st != Finished {
			continue // lost or failed: computed again as sent
		}
		// A reference of the graph's own until it is sent: the
		// scheduler must still know the key when it arrives.
		p.cut = append(p.cut, adoptFuture[any](c, c.future(k)))
		h.lastUsed = p.id
		delete(g, k)
		cut = true
	}
	if cut {
		g = graph.Cull(g, outputs)
	}
	p.nodes = make([]*node, 0, len(g))
	again := map[graph.Key]bool{}
	c.mu.Lock()
	for n := range b.visited {
		if cut {
			if _, ok := g[n.key]; !ok {
				continue // not sent: its result is kept
			}
		}
		p.nodes = append(p.nodes, n)
		// A key the caller holds a future of is in memory, not released.
		if r := n.ran.Load(); r != 0 && c.futures[n.key] == nil {
			again[n.key] = true
			p.seconds = max(p.seconds, math.Float64frombits(r))
		}
	}
	c.mu.Unlock()
	s.mu.Unlock()

	expensive := p.seconds >= set.min.Seconds()
	if len(again) > 0 && expensive && !set.active {
		c.RecordAdvice(Advice{Rule: "recomputed",
			Message: fmt.Sprintf("each recomputation wastes up to %s (what the computation that first ran it took): a branch of %s, which an earlier computation ran and released, is computed again",
				seconds(p.seconds), describeTasks(slices.Collect(maps.Keys(again)))),
			Remedy: "persist it (dusk.Persist, and pass the future to the later calls) or compute the results together with dusk.ComputeAll, or set optimization.persist-shared.active: true"})
	}
	if !set.active {
		return g
	}
	// The branch computed again: its outputs are the keys of it that the
	// rest of the graph, or the caller, wants.
	var want []graph.Key
	if expensive {
		for k, t := range g {
			if again[k] {
				continue
			}
			for _, d := range t.Deps() {
				if again[d] {
					want = append(want, d)
				}
			}
		}
		for _, k := range outputs {
			if again[k] {
				want = append(want, k)
			}
		}
	}
	// The branches shared ahead: lazy values another lazy value, not in
	// this graph, also uses.
	for n := range b.visited {
		if _, ok := g[n.key]; ok && n.users.Load() > refs[n.key] {
			want = append(want, n.key)
		}
	}
	slices.Sort(want)
	want = slices.Compact(want)
	p.again = map[graph.Key]bool{}
	c.mu.Lock()
	for _, k := range want {
		if c.futures[k] != nil {
			continue // the caller holds it already
		}
		p.holds = append(p.holds, adoptFuture[any](c, c.futureLocked(k)))
		p.extra = append(p.extra, k)
		if again[k] {
			p.again[k] = true
		}
	}
	c.mu.Unlock()
	return g
}

// finishShared ends computation p, which took elapsed (ok: its results
// came): its tasks are remembered as run, the results it held are kept or
// released, and kept results no computation used for release-after
// computations are released.
func (c *Client) finishShared(p *sharedPlan, elapsed time.Duration, ok bool) {
	if p == nil {
		return
	}
	p.once.Do(func() { c.finishSharedOnce(p, elapsed, ok) })
}

func (c *Client) finishSharedOnce(p *sharedPlan, elapsed time.Duration, ok bool) {
	set := c.sharedSettings()
	s := &c.shared
	var drop, kept []*AnyFuture
	var reason string
	if ok {
		// The first computation that ran a call says what computing it
		// again costs.
		took := math.Float64bits(max(elapsed.Seconds(), math.SmallestNonzeroFloat64))
		for _, n := range p.nodes {
			n.ran.CompareAndSwap(0, took)
		}
	}
	s.mu.Lock()
	for _, f := range p.holds {
		k := f.st.key
		keep := ok && f.Status() == Finished && (p.again[k] || elapsed >= set.min)
		if _, dup := s.held[k]; !keep || dup {
			drop = append(drop, f)
			continue
		}
		if s.held == nil {
			s.held = map[graph.Key]*keptKey{}
		}
		s.held[k] = &keptKey{f: f, lastUsed: p.id}
		kept = append(kept, f)
		if p.again[k] {
			reason = fmt.Sprintf("it was computed again, and the computation that first ran it took %s", seconds(p.seconds))
		} else if reason == "" {
			reason = fmt.Sprintf("a lazy value not computed yet also uses it, and this computation took %s", seconds(elapsed.Seconds()))
		}
	}
	for k, h := range s.held {
		if h.lastUsed < p.id && p.id-h.lastUsed >= set.releaseAfter {
			drop = append(drop, h.f)
			delete(s.held, k)
		}
	}
	s.mu.Unlock()
	for _, f := range drop {
		f.Release()
	}
	if len(kept) == 0 {
		return
	}
	keys := make([]graph.Key, len(kept))
	var nbytes int64
	c.mu.Lock()
	for i, f := range kept {
		keys[i] = f.st.key
		nbytes += f.st.nbytes
	}
	c.mu.Unlock()
	c.RecordAdvice(Advice{Rule: "persist-shared", Fixed: true,
		Message: fmt.Sprintf("kept the outputs of a shared branch on the cluster (%s, %s): %s; the next computations take them instead of computing them again. They are released after %d computations that do not use them, by Client.ReleaseShared, or when the client closes",
			describeTasks(keys), units.FormatBytes(nbytes), reason, set.releaseAfter),
		Remedy: "persist it yourself (dusk.Persist, and pass the future) or compute the results together with dusk.ComputeAll; optimization.persist-shared.active: false turns this off"})
}

// abandonShared drops the holds of a computation whose graph was not
// sent.
func (c *Client) abandonShared(p *sharedPlan) {
	if p == nil {
		return
	}
	p.once.Do(func() {
		for _, f := range p.holds {
			f.Release()
		}
	})
}

// ReleaseShared releases the results that persist-shared
// (optimization.persist-shared.active) keeps on the cluster, and returns
// how many it released. Computations that need them again compute them
// again.
func (c *Client) ReleaseShared() int {
	s := &c.shared
	s.mu.Lock()
	held := s.held
	s.held = nil
	s.mu.Unlock()
	for _, h := range held {
		h.f.Release()
	}
	return len(held)
}

// describeTasks names a set of tasks by count and prefixes: "3 tasks
// (load, clean)".
func describeTasks(keys []graph.Key) string {
	var prefixes []string
	for _, k := range keys {
		prefixes = append(prefixes, k.Prefix())
	}
	slices.Sort(prefixes)
	prefixes = slices.Compact(prefixes)
	more := ""
	if len(prefixes) > 3 {
		more = fmt.Sprintf(" and %d more", len(prefixes)-3)
		prefixes = prefixes[:3]
	}
	noun := "tasks"
	if len(keys) == 1 {
		noun = "task"
	}
	return fmt.Sprintf("%d %s of %s%s", len(keys), noun, strings.Join(prefixes, ", "), more)
}

// seconds formats a duration in seconds for people.
func seconds(s float64) string {
	if s < 1 {
		return fmt.Sprintf("%.0f ms", s*1e3)
	}
	return fmt.Sprintf("%.1f s", s)
}

// refCounts counts the references to each key in g's task arguments, a
// key passed twice counting twice (as node.users counts a lazy value's
// uses).
func refCounts(g graph.Graph) map[graph.Key]int32 {
	refs := map[graph.Key]int32{}
	var count func(args []graph.Arg)
	count = func(args []graph.Arg) {
		for _, a := range args {
			switch a.Kind {
			case graph.ArgRef:
				refs[a.Ref]++
			case graph.ArgList:
				count(a.List)
			case graph.ArgCall:
				count(a.Call.Args)
			}
		}
	}
	for _, t := range g {
		count(t.Args)
	}
	return refs
}
