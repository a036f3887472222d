//go:build duckdb_arrow

package engine

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// TestCheckedExpressionsRemembered: an expression found good is
// remembered with its parse, so that checking or parsing it again parses
// nothing; one refused is
// refused again each time, with the same reason, and never remembered.
func TestCheckedExpressionsRemembered(t *testing.T) {
	e, err := Open(Settings{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	good := "cat = 'c3' AND x > 0.9"
	if _, ok := e.checked.get("expr", good); ok {
		t.Fatal("an expression is remembered before any check")
	}
	for range 2 {
		if err := e.CheckExpr(ctx, good); err != nil {
			t.Fatal(err)
		}
		tree, ok := e.checked.get("expr", good)
		if !ok || tree["type"] != "CONJUNCTION_AND" {
			t.Fatalf("a good expression is not remembered with its parse: %v", tree)
		}
		again, err := e.ParseExpr(ctx, good)
		if err != nil || fmt.Sprint(again) != fmt.Sprint(tree) {
			t.Fatalf("ParseExpr gives %v (%v), not the parse remembered", again, err)
		}
	}
	bad := "1) FROM part; COPY part TO '/tmp/x' --"
	var first string
	for i := range 2 {
		err := e.CheckExpr(ctx, bad)
		var se *SQLError
		if !errors.As(err, &se) {
			t.Fatalf("check %d of %q: %v; want an *SQLError", i, bad, err)
		}
		if i == 0 {
			first = err.Error()
		} else if err.Error() != first {
			t.Fatalf("refused again for another reason: %v; first %s", err, first)
		}
		if _, ok := e.checked.get("expr", bad); ok {
			t.Fatal("a refused expression is remembered")
		}
	}
}
