package state

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/internal/datadriven"
)

// TestGolden runs the scripts in testdata: events in, the transitions and
// instructions each produces out (see golden.run for the commands). When
// every script ran, it checks that together they covered every row of the
// transition table.
func TestGolden(t *testing.T) {
	covered := map[[2]TaskState]bool{}
	ran := 0
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		g := &golden{covered: covered}
		g.reset(Config{Address: "me", NThreads: 1, Validate: true})
		datadriven.RunFile(t, path, g.run)
		ran++
	})
	scripts, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if ran < len(scripts) || t.Failed() {
		return // some scripts did not run or failed: coverage would mislead
	}
	for from := range numStates {
		for to := range numStates {
			if transitions[from][to] != nil && !covered[[2]TaskState{from, to}] {
				t.Errorf("no script in testdata covers the table's row %s -> %s", from, to)
			}
		}
	}
}

// golden plays the worker's shell for one script: it hands the script's
// events to a State and prints what each produced.
type golden struct {
	s       *State
	logged  uint64                // transitions of the story log printed so far
	threads map[graph.Key]int     // the thread each executing task was given
	covered map[[2]TaskState]bool // table rows the scripts moved along
}

func (g *golden) reset(cfg Config) {
	g.s = New(cfg)
	g.logged = 0
	g.threads = map[graph.Key]int{}
}

// run does one command of a script:
//
//	new [threads=N] [max-fetches=N] [fetch-bytes=N] [flight-bytes=N] [resources=(GPU:1, ...)]
//	compute KEY [prio=N] [deps=(DEP, ...)] [resources=(GPU:1, ...)]
//	acquire DEP...
//	finished KEY [nbytes=N] [type=T]
//	failed KEY [err=TEXT]
//	fetched from=PEER [KEY[:NBYTES]...] [missing=(KEY, ...)]
//	fetch-failed from=PEER
//	free KEY...
//	steal KEY
//	pause | resume
//	scatter KEY[:NBYTES]...
//	state [KEY...]
//	story KEY
//
// A DEP is KEY[:NBYTES][@PEER...]; NBYTES defaults to 1. Every event
// takes cause=N to give its cause; without it the state numbers the event.
func (g *golden) run(t *testing.T, c *datadriven.Cmd) string {
	var ev Event
	switch c.Name {
	case "new":
		cfg := Config{Address: "me", Validate: true,
			NThreads: int(c.Int(t, "threads", 1)), MaxFetches: int(c.Int(t, "max-fetches", 0)),
			FetchBytes: c.Int(t, "fetch-bytes", 0), FlightBytes: c.Int(t, "flight-bytes", 0),
			Resources: resources(t, c)}
		g.reset(cfg)
		return ""
	case "compute":
		key := g.key(t, c)
		spec := &graph.Task{Key: key, Func: "f", Resources: resources(t, c)}
		var deps []Dep
		for _, d := range c.List("deps") {
			dep := parseDep(t, c, d)
			deps = append(deps, dep)
			spec.Args = append(spec.Args, graph.Ref(dep.Key))
		}
		ev = &Compute{Task: spec, Priority: Priority{Order: c.Int(t, "prio", 0)}, Deps: deps}
	case "acquire":
		var deps []Dep
		for _, w := range bare(c) {
			deps = append(deps, parseDep(t, c, w))
		}
		ev = &Acquire{Deps: deps}
	case "finished":
		key := g.key(t, c)
		ev = &Executed{Key: key, Thread: g.threads[key], NBytes: c.Int(t, "nbytes", 1), Type: c.Str(t, "type", "")}
	case "failed":
		key := g.key(t, c)
		ev = &Executed{Key: key, Thread: g.threads[key], Err: errors.New(c.Str(t, "err", "boom"))}
	case "fetched":
		f := &Fetched{Peer: c.Str(t, "from", "")}
		for _, w := range bare(c) {
			ks := parseDep(t, c, w)
			f.Got = append(f.Got, KeySize{Key: ks.Key, NBytes: ks.NBytes})
		}
		for _, k := range c.List("missing") {
			f.Missing = append(f.Missing, graph.Key(k))
		}
		ev = f
	case "fetch-failed":
		ev = &Fetched{Peer: c.Str(t, "from", ""), Err: errors.New("connection refused")}
	case "free":
		var keys []graph.Key
		for _, w := range bare(c) {
			keys = append(keys, graph.Key(w))
		}
		ev = &Free{Keys: keys}
	case "steal":
		ev = &Steal{Key: g.key(t, c)}
	case "pause", "resume":
		ev = &Pause{Paused: c.Name == "pause"}
	case "scatter":
		st := &Stored{}
		for _, w := range bare(c) {
			ks := parseDep(t, c, w)
			st.Keys = append(st.Keys, KeySize{Key: ks.Key, NBytes: ks.NBytes})
		}
		ev = st
	case "state":
		return g.describeState(bare(c))
	case "story":
		return g.s.Story(g.key(t, c)).String()
	default:
		c.Fatalf(t, "unknown command")
	}
	*ev.stimulus() = Cause(c.Int(t, "cause", 0))
	return g.handle(t, c, ev)
}

// handle hands an event to the state and prints the transitions and the
// instructions it produced, checking that they all carry its cause.
func (g *golden) handle(t *testing.T, c *datadriven.Cmd, ev Event) string {
	g.s.Handle(ev)
	cause := *ev.stimulus()
	var b strings.Builder
	g.s.story.each(g.logged, func(e *Transition) {
		if e.Cause != cause {
			c.Fatalf(t, "transition %s has cause %d, the event's is %d", e, e.Cause, cause)
		}
		g.covered[[2]TaskState{e.From, e.To}] = true
		fmt.Fprintf(&b, "%s: %s -> %s", e.Key, e.From, e.To)
		if e.Peer != "" {
			b.WriteString(" peer=" + e.Peer)
		}
		if e.Thread >= 0 {
			fmt.Fprintf(&b, " thread=%d", e.Thread)
		}
		b.WriteByte('\n')
	})
	g.logged = g.s.story.n
	for _, in := range g.s.Ready().Instructions {
		if got := *in.instruction(); got != cause {
			c.Fatalf(t, "%s has cause %d, the event's is %d", describe(in), got, cause)
		}
		if x, ok := in.(*Execute); ok {
			g.threads[x.Task.Key] = x.Thread
		}
		b.WriteString(describe(in) + "\n")
	}
	g.s.Advance()
	return b.String()
}

// describe prints an instruction; messages for the scheduler start with
// "msg".
func describe(in Instruction) string {
	switch i := in.(type) {
	case *Execute:
		return fmt.Sprintf("execute %s thread=%d", i.Task.Key, i.Thread)
	case *CancelTask:
		return "cancel " + string(i.Key)
	case *FetchFrom:
		return fmt.Sprintf("fetch-from %s keys=(%s)", i.Peer, keyList(i.Keys))
	case *Drop:
		return fmt.Sprintf("drop keys=(%s)", keyList(i.Keys))
	case *Started:
		return fmt.Sprintf("msg started %s thread=%d", i.Key, i.Thread)
	case *Finished:
		s := fmt.Sprintf("msg finished %s nbytes=%d thread=%d", i.Key, i.NBytes, i.Thread)
		if i.Type != "" {
			s += " type=" + i.Type
		}
		return s
	case *Failed:
		return fmt.Sprintf("msg failed %s err=%q thread=%d", i.Key, i.Err, i.Thread)
	case *Added:
		parts := make([]string, len(i.Keys))
		for j, ks := range i.Keys {
			parts[j] = fmt.Sprintf("%s:%d", ks.Key, ks.NBytes)
		}
		return fmt.Sprintf("msg added keys=(%s)", strings.Join(parts, ", "))
	case *Missing:
		return fmt.Sprintf("msg missing %s of %s tried=(%s)", i.Key, i.Task, strings.Join(i.Tried, ", "))
	case *Rejected:
		return "msg rejected " + string(i.Key)
	case *StealReply:
		return fmt.Sprintf("msg steal-reply %s stolen=%t", i.Key, i.Stolen)
	}
	return fmt.Sprintf("unknown instruction %T", in)
}

// describeState prints the records of keys (all of them, and a summary,
// when keys is empty), one a line.
func (g *golden) describeState(keys []string) string {
	s := g.s
	all := len(keys) == 0
	if all {
		for k := range s.tasks {
			keys = append(keys, string(k))
		}
		slices.Sort(keys)
	}
	var b strings.Builder
	for _, k := range keys {
		t := s.tasks[graph.Key(k)]
		if t == nil {
			b.WriteString(k + ": released\n")
			continue
		}
		fmt.Fprintf(&b, "%s: %s", k, t.State)
		switch t.State {
		case Waiting:
			fmt.Fprintf(&b, " missing=%d", t.nMissing)
		case Executing, Cancelled:
			fmt.Fprintf(&b, " thread=%d", t.thread)
		case Memory:
			fmt.Fprintf(&b, " nbytes=%d", t.NBytes)
		case Flight:
			b.WriteString(" from=" + t.flight)
		}
		if t.State == Fetch || t.State == Flight {
			fmt.Fprintf(&b, " peers=(%s)", strings.Join(t.peers, ", "))
			if len(t.tried) > 0 {
				fmt.Fprintf(&b, " tried=(%s)", strings.Join(t.tried, ", "))
			}
			if t.Spec != nil {
				b.WriteString(" task")
			}
		}
		if len(t.dependents) > 0 {
			var ds []graph.Key
			for _, dt := range t.dependents {
				ds = append(ds, dt.Key)
			}
			fmt.Fprintf(&b, " dependents=(%s)", keyList(ds))
		}
		for _, f := range []struct {
			on   bool
			name string
		}{{t.freed, "freed"}, {t.acquire, "acquire"}, {t.rerun, "rerun"}} {
			if f.on {
				b.WriteString(" " + f.name)
			}
		}
		b.WriteByte('\n')
	}
	if all {
		fmt.Fprintf(&b, "executing=%d ready=%d in-flight=%d paused=%t\n", s.Executing(), s.NReady(), s.inFlight, s.paused)
	}
	return b.String()
}

func keyList(ks []graph.Key) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = string(k)
	}
	return strings.Join(parts, ", ")
}

// key returns the command's one bare argument, a key.
func (g *golden) key(t *testing.T, c *datadriven.Cmd) graph.Key {
	ws := bare(c)
	if len(ws) != 1 {
		c.Fatalf(t, "wants one key, has %d", len(ws))
	}
	return graph.Key(ws[0])
}

// bare returns the command's arguments that are single words.
func bare(c *datadriven.Cmd) []string {
	var out []string
	for _, a := range c.Args {
		if a.Vals == nil {
			out = append(out, a.Key)
		}
	}
	return out
}

// parseDep reads KEY[:NBYTES][@PEER...].
func parseDep(t *testing.T, c *datadriven.Cmd, w string) Dep {
	parts := strings.Split(w, "@")
	key, size, sized := strings.Cut(parts[0], ":")
	d := Dep{Key: graph.Key(key), NBytes: 1, Peers: parts[1:]}
	if sized {
		n, err := strconv.ParseInt(size, 10, 64)
		if err != nil {
			c.Fatalf(t, "%s: size %q is not an integer", w, size)
		}
		d.NBytes = n
	}
	return d
}

// resources reads resources=(NAME:AMOUNT, ...).
func resources(t *testing.T, c *datadriven.Cmd) map[string]float64 {
	vals := c.List("resources")
	if len(vals) == 0 {
		return nil
	}
	out := map[string]float64{}
	for _, v := range vals {
		name, amount, _ := strings.Cut(v, ":")
		f, err := strconv.ParseFloat(amount, 64)
		if err != nil {
			c.Fatalf(t, "resource %q: %v", v, err)
		}
		out[name] = f
	}
	return out
}
