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

// TestStateIsSetOnlyBySetState reads the package's source: a task's State
// is assigned in setState and nowhere else (not even in a composite
// literal), so that setState's check covers every move.
func TestStateIsSetOnlyBySetState(t *testing.T) {
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
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			ast.Inspect(fn, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.AssignStmt:
					for _, l := range n.Lhs {
						if sel, ok := l.(*ast.SelectorExpr); ok && sel.Sel.Name == "State" {
							sets = append(sets, fmt.Sprintf("%s in %s", fset.Position(n.Pos()), fn.Name.Name))
						}
					}
				case *ast.KeyValueExpr:
					if id, ok := n.Key.(*ast.Ident); ok && id.Name == "State" {
						sets = append(sets, fmt.Sprintf("%s in %s (a literal)", fset.Position(n.Pos()), fn.Name.Name))
					}
				}
				return true
			})
		}
	}
	if len(sets) != 1 || !strings.HasSuffix(sets[0], " in setState") {
		t.Fatalf("a task's State must be set in setState only; it is set at:\n%s", strings.Join(sets, "\n"))
	}
}

// A move made outside the table's handler for it panics with the task's
// story, causes included; so does a move the table has no row for.
func TestMovesOutsideTheTablePanic(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	h.submit("c", []*graph.Task{spec("a-1")}, "a-1")
	tk := h.s.Task("a-1")
	for _, tc := range []struct {
		name string
		move func()
		want string
	}{
		{"setState", func() { h.s.setState(tk, Memory) }, "a-1 moved processing -> memory outside the transition table"},
		{"no row", func() { h.s.transition(tk, Forgotten, nil) }, "no transition processing -> forgotten for a-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				msg := fmt.Sprint(recover())
				story := "#2 graph-submitted from c: waiting -> processing on w1"
				if !strings.Contains(msg, tc.want) || !strings.Contains(msg, story) {
					t.Fatalf("panic %q, want it to say %q and tell the story (%q)", msg, tc.want, story)
				}
			}()
			tc.move()
		})
	}
	h.wantState("a-1", Processing)
}
