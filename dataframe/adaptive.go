package dataframe

import (
	"fmt"
	"strings"

	"github.com/dusk-go/dusk"
)

// Adaptive execution: decisions taken while a computation runs, once the
// map side of a shuffle has run and the size of every output partition is
// known (shuffle.Sent counts the rows and bytes each output received),
// rather than from the plan's estimates.
//
// The design: Compute lowers the plan to one graph, as always; when the
// lowering reaches a shuffled Merge it may adapt (see adaptiveFor), it
// first runs the map side of the shuffles (the Transfers and the Barrier,
// a graph of its own, as SetIndex runs its pass at once), reads the sizes,
// decides, and only then adds the rest of the join to the graph: the
// Unpacks, grouped or cut as decided, and the joins over them. The
// graph's other steps are unchanged. A worker lost during the map side
// fails it with the shuffle's lost marker, and the computation starts
// again from the plan as for any shuffle.
//
// The decisions change how many partitions the join produces, so they are
// taken only where nothing depends on that number: the Merge is the
// result of Compute, or under it through steps that work partition by
// partition (Filter, Select, Assign, MapPartitions, column picks) or a
// shuffled Merge (which reads any number of inputs), and no other step
// reads it. Persist, Len and the writers adapt too (they take any number
// of partitions): the persisted DataFrame has the partitions the run made
// (and no hash placement when a decision changed them). Head and the
// methods that run a pass at once run the plan as planned.
//
// The shuffles of GroupBy(...).SplitOut(n) and of SetIndex/SortValues
// adapt the same way (adaptive_shuffle.go), under the same rule, and
// either may be read by a shuffled Merge or a range shuffle (which read
// any number of inputs). Below a range shuffle its input may adapt too;
// below a SplitOut group-by nothing does (its partial step plans one
// partial a partition of its input). A persisted range shuffle keeps the
// divisions it ran with.

// Defaults of the adaptive settings, used without a configuration.
const (
	// DefaultSkewFactor is how many times larger than the median a
	// skewed shuffle output is (optimization.adaptive.skew-factor).
	DefaultSkewFactor = 5.0
	// DefaultSkewBytes is the size under which no shuffle output is
	// skewed (optimization.adaptive.skew-bytes): 256 MiB.
	DefaultSkewBytes = 256 << 20
)

// maxSkewPieces bounds the pieces one skewed output is cut into.
const maxSkewPieces = 64

// adaptiveConf is how a computation adapts.
type adaptiveConf struct {
	// coalesceTarget is the size tiny neighbouring outputs are joined up
	// to; 0 when coalescing is off.
	coalesceTarget int64
	// pieceBytes is the size a skewed output is cut to.
	pieceBytes int64
	skewFactor float64
	skewBytes  int64
}

// adaptiveOf reads the client's configuration
// (optimization.adaptive.*, optimization.coalesce.*); ok is false when
// adaptive execution is off.
func adaptiveOf(c *dusk.Client) (conf adaptiveConf, ok bool) {
	conf = adaptiveConf{coalesceTarget: DefaultCoalesceTarget, pieceBytes: DefaultCoalesceTarget, skewFactor: DefaultSkewFactor, skewBytes: DefaultSkewBytes}
	if c == nil || c.Config() == nil {
		return conf, true
	}
	cfg := c.Config()
	if !cfg.Bool("optimization.adaptive.active") {
		return conf, false
	}
	conf.pieceBytes = cfg.Bytes("optimization.coalesce.target")
	conf.coalesceTarget = conf.pieceBytes
	if !cfg.Bool("optimization.coalesce.active") {
		conf.coalesceTarget = 0
	}
	conf.skewFactor = cfg.Float("optimization.adaptive.skew-factor")
	conf.skewBytes = cfg.Bytes("optimization.adaptive.skew-bytes")
	return conf, true
}

// adaptiveRun is what one lowering of a plan may adapt: the settings, and
// the steps whose number of partitions may differ from the plan's.
type adaptiveRun struct {
	c    *dusk.Client
	conf adaptiveConf
	flex map[node]bool
	// changed is set once a decision made partitions other than the
	// plan's (their number, or the hash placement).
	changed bool
	// ranges holds, for each range shuffle of the run, its divisions as
	// planned and as it ran (adaptive_shuffle.go).
	ranges []rangeRan
}

// adapted reports whether a decision changed the plan's partitions.
func (a *adaptiveRun) adapted() bool { return a != nil && a.changed }

// adaptiveFor returns how the lowering of the optimized plan root for a
// Compute, a Persist, a Len or a writer adapts, or nil when it cannot
// (adaptive execution is off, or no shuffled Merge, SplitOut group-by or
// range shuffle is in a place whose partition count is free).
func adaptiveFor(c *dusk.Client, root node) *adaptiveRun {
	conf, ok := adaptiveOf(c)
	if !ok {
		return nil
	}
	parents := map[node]int{}
	seen := map[node]bool{}
	var count func(n node)
	count = func(n node) {
		if seen[n] {
			return
		}
		seen[n] = true
		for _, ch := range n.children() {
			parents[ch]++
			count(ch)
		}
	}
	count(root)
	flex := map[node]bool{}
	shuffles := 0
	var visit func(n node)
	visit = func(n node) {
		if parents[n] > 1 || flex[n] {
			return
		}
		switch x := n.(type) {
		case *sqlNode:
			flex[n] = true
			visit(x.child)
		case *projectNode:
			flex[n] = true
			visit(x.child)
		case *mapNode:
			flex[n] = true
			visit(x.child)
		case *joinNode:
			if x.strategy != StrategyShuffle {
				return
			}
			flex[n] = true
			shuffles++
			// A shuffle reads any number of input partitions.
			visit(x.left)
			visit(x.right)
		case *rangeNode:
			flex[n] = true
			shuffles++
			visit(x.child)
		case *reduceNode:
			// Its partial step plans one partial a partition of its
			// input: the input keeps its planned partitions.
			if x.r.splitOut > 1 {
				flex[n] = true
				shuffles++
			}
		}
	}
	visit(root)
	if shuffles == 0 {
		return nil
	}
	return &adaptiveRun{c: c, conf: conf, flex: flex}
}

// flexible reports whether n may produce another number of partitions
// than its plan says.
func (a *adaptiveRun) flexible(n node) bool { return a != nil && a.flex[n] }

// joinAdaptive is what a Merge keeps for adaptive execution: what its
// options allow, and the decisions of its last run, for Explain.
type joinAdaptive struct {
	threshold int64 // the broadcast threshold
	forced    bool  // a Strategy option chose the strategy: no switch

	ranDecisions // what the last run decided
}

func newJoinAdaptive(o mergeOptions) *joinAdaptive {
	return &joinAdaptive{threshold: o.threshold, forced: o.force != ""}
}

// decided keeps the decisions of a run, replacing the last run's.
func (a *joinAdaptive) decided(lines []adaptiveLine) {
	if a != nil {
		a.ranDecisions.decided(lines)
	}
}

// ranLines returns the decisions of the join's last run, for Explain.
func (j *joinNode) ranLines() []string {
	if j.adapt == nil {
		return nil
	}
	return j.adapt.shown()
}

// The advice rules adaptive decisions are recorded under.
const (
	ruleAdaptiveBroadcast = "adaptive-broadcast"
	ruleAdaptiveCoalesce  = "adaptive-coalesce"
	ruleAdaptiveSkew      = "adaptive-skew"
)

// record tells the client's log, the scheduler's events and so the
// dashboard and the performance report what a run decided: each rule and
// message is logged once per client (dusk.Client.RecordAdvice).
func (a *adaptiveRun) record(rule, msg string) {
	if a.c == nil {
		return
	}
	a.c.RecordAdvice(dusk.Advice{
		Rule:    rule,
		Fixed:   true,
		Message: msg,
		Remedy:  "set optimization.adaptive.active: false to run the plan as Explain showed it before the run",
	})
}

// adaptiveNote formats a decision's subject: the Merge it is about.
func adaptiveNote(j *joinNode) string {
	return fmt.Sprintf("Merge how=%s on=[%s]", j.how, strings.Join(j.on, ", "))
}
