package state

import (
	"errors"
	"path/filepath"
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
		ev = &Compute{Task: spec, Priority: graph.Priority{Order: c.Int(t, "prio", 0)}, Deps: deps}
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
			f.Got = append(f.Got, graph.KeySize{Key: ks.Key, NBytes: ks.NBytes})
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
			st.Keys = append(st.Keys, graph.KeySize{Key: ks.Key, NBytes: ks.NBytes})
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
		b.WriteString(e.move() + "\n")
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
