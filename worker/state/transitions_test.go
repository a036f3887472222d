package state

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/graph"
)

// The package sets a task's State in one place, transition, which allows
// only the table's rows: a state set anywhere else would bypass the table.
func TestStateIsSetOnlyByTransition(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var sets []string
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok {
				continue
			}
			ast.Inspect(fn, func(n ast.Node) bool {
				var targets []ast.Expr
				switch n := n.(type) {
				case *ast.AssignStmt:
					targets = n.Lhs
				case *ast.IncDecStmt:
					targets = []ast.Expr{n.X}
				case *ast.KeyValueExpr:
					targets = []ast.Expr{n.Key}
				}
				for _, e := range targets {
					if isStateField(e) {
						sets = append(sets, fmt.Sprintf("%s in %s", fset.Position(e.Pos()), fn.Name.Name))
					}
				}
				return true
			})
		}
	}
	if len(sets) != 1 || !strings.HasSuffix(sets[0], " in transition") {
		t.Fatalf("a task's State is set at %v; want exactly one place, in transition", sets)
	}
}

// isStateField reports whether e names a State field: x.State, or State as
// the key of a composite literal.
func isStateField(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.SelectorExpr:
		return e.Sel.Name == "State"
	case *ast.Ident:
		return e.Name == "State"
	}
	return false
}

// A move the table lacks panics, and the message tells the key's story.
func TestMoveOutsideTheTablePanicsWithStory(t *testing.T) {
	s := newState(1)
	handle(s, &Compute{Cause: 41, Task: spec("a")})
	defer func() {
		msg := fmt.Sprint(recover())
		for _, want := range []string{
			"no transition executing -> fetch for a",
			"cause 41 compute: a released -> ready\n",
			"cause 41 compute: a ready -> executing thread=0\n",
		} {
			if !strings.Contains(msg, want) {
				t.Errorf("panic %q does not say %q", msg, want)
			}
		}
	}()
	s.transition(s.Task("a"), Fetch)
}

// Story tells a key's moves, structured: cause, kind of event, peer or
// thread.
func TestStoryIsStructured(t *testing.T) {
	s := newState(1)
	handle(s, &Compute{Task: spec("t", "x"), Deps: []Dep{{Key: "x", NBytes: 4, Peers: []string{"p"}}}})
	handle(s, &Fetched{Cause: 90, Peer: "p", Got: []graph.KeySize{{Key: "x", NBytes: 4}}})
	handle(s, &Executed{Key: "t", NBytes: 8})
	want := Story{
		{Cause: 1, Stimulus: OnCompute, Key: "x", From: Released, To: Fetch, Thread: -1},
		{Cause: 1, Stimulus: OnCompute, Key: "x", From: Fetch, To: Flight, Peer: "p", Thread: -1},
		{Cause: 90, Stimulus: OnFetched, Key: "x", From: Flight, To: Memory, Peer: "p", Thread: -1},
	}
	if got := s.Story("x"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("story of x:\n%s\nwant:\n%s", got, want)
	}
	got := s.Story("t")
	if len(got) != 4 || got[3].From != Executing || got[3].To != Memory || got[3].Thread != 0 ||
		got[3].Stimulus != OnExecuted || got[3].Cause != 3 {
		t.Fatalf("story of t:\n%s", got)
	}
}

// The log is bounded: old transitions give way to new ones.
func TestStoryKeepsTheLastTransitions(t *testing.T) {
	s := New(Config{NThreads: 1})
	handle(s, &Compute{Task: spec("old")})
	if n := len(s.Story("old")); n != 2 {
		t.Fatalf("old has %d transitions, want 2", n)
	}
	// Each cycle logs three transitions: released -> ready -> executing,
	// and the previous task's executing -> memory.
	prev := graph.Key("old")
	for i := range storyLength {
		k := graph.Key(fmt.Sprintf("k-%d", i))
		handle(s, &Executed{Key: prev, NBytes: 1})
		handle(s, &Compute{Task: spec(string(k))})
		prev = k
	}
	if got := s.Story("old"); len(got) != 0 {
		t.Fatalf("the oldest transitions are still told:\n%s", got)
	}
	if got := s.Story(prev); len(got) != 2 || got[1].To != Executing {
		t.Fatalf("story of %s:\n%s", prev, got)
	}
}

// Outputs are handed out once: Handle or Ready before Advance is a bug.
func TestReadyHandsOutOnce(t *testing.T) {
	s := newState(1)
	s.Handle(&Compute{Task: spec("a")})
	if n := len(s.Ready().Instructions); n != 2 {
		t.Fatalf("%d instructions, want 2", n)
	}
	for name, f := range map[string]func(){
		"Ready":  func() { s.Ready() },
		"Handle": func() { s.Handle(&Compute{Task: spec("b")}) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s before Advance did not panic", name)
				}
			}()
			f()
		}()
	}
	s.Advance()
	if n := len(s.Ready().Instructions); n != 0 {
		t.Fatalf("%d instructions handed out again after Advance", n)
	}
	s.Advance()
}
