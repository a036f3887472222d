package dataframe

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// ComputeAll runs several DataFrames of one client in one graph and
// returns their tables, in order. Steps the DataFrames have in common run
// once: the same step (one DataFrame built on another), and also equal
// steps built apart (the same reader, queries, join or aggregation over
// equal inputs), which are found by their content and share their tasks
// and shuffles. ExplainAll shows what is shared.
func ComputeAll(ctx context.Context, frames ...*DataFrame) ([]arrow.Table, error) {
	c, plans, err := planAll(frames)
	if err != nil || len(frames) == 0 {
		return nil, err
	}
	var futs []*dusk.AnyFuture
	var forget func()
	for attempt := 1; ; attempt++ {
		lw := newLowering(ctx, c)
		lw.same = newSharing()
		futs, err = lw.persistAll(plans)
		if err == nil {
			err = dusk.Wait(ctx, futs...)
		}
		if err == nil {
			forget = func() { forgetShuffles(ctx, c, lw.shuffles) }
			break
		}
		release(futs)
		forgetShuffles(ctx, c, lw.shuffles)
		if !isShuffleLost(err) || attempt >= maxShuffleAttempts || ctx.Err() != nil {
			return nil, err
		}
		slog.Default().Warn("dataframe: a worker was lost during a shuffle; starting the computation again",
			"attempt", attempt+1, "cause", firstLine(err.Error()))
		shuffleRestarts.Add(1)
		if addr, ok := shuffle.LostWorker(err); ok {
			awaitGone(ctx, c, addr)
		}
	}
	defer forget()
	defer release(futs)
	recs, err := gatherRecords(ctx, futs)
	if err != nil {
		return nil, err
	}
	out := make([]arrow.Table, len(frames))
	at := 0
	for i, df := range frames {
		n := plans[i].meta().nparts
		out[i] = tableOf(df.Schema(), recs[at:at+n])
		at += n
	}
	return out, nil
}

// ExplainAll returns the optimized plans of several DataFrames as
// ComputeAll runs them: one after the other, each step that an earlier
// one already showed (the same or an equal step) as "(step N, shared)".
func ExplainAll(frames ...*DataFrame) string {
	_, plans, err := planAll(frames)
	if err != nil {
		return "error: " + err.Error()
	}
	s := newSharing()
	var b strings.Builder
	seen := map[node]int{}
	var walk func(n node, depth int)
	walk = func(n node, depth int) {
		n = s.canonical(n)
		indent := strings.Repeat("  ", depth)
		if id, ok := seen[n]; ok {
			fmt.Fprintf(&b, "%s(step %d, shared)\n", indent, id)
			return
		}
		seen[n] = len(seen) + 1
		fmt.Fprintf(&b, "%s%s\n", indent, n.label())
		for _, c := range n.children() {
			walk(c, depth+1)
		}
	}
	for i, p := range plans {
		fmt.Fprintf(&b, "DataFrame %d:\n", i+1)
		walk(p, 1)
	}
	return b.String()
}

// planAll checks the frames (no mistake, one client) and optimizes their
// plans.
func planAll(frames []*DataFrame) (*dusk.Client, []node, error) {
	var c *dusk.Client
	plans := make([]node, len(frames))
	for i, df := range frames {
		if df == nil {
			return nil, nil, opError("ComputeAll", fmt.Errorf("DataFrame %d is nil", i+1))
		}
		if df.err != nil {
			return nil, nil, df.err
		}
		if i == 0 {
			c = df.c
		} else if df.c != c {
			return nil, nil, opError("ComputeAll", errors.New("the DataFrames belong to different clients; compute each with its own"))
		}
		var notes []*coalesceNote
		plans[i], notes = optimize(df.n, coalescingOf(df.c))
		recordCoalesced(df.c, notes)
	}
	return c, plans, nil
}

// persistAll lowers several plans into one graph and starts it.
func (lw *lowering) persistAll(plans []node) ([]*dusk.AnyFuture, error) {
	var all []part
	for _, p := range plans {
		parts, err := lw.parts(p)
		if err != nil {
			return nil, err
		}
		all = append(all, parts...)
	}
	return persistParts(lw.ctx, lw.c, all)
}

// sharing finds equal steps: two steps are equal when they do the same
// work on equal inputs (see fingerprint); the first one met stands for
// both, so that the lowering makes their tasks once.
type sharing struct {
	fps   map[node]string // fingerprints found
	first map[string]node // fingerprint -> the first step that had it
}

func newSharing() *sharing {
	return &sharing{fps: map[node]string{}, first: map[string]node{}}
}

// canonical returns the first step met that equals n.
func (s *sharing) canonical(n node) node {
	fp := s.fingerprint(n)
	if f, ok := s.first[fp]; ok {
		return f
	}
	s.first[fp] = n
	return n
}

// fingerprint is a hash of what a step computes: its kind, what it does
// and its inputs' fingerprints. Steps of kinds not listed are equal only to
// themselves.
func (s *sharing) fingerprint(n node) string {
	if fp, ok := s.fps[n]; ok {
		return fp
	}
	var what string
	switch x := n.(type) {
	case *sqlNode:
		what = fmt.Sprintf("sql %q %v", x.query, x.m.cats)
	case *parquetNode:
		what = fmt.Sprintf("parquet %q %v %d %v %v", x.path, x.groups, x.target, x.cols, x.m.cats)
	case interface{ fingerprint() string }:
		what = x.fingerprint() // a text reader
	case *projectNode:
		what = fmt.Sprintf("project %q", x.cols)
	case *pickNode:
		what = fmt.Sprintf("pick %d %d", x.lo, x.hi)
	case *pruneNode:
		what = fmt.Sprintf("prune %d %d", x.first, x.last)
	case *relabel:
		what = "relabel"
	case *joinNode:
		what = fmt.Sprintf("join %q %s %s %d %t %v", x.query, x.strategy, x.small, x.m.nparts, x.goJoin != nil, x.m.cats)
	case *reduceNode:
		what = fmt.Sprintf("reduce %q %q %q %q %d %d %t %v", x.r.chunk, x.r.combine, x.r.final, x.r.keys, x.r.splitOut, x.r.splitEvery, x.r.goAgg != nil, x.m.cats)
	case *rangeNode:
		what = fmt.Sprintf("range %q %v %t %v", x.cols, x.bounds, x.desc, x.m.cats)
	case *placeNode:
		what = fmt.Sprintf("place %s %q %v %d", x.kind, x.cols, x.bounds, x.m.nparts)
	default:
		what = fmt.Sprintf("%T %p", n, n)
	}
	h := sha256.New()
	h.Write([]byte(what))
	for _, c := range n.children() {
		h.Write([]byte{0})
		h.Write([]byte(s.fingerprint(c)))
	}
	fp := hex.EncodeToString(h.Sum(nil))
	s.fps[n] = fp
	return fp
}
