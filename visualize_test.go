package dusk_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
)

// chainGraph is three incs in a row, then a sum of the chain and a double.
func chainGraph() *dusk.Delayed[int] {
	d := dusk.Call[int](fInc, 1)
	d = dusk.Call[int](fInc, d)
	d = dusk.Call[int](fInc, d)
	return dusk.Call[int](fAdd, d, dusk.Call[int](fDouble, 2))
}

func TestVisualizeShowsFusion(t *testing.T) {
	d := chainGraph()
	dir := t.TempDir()
	raw, opt := filepath.Join(dir, "raw.svg"), filepath.Join(dir, "opt.svg")
	if err := dusk.Visualize(d, raw); err != nil {
		t.Fatal(err)
	}
	if err := dusk.Visualize(d, opt, dusk.Optimized(true)); err != nil {
		t.Fatal(err)
	}
	rawSVG, _ := os.ReadFile(raw)
	optSVG, _ := os.ReadFile(opt)
	if n := strings.Count(string(rawSVG), ">it.inc</text>"); n != 3 {
		t.Errorf("unoptimized picture has %d inc nodes, want 3", n)
	}
	if !strings.Contains(string(optSVG), "×") || strings.Count(string(optSVG), "<rect") >= strings.Count(string(rawSVG), "<rect") {
		t.Errorf("optimized picture shows no fusion:\n%s", optSVG)
	}
}

func TestVisualizeDOT(t *testing.T) {
	var buf bytes.Buffer
	if err := dusk.WriteGraph(&buf, "dot", []dusk.Lazy{chainGraph()}); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	if !strings.HasPrefix(s, "digraph dusk {") || strings.Count(s, "->") != 4 || !strings.Contains(s, "fillcolor") {
		t.Errorf("DOT output:\n%s", s)
	}
}

func TestVisualizeRejectsUnknownFormats(t *testing.T) {
	err := dusk.Visualize(chainGraph(), filepath.Join(t.TempDir(), "g.pdf"))
	if err == nil || !strings.Contains(err.Error(), "unknown format") {
		t.Fatalf("err = %v", err)
	}
}
