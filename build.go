package dusk

import (
	"context"
	"fmt"
	"hash/maphash"
	"log/slog"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/internal/units"
	"github.com/dusk-go/dusk/registry"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// largeArgument is the size above which a literal argument earns a warning:
// the guide's "don't pass large data as arguments; scatter it once".
const largeArgument = 1 << 20

// futureRef is a Future of any type.
type futureRef interface {
	futureKey() graph.Key
	resultType() reflect.Type
	client() *Client
}

// delayedRef is a Delayed of any type.
type delayedRef interface {
	delayedNode() *node
	resultType() reflect.Type
}

// builder turns calls into a graph to send in one message.
type builder struct {
	c       *Client
	tasks   graph.Graph
	order   []graph.Key
	visited map[*node]bool
	annot   *taskOptions            // the submitting context's annotations; nil: none
	checked map[*registry.Func]bool // functions known to run on the workers
	// holds keeps the futures used as arguments alive until the graph is
	// sent: the scheduler must still know their keys when it arrives.
	holds []futureRef
	// literals are the large literal arguments, by a hash of their bytes,
	// for auto-scatter (autoscatter.go); scattered holds the futures of
	// those it scattered.
	literals  map[uint64][]*literal
	encoded   map[literalID][]byte // literals passed by reference, encoded once
	nliterals int
	seed      maphash.Seed
	scattered []*AnyFuture
	// shared is the graph's part in persist-shared (persistshared.go),
	// nil when the graph is not a computation's.
	shared *sharedPlan
	// sizeChecked: the caller checks the graph's size itself (Map sends
	// one graph in several messages); sentBytes is what the tasks of the
	// last message came to encoded.
	sizeChecked bool
	sentBytes   int64
	// whole: the graph goes in one message, never in parts (Map's
	// parts, which the client wants every task of).
	whole bool
	// indexed is the graph buildGraph made, with its index.
	indexed *graph.Indexed
	// lits holds the encodings of small literals; taskBlock and argBlock
	// are what is left of the blocks the tasks' records and arguments
	// are cut from (see newTask).
	lits      []byte
	taskBlock []graph.Task
	nBlock    int // the size of the last block of tasks
	argBlock  []graph.Arg
	// scatterAt is auto-scatter's threshold, read from the configuration
	// once per graph (scatterRead) rather than once per argument.
	scatterAt   int64
	scatterRead bool
}

// newBuilder returns a builder of a graph for client c (nil when the
// graph is only drawn) whose tasks get the annotations of ctx.
func newBuilder(ctx context.Context, c *Client) *builder {
	return &builder{c: c, tasks: graph.Graph{}, visited: map[*node]bool{}, checked: map[*registry.Func]bool{}, annot: annotationsFrom(ctx)}
}

// call adds a task calling fn with args under key.
func (b *builder) call(key graph.Key, fn *Func, args []any, caller callSite) error {
	f := fn.f
	if err := f.CheckCount(len(args)); err != nil {
		return atCaller(err, caller)
	}
	if b.c != nil && !b.checked[f] { // Visualize builds graphs without a client
		if err := b.c.checkRunnable(f); err != nil {
			return atCaller(err, caller)
		}
		b.checked[f] = true
	}
	t, targs := b.newTask(len(args))
	*t = graph.Task{Key: key, Func: f.Name(), Args: targs}
	if b.annot == nil {
		fn.opts.apply(t)
	} else {
		opts := fn.opts.under(b.annot)
		opts.apply(t)
	}
	for i, a := range args {
		want, err := f.ParamFor(i)
		if err != nil {
			return atCaller(err, caller)
		}
		arg, err := b.arg(a, want)
		if err != nil {
			return atCaller(&registry.ArgError{Func: f.Name(), Signature: f.Signature(), Index: i, Message: err.Error()}, caller)
		}
		if arg.Kind == graph.ArgValue {
			b.noteLiteral(key, i, arg.Value, want)
		}
		if arg.Kind == graph.ArgValue && len(arg.Value) > largeArgument && b.autoScatter() <= 0 {
			msg := fmt.Sprintf("a %s value is passed as argument %d of %s at %s; it travels with every task that uses it",
				units.FormatBytes(int64(len(arg.Value))), i+1, f.Name(), caller)
			remedy := "scatter it once (dusk.Scatter) and pass the future, or turn optimization.auto-scatter.active on"
			if b.c != nil {
				b.c.RecordAdvice(Advice{Rule: "large-argument", Message: msg, Remedy: remedy})
			} else {
				slog.Warn(msg + ": " + remedy) // Visualize builds graphs without a client
			}
		}
		t.Args[i] = arg
	}
	b.tasks[key] = t
	b.order = append(b.order, key)
	return nil
}

// arg converts one argument: a Future or Delayed becomes a reference, a
// slice of them a list, anything else an encoded literal.
func (b *builder) arg(a any, want reflect.Type) (graph.Arg, error) {
	switch x := a.(type) {
	case futureRef:
		if b.c != nil && x.client() != b.c {
			return graph.Arg{}, fmt.Errorf("the future %s belongs to another client", x.futureKey())
		}
		if rt := x.resultType(); rt.Kind() != reflect.Interface && !registry.Assignable(rt, want) {
			return graph.Arg{}, fmt.Errorf("have a future of %s, want %s", rt, want)
		}
		b.holds = append(b.holds, x)
		return graph.Ref(x.futureKey()), nil
	case delayedRef:
		n := x.delayedNode()
		if !registry.Assignable(x.resultType(), want) {
			return graph.Arg{}, fmt.Errorf("have a delayed %s, want %s", x.resultType(), want)
		}
		if err := b.node(n); err != nil {
			return graph.Arg{}, err
		}
		return graph.Ref(n.key), nil
	}
	v := reflect.ValueOf(a)
	if v.IsValid() && v.Kind() == reflect.Slice && isRefType(v.Type().Elem()) {
		if want.Kind() != reflect.Slice && want.Kind() != reflect.Interface {
			return graph.Arg{}, fmt.Errorf("have a %s, want %s", v.Type(), want)
		}
		elem := want
		if want.Kind() == reflect.Slice {
			elem = want.Elem()
		}
		items := make([]graph.Arg, v.Len())
		for i := range items {
			it, err := b.arg(v.Index(i).Interface(), elem)
			if err != nil {
				return graph.Arg{}, fmt.Errorf("element %d: %w", i, err)
			}
			items[i] = it
		}
		return graph.List(items...), nil
	}
	cv, err := registry.ConvertValue(v, want)
	if err != nil {
		return graph.Arg{}, err
	}
	if cv.IsValid() && want.Kind() != reflect.Interface && (!v.IsValid() || cv.Type() != v.Type()) {
		a = cv.Interface() // converted (of the same type, it is a already)
	}
	// The same map or slice passed to many tasks is encoded once.
	id, byRef := identity(a)
	if enc, ok := b.encoded[id]; byRef && ok {
		return graph.Value(enc), nil
	}
	if small(a) {
		enc, err := b.literal(a)
		return graph.Value(enc), err
	}
	enc, err := codec.Encode(a)
	if err != nil {
		return graph.Arg{}, err
	}
	if byRef {
		if b.encoded == nil {
			b.encoded = map[literalID][]byte{}
		}
		b.encoded[id] = enc
	}
	return graph.Value(enc), nil
}

// small reports whether a is a number, a bool or a short string: a
// literal the builder encodes into its shared buffer (b.literal).
func small(a any) bool {
	switch x := a.(type) {
	case int, int64, int32, uint64, float64, float32, bool:
		return true
	case string:
		return len(x) <= 64
	}
	return false
}

// literal encodes a small value (see small) into the builder's buffer of
// literals and returns its bytes: one allocation for many literals, not
// one each (an int's encoding allocated alone was a tenth of the client's
// time building a graph of 25,000 calls of one int).
func (b *builder) literal(a any) ([]byte, error) {
	if cap(b.lits)-len(b.lits) < 80 {
		// Blocks double from the first, so that a builder of one task
		// (Submit's) allocates little.
		b.lits = make([]byte, 0, min(4096, max(128, 2*cap(b.lits))))
	}
	start := len(b.lits)
	out, err := codec.AppendEncode(b.lits, a)
	if err != nil {
		return nil, err
	}
	b.lits = out
	return out[start:len(out):len(out)], nil
}

// newTask returns a task record and room for its n arguments, cut from
// the builder's blocks (one allocation for many small tasks).
func (b *builder) newTask(n int) (*graph.Task, []graph.Arg) {
	if len(b.taskBlock) == 0 {
		b.taskBlock = make([]graph.Task, min(256, max(1, 2*b.nBlock)))
		b.nBlock = len(b.taskBlock)
	}
	t := &b.taskBlock[0]
	b.taskBlock = b.taskBlock[1:]
	if n > 64 {
		return t, make([]graph.Arg, n)
	}
	if cap(b.argBlock)-len(b.argBlock) < n {
		b.argBlock = make([]graph.Arg, 0, min(1024, max(n, 2*cap(b.argBlock))))
	}
	l := len(b.argBlock)
	b.argBlock = b.argBlock[:l+n]
	return t, b.argBlock[l : l+n : l+n]
}

var (
	futureRefType  = reflect.TypeFor[futureRef]()
	delayedRefType = reflect.TypeFor[delayedRef]()
)

func isRefType(t reflect.Type) bool {
	return t.Implements(futureRefType) || t.Implements(delayedRefType)
}

func typeString(t reflect.Type) string {
	if t == nil {
		return "nil"
	}
	return t.String()
}

// node adds a delayed call and everything it needs, once.
func (b *builder) node(n *node) error {
	if b.visited[n] {
		return nil
	}
	b.visited[n] = true
	if n.err != nil {
		return n.err
	}
	return b.call(n.key, n.fn, n.args, n.caller)
}

// send sends the graph to the scheduler wanting keys: as one UpdateGraph
// message, or, when it is big, in parts (see sendParts).
func (b *builder) send(g graph.Graph, wanted []graph.Key) error {
	if b.shared != nil && len(b.shared.extra) > 0 {
		// The shared branch's outputs persist-shared holds.
		wanted = append(slices.Clone(wanted), b.shared.extra...)
	}
	// Tasks go in priority order: the scheduler takes a task's index as
	// its place in the graph's order.
	var keys []graph.Key
	if x := b.indexed; x != nil && len(x.Graph()) == len(g) {
		keys = x.OrderKeys(b.order) // the graph buildGraph made, indexed
	} else {
		keys = graph.OrderKeys(g, b.order)
	}
	c := b.c
	c.mu.Lock()
	b.keepScattered(wanted)
	c.mu.Unlock()
	var err error
	if b.whole || len(keys) <= c.firstPart() {
		err = b.sendWhole(g, keys, wanted)
	} else {
		err = b.sendParts(g, keys, wanted)
	}
	for _, f := range b.scattered {
		f.Release() // the wanted futures hold them now
	}
	if b.shared != nil {
		for _, f := range b.shared.cut {
			f.Release() // the graph's tasks that use them hold them now
		}
	}
	return err
}

// sendWhole sends the graph, its tasks in the order keys gives, as one
// UpdateGraph message.
func (b *builder) sendWhole(g graph.Graph, keys, wanted []graph.Key) error {
	tasks, nbytes, err := encodeTasks(g, keys)
	if err != nil {
		return err
	}
	b.sentBytes = nbytes
	if !b.sizeChecked {
		b.checkGraphSize(keys, nbytes)
	}
	c := b.c
	if c.local == nil {
		b.recordLineage(g, keys, tasks)
	}
	u := &pb.UpdateGraph{Wanted: wire.Keys(wanted), Tasks: tasks}
	if err := c.send(&pb.ClientMsg{Msg: &pb.ClientMsg_UpdateGraph{UpdateGraph: u}}); err != nil {
		return err
	}
	c.graphMsgs.Add(1)
	return nil
}

// sendParts sends a big graph in parts, in priority order: 1,024 tasks,
// then twice as many each time up to Map's chunk, each sent while the
// scheduler reads the one before and the workers run what it started. The
// scheduler computes the tasks of every part but the last and keeps them
// until the last is in (UpdateGraph's part_of and more). Sent whole, a
// merge of 25,000 tasks left the workers idle for a third of its time,
// while the client encoded the graph and the scheduler read it. A client
// of a local cluster encodes each part as it goes; one of a remote
// scheduler encodes them all first, to keep the graph (its lineage) for a
// scheduler that restarts before any part leaves.
func (b *builder) sendParts(g graph.Graph, keys, wanted []graph.Key) error {
	c := b.c
	id := c.graphParts.Add(1)
	var all [][]byte // the encoded tasks, when encoded first
	nbytes := int64(0)
	if c.local == nil {
		var err error
		if all, nbytes, err = encodeTasks(g, keys); err != nil {
			return err
		}
		b.recordLineage(g, keys, all)
	}
	size, chunk := c.firstPart(), c.chunk()
	for start := 0; start < len(keys); start, size = start+size, min(2*size, chunk) {
		end := min(start+size, len(keys))
		var tasks [][]byte
		if all != nil {
			tasks = all[start:end]
		} else {
			var n int64
			var err error
			if tasks, n, err = encodeTasks(g, keys[start:end]); err != nil {
				if start > 0 {
					// The parts sent are held until the graph's last
					// part: an empty one lets them go (if it cannot be
					// sent, the client is gone, and its parts with it).
					_ = b.sendPart(id, nil, nil, false)
				}
				return err
			}
			nbytes += n
		}
		last := end == len(keys)
		var want []graph.Key
		if last {
			want = wanted
		}
		if err := b.sendPart(id, tasks, want, !last); err != nil {
			return err
		}
	}
	b.sentBytes = nbytes
	if !b.sizeChecked {
		b.checkGraphSize(keys, nbytes)
	}
	return nil
}

// recordLineage keeps the graph's encoded tasks (in the order keys
// gives) to give a scheduler that restarts; a local cluster's scheduler
// lives and dies with this process, and its client keeps none.
func (b *builder) recordLineage(g graph.Graph, keys []graph.Key, tasks [][]byte) {
	c := b.c
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lineage.record(g, keys, tasks, func(k graph.Key) bool {
		fs := c.futures[k]
		return fs != nil && fs.refs > 0
	})
}

// sendPart sends one part of graph id.
func (b *builder) sendPart(id uint64, tasks [][]byte, wanted []graph.Key, more bool) error {
	u := &pb.UpdateGraph{Wanted: wire.Keys(wanted), Tasks: tasks, PartOf: id, More: more}
	if err := b.c.send(&pb.ClientMsg{Msg: &pb.ClientMsg_UpdateGraph{UpdateGraph: u}}); err != nil {
		return err
	}
	b.c.graphMsgs.Add(1)
	return nil
}

// encodeTasks encodes the tasks of g that keys name, in that order, and
// returns them with their size in bytes. Every task goes into one buffer,
// which the entries then cut up (one allocation for the tasks, not one a
// task).
func encodeTasks(g graph.Graph, keys []graph.Key) ([][]byte, int64, error) {
	var buf []byte
	ends := make([]int, len(keys))
	for i, k := range keys {
		var err error
		if buf, err = wire.AppendTask(buf, g[k]); err != nil {
			return nil, 0, err
		}
		ends[i] = len(buf)
	}
	tasks := make([][]byte, len(keys))
	start := 0
	for i, end := range ends {
		tasks[i] = buf[start:end:end]
		start = end
	}
	return tasks, int64(len(buf)), nil
}

// ArgError is a call whose arguments do not fit its function, reported
// where the call was written.
type ArgError struct {
	Err    error
	Caller string // file:line of the call
}

func (e *ArgError) Error() string {
	if e.Caller == "" {
		return "dusk: " + e.Err.Error()
	}
	return "dusk: " + e.Caller + ": " + e.Err.Error()
}

func (e *ArgError) Unwrap() error { return e.Err }

func atCaller(err error, caller callSite) error {
	if _, ok := err.(*ArgError); ok {
		return err
	}
	return &ArgError{Err: err, Caller: caller.String()}
}

// callSite is where the user's code called into dusk: the program
// counters of a few frames, resolved to file:line only when an error needs
// it (resolving costs far more than capturing).
type callSite struct {
	pcs [8]uintptr
	n   int
}

// callerLine captures the call site of the function that calls it. The
// common case, a call straight from the user's code, takes one frame
// (unwinding the stack costs per frame: a quarter of the time of eight,
// which was a tenth of the client's CPU when building 25,000 Calls); a call
// from inside dusk (a collection's, or a test of the package) takes the
// eight frames userFrame looks through.
func callerLine() callSite {
	var cs callSite
	cs.n = runtime.Callers(3, cs.pcs[:1])
	if cs.n == 1 {
		if f := runtime.FuncForPC(cs.pcs[0] - 1); f != nil && !inDusk(f.Name()) {
			return cs
		}
	}
	cs.n = runtime.Callers(3, cs.pcs[:])
	return cs
}

// inDusk reports whether the function named fn is in one of dusk's
// packages.
func inDusk(fn string) bool {
	return strings.HasPrefix(fn, "github.com/dusk-go/dusk.") || strings.HasPrefix(fn, "github.com/dusk-go/dusk/")
}

// String returns the file:line of the first frame outside dusk.
func (cs callSite) String() string { return userFrame(cs.pcs[:cs.n]) }

// userFrame returns the file:line of the first of the frames pcs outside
// dusk's packages (a test file of dusk counts as the user's: collections
// call the root package, so the first frame outside the root is not
// enough), or "" when they are all dusk's.
func userFrame(pcs []uintptr) string {
	if len(pcs) == 0 {
		return ""
	}
	frames := runtime.CallersFrames(pcs)
	for {
		f, more := frames.Next()
		if f.Function != "" && (!inDusk(f.Function) || strings.HasSuffix(f.File, "_test.go")) {
			return fmt.Sprintf("%s:%d", shortFile(f.File), f.Line)
		}
		if !more {
			return ""
		}
	}
}

func shortFile(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		if j := strings.LastIndexByte(p[:i], '/'); j >= 0 {
			return p[j+1:]
		}
	}
	return p
}

// decodeAs decodes an encoded value as type t.
func decodeAs(data []byte, t reflect.Type) (reflect.Value, error) {
	return codec.Decode(data, t)
}
