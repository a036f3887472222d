package state

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk/diagnostics/event"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/internal/datadriven"
	"github.com/dusk-go/dusk/task"
)

// The golden scripts in testdata drive a State with events and print what
// each did: the event's stimulus ("#3 task-finished from w1"), the moves it
// made, then the actions it produced. Commands (bare words are positional):
//
//	config [speculate] [stealing] [saturation=inf|N] [allowed-failures=N] [ttl=D]
//	        starts again with these settings (the default: neither
//	        speculation nor stealing, saturation 1.1)
//	add-worker W [threads=N] [resources=(GPU=1, ...)] [memory=BYTES]
//	remove-worker W [reason=(words)]
//	retire-worker W
//	heartbeat W [paused] [process=BYTES] [managed=BYTES] [unmanaged=BYTES]
//	add-client C / remove-client C
//	submit C [want=(K, ...)]      input: one task a line, "K: func(arg, ...) [retries=N]
//	                              [priority=N] [resources=NAME:N] [workers=W]"; an argument
//	                              that is a number is a literal, anything else a key
//	release C K... / cancel C K...
//	scatter C K workers=(W, ...) [nbytes=N]
//	started W K
//	finished W K [nbytes=N]
//	failed W K [kind=error|panic|unknown-function] [msg=(words)]
//	rejected W K
//	missing W TASK KEY tried=(W, ...)
//	added W K... [nbytes=N]         the worker fetched copies
//	steal-reply W K [stolen]
//	tick [after=D]                  D: time passed before it (Go duration)
//	restart
//	state [K...]                    every task when no key is given
//	story K
//
// Every event command moves the clock 1ms on. Run with -rewrite to write
// the actual output into the scripts.

// golden runs one script against a State.
type golden struct {
	s   *State
	now time.Time
	// seen, when set, marks the moves the script made.
	seen *[numStates][numStates]bool
}

func newGolden(cfg Config, seen *[numStates][numStates]bool) *golden {
	return &golden{s: New(cfg), now: time.Unix(1000, 0).UTC(), seen: seen}
}

func goldenConfig() Config {
	cfg := DefaultConfig()
	cfg.Validate = true
	cfg.WorkStealing = false
	cfg.Speculate = false
	return cfg
}

// runGolden runs every script of testdata, marking in seen (if not nil)
// the moves they made.
func runGolden(t *testing.T, seen *[numStates][numStates]bool) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		g := newGolden(goldenConfig(), seen)
		datadriven.RunFile(t, path, g.run)
	})
}

func TestGolden(t *testing.T) { runGolden(t, nil) }

// TestGoldenCoversTheTable fails for every row of the transition table
// that no golden script exercises.
func TestGoldenCoversTheTable(t *testing.T) {
	var seen [numStates][numStates]bool
	runGolden(t, &seen)
	for from := range numStates {
		for to := range numStates {
			if transitions[from][to] != nil && !seen[from][to] {
				t.Errorf("no script in testdata moves a task %s -> %s", from, to)
			}
		}
	}
}

func (g *golden) run(t *testing.T, c *datadriven.Cmd) string {
	switch c.Name {
	case "config":
		g.configure(t, c)
		return ""
	case "state":
		return g.states(positional(c))
	case "story":
		return g.s.Story(graph.Key(g.arg(t, c, 0))).String()
	}
	step := time.Millisecond
	if d := c.Str(t, "after", ""); d != "" {
		var err error
		if step, err = time.ParseDuration(d); err != nil {
			c.Fatalf(t, "after=%s: %v", d, err)
		}
	}
	g.now = g.now.Add(step)
	return g.handle(t, c, g.event(t, c, At{Now: g.now}))
}

func (g *golden) configure(t *testing.T, c *datadriven.Cmd) {
	cfg := goldenConfig()
	cfg.Speculate = c.Has("speculate")
	cfg.WorkStealing = c.Has("stealing")
	if v := c.Str(t, "saturation", ""); v == "inf" {
		cfg.WorkerSaturation = math.Inf(1)
	} else if v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			c.Fatalf(t, "saturation=%s: %v", v, err)
		}
		cfg.WorkerSaturation = f
	}
	cfg.AllowedFailures = int(c.Int(t, "allowed-failures", int64(cfg.AllowedFailures)))
	if v := c.Str(t, "ttl", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			c.Fatalf(t, "ttl=%s: %v", v, err)
		}
		cfg.WorkerTTL = d
	}
	if v := c.Str(t, "orphan-ttl", ""); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			c.Fatalf(t, "orphan-ttl=%s: %v", v, err)
		}
		cfg.OrphanTTL = d
	}
	*g = *newGolden(cfg, g.seen)
}

// event builds the event command c stands for, happening at at.
func (g *golden) event(t *testing.T, c *datadriven.Cmd, at At) Event {
	arg := func(i int) string { return g.arg(t, c, i) }
	key := func(i int) graph.Key { return graph.Key(arg(i)) }
	nbytes := c.Int(t, "nbytes", 8)
	switch c.Name {
	case "add-worker":
		res := map[string]float64{}
		for _, kv := range c.List("resources") {
			name, v, _ := strings.Cut(kv, "=")
			res[name] = parseFloat(t, c, v)
		}
		var held []HeldKey
		for _, k := range c.List("held") {
			held = append(held, HeldKey{Key: graph.Key(k), NBytes: nbytes, Type: "int"})
		}
		return &WorkerAdded{At: at, ID: arg(0), Address: "addr-" + arg(0), NThreads: int(c.Int(t, "threads", 1)),
			Resources: res, MemoryLimit: c.Int(t, "memory", 0), Held: held}
	case "remove-worker":
		return &WorkerRemoved{At: at, ID: arg(0), Reason: strings.Join(c.List("reason"), ", ")}
	case "retire-worker":
		return &WorkerRetiring{At: at, ID: arg(0)}
	case "heartbeat":
		return &Heartbeat{At: at, Worker: arg(0), Paused: c.Has("paused"), Process: c.Int(t, "process", 0),
			Managed: c.Int(t, "managed", 0), Unmanaged: c.Int(t, "unmanaged", 0)}
	case "add-client":
		return &ClientAdded{At: at, ID: arg(0)}
	case "remove-client":
		return &ClientRemoved{At: at, ID: arg(0)}
	case "submit":
		var wanted []graph.Key
		for _, k := range c.List("want") {
			wanted = append(wanted, graph.Key(k))
		}
		return &GraphSubmitted{At: at, Client: arg(0), Tasks: parseTasks(t, c), Wanted: wanted}
	case "release", "cancel":
		var keys []graph.Key
		for _, k := range positional(c)[1:] {
			keys = append(keys, graph.Key(k))
		}
		if c.Name == "cancel" {
			return &KeysCancelled{At: at, Client: arg(0), Keys: keys}
		}
		return &KeysReleased{At: at, Client: arg(0), Keys: keys}
	case "scatter":
		return &KeysScattered{At: at, Client: arg(0), Keys: []ScatteredKey{{Key: key(1), NBytes: nbytes, Type: "[]byte", Workers: c.List("workers")}}}
	case "started":
		return &TaskStarted{At: at, Worker: arg(0), Key: key(1)}
	case "finished":
		return &TaskFinished{At: at, Worker: arg(0), Key: key(1), NBytes: nbytes, Type: "int",
			Start: g.now.Add(-time.Millisecond), Stop: g.now}
	case "failed":
		kind := task.ErrorKind(c.Str(t, "kind", "error"))
		if !slices.Contains(task.ErrorKinds, kind) {
			c.Fatalf(t, "unknown error kind %s", kind)
		}
		msg := strings.Join(c.List("msg"), ", ")
		return &TaskFailed{At: at, Worker: arg(0), Key: key(1), Err: &task.TaskError{Kind: kind, Message: msg}}
	case "rejected":
		return &TaskRejected{At: at, Worker: arg(0), Key: key(1)}
	case "missing":
		return &DataMissing{At: at, Worker: arg(0), Task: key(1), Key: key(2), Tried: c.List("tried")}
	case "added":
		var keys []graph.KeySize
		for _, k := range positional(c)[1:] {
			keys = append(keys, graph.KeySize{Key: graph.Key(k), NBytes: nbytes})
		}
		return &KeysAdded{At: at, Worker: arg(0), Keys: keys}
	case "steal-reply":
		return &StealReplied{At: at, Worker: arg(0), Key: key(1), Stolen: c.Has("stolen")}
	case "tick":
		return &Tick{At: at}
	case "restart":
		return &Restarted{At: at}
	}
	c.Fatalf(t, "unknown command")
	return nil
}

// handle applies ev and prints its stimulus, the moves it made and the
// actions it produced. Every action and diagnostic event must carry the
// event's stimulus.
func (g *golden) handle(t *testing.T, c *datadriven.Cmd, ev Event) string {
	cause := g.s.Handle(ev)
	kind, source := ev.stimulus()
	stim := Stimulus{Cause: cause, Kind: kind, Source: source}
	r := g.s.Ready()
	var b strings.Builder
	b.WriteString(stim.String() + "\n")
	for _, e := range r.Events {
		if e.Cause != uint64(cause) || e.Stimulus != kind.String() || !e.Time.Equal(g.now) {
			c.Fatalf(t, "event %+v does not carry its stimulus %s at %s", e, stim, g.now)
		}
		if e.Kind != event.Transition {
			continue
		}
		if g.seen != nil {
			g.seen[parseState(t, e.From)][parseState(t, e.To)] = true
		}
		fmt.Fprintf(&b, "%s: %s -> %s", e.Key, e.From, e.To)
		if e.Worker != "" {
			b.WriteString(" on " + e.Worker)
		}
		b.WriteByte('\n')
	}
	for _, a := range r.Actions {
		if got := a.caused().Cause; got != cause {
			c.Fatalf(t, "action %s has cause %d, want %d", describeAction(a), got, cause)
		}
		b.WriteString(describeAction(a) + "\n")
	}
	g.s.Advance()
	return b.String()
}

// states prints the state of the given tasks, or of every task.
func (g *golden) states(keys []string) string {
	if len(keys) == 0 {
		g.s.EachTask(func(t *Task) bool {
			keys = append(keys, string(t.Key))
			return true
		})
		slices.Sort(keys)
		if len(keys) == 0 {
			return "no tasks"
		}
	}
	var b strings.Builder
	for _, k := range keys {
		t := g.s.Task(graph.Key(k))
		if t == nil {
			fmt.Fprintf(&b, "%s: forgotten\n", k)
			continue
		}
		fmt.Fprintf(&b, "%s: %s", k, t.State)
		switch t.State {
		case Processing:
			b.WriteString(" on " + t.ProcessingOn())
			if t.speculative {
				b.WriteString(" (speculative)")
			}
		case Memory:
			b.WriteString(" on " + strings.Join(t.WhoHas(), "+"))
		case Erred:
			fmt.Fprintf(&b, " (%s)", t.err.Kind)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func (g *golden) arg(t *testing.T, c *datadriven.Cmd, i int) string {
	t.Helper()
	p := positional(c)
	if i >= len(p) {
		c.Fatalf(t, "wants at least %d bare arguments", i+1)
	}
	return p[i]
}

// positional returns the command's bare arguments in order (flags such as
// "paused" among them, after the ones a command reads by position).
func positional(c *datadriven.Cmd) []string {
	var out []string
	for _, a := range c.Args {
		if a.Vals == nil {
			out = append(out, a.Key)
		}
	}
	return out
}

func parseFloat(t *testing.T, c *datadriven.Cmd, s string) float64 {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		c.Fatalf(t, "%q is not a number", s)
	}
	return f
}

func parseState(t *testing.T, name string) TaskState {
	for s := range numStates {
		if s.String() == name {
			return s
		}
	}
	t.Fatalf("no state %q", name)
	return 0
}

// parseTasks reads a submit command's tasks: "b: inc(a, 1) retries=1".
func parseTasks(t *testing.T, c *datadriven.Cmd) []*graph.Task {
	var out []*graph.Task
	for _, line := range strings.Split(c.Input, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		key, rest, ok := strings.Cut(line, ":")
		open, close := strings.IndexByte(rest, '('), strings.IndexByte(rest, ')')
		if !ok || open < 0 || close < open {
			c.Fatalf(t, "task %q: want \"key: func(args) attrs\"", line)
		}
		tk := &graph.Task{Key: graph.Key(strings.TrimSpace(key)), Func: strings.TrimSpace(rest[:open])}
		for _, a := range strings.Split(rest[open+1:close], ",") {
			if a = strings.TrimSpace(a); a == "" {
				continue
			}
			if _, err := strconv.Atoi(a); err == nil {
				tk.Args = append(tk.Args, graph.Value([]byte(a)))
			} else {
				tk.Args = append(tk.Args, graph.Ref(graph.Key(a)))
			}
		}
		for _, attr := range strings.Fields(rest[close+1:]) {
			name, v, _ := strings.Cut(attr, "=")
			switch name {
			case "retries":
				tk.Retries = int(parseFloat(t, c, v))
			case "priority":
				tk.Priority = int(parseFloat(t, c, v))
			case "resources":
				res, amount, _ := strings.Cut(v, ":")
				tk.Resources = map[string]float64{res: parseFloat(t, c, amount)}
			case "workers":
				tk.Workers = strings.Split(v, "+")
			default:
				c.Fatalf(t, "task %q: unknown attribute %s", line, name)
			}
		}
		out = append(out, tk)
	}
	return out
}

// describeAction writes an action on one line.
func describeAction(a Action) string {
	locs := func(deps []DepLocation) string {
		parts := make([]string, len(deps))
		for i, d := range deps {
			parts[i] = string(d.Key) + "@" + strings.Join(d.Workers, "+")
		}
		return strings.Join(parts, ", ")
	}
	switch a := a.(type) {
	case *Compute:
		if len(a.Deps) == 0 {
			return fmt.Sprintf("compute %s on %s", a.Task.Key, a.Worker)
		}
		return fmt.Sprintf("compute %s on %s inputs=(%s)", a.Task.Key, a.Worker, locs(a.Deps))
	case *Free:
		keys := make([]string, len(a.Keys))
		for i, k := range a.Keys {
			keys[i] = string(k)
		}
		return fmt.Sprintf("free %s on %s", strings.Join(keys, ", "), a.Worker)
	case *Steal:
		return fmt.Sprintf("steal %s from %s", a.Key, a.Worker)
	case *Acquire:
		return fmt.Sprintf("acquire on %s: %s", a.Worker, locs(a.Deps))
	case *CloseWorker:
		return fmt.Sprintf("close %s: %s", a.Worker, a.Reason)
	case *DropWorker:
		return fmt.Sprintf("drop %s: %s", a.Worker, a.Reason)
	case *KeyInMemory:
		return fmt.Sprintf("tell %s: %s in memory on %s (%d bytes)", a.Client, a.Key, strings.Join(a.Workers, "+"), a.NBytes)
	case *KeyErred:
		return fmt.Sprintf("tell %s: %s erred: %v", a.Client, a.Key, a.Err)
	case *KeyCancelled:
		return fmt.Sprintf("tell %s: %s cancelled: %s", a.Client, a.Key, a.Reason)
	case *KeyStalled:
		return fmt.Sprintf("tell %s: %s stalled: %s", a.Client, a.Key, a.Reason)
	}
	return fmt.Sprintf("%T", a)
}
