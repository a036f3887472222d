package layout

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
)

// diamond: a -> b, a -> c, b -> d, c -> d
func diamond() Graph {
	return Graph{Labels: []string{"a", "b", "c", "d"}, Edges: [][2]int{{0, 1}, {0, 2}, {1, 3}, {2, 3}}}
}

func TestDependenciesSitAboveTheirDependents(t *testing.T) {
	l := Compute(diamond())
	want := []int{0, 1, 1, 2}
	for i, nd := range l.Nodes {
		if nd.Layer != want[i] {
			t.Errorf("node %s in layer %d, want %d", l.Labels[i], nd.Layer, want[i])
		}
	}
	for _, e := range l.Edges {
		if l.Nodes[e[0]].Y >= l.Nodes[e[1]].Y {
			t.Errorf("edge %v points up", e)
		}
	}
	if l.Nodes[1].X == l.Nodes[2].X {
		t.Error("b and c overlap")
	}
}

func TestLongestPathDecidesTheLayer(t *testing.T) {
	// a -> b -> c and a -> c: c goes below b.
	l := Compute(Graph{Labels: []string{"a", "b", "c"}, Edges: [][2]int{{0, 1}, {1, 2}, {0, 2}}})
	if l.Nodes[2].Layer != 2 {
		t.Fatalf("c in layer %d, want 2", l.Nodes[2].Layer)
	}
}

func TestBarycentreUncrossesEdges(t *testing.T) {
	// Two chains given crossed: x1 -> y2, x2 -> y1 with y listed in the
	// other order: after the sweeps each y sits under its x.
	g := Graph{Labels: []string{"x1", "x2", "y1", "y2"}, Edges: [][2]int{{0, 3}, {1, 2}}}
	l := Compute(g)
	if (l.Nodes[0].X < l.Nodes[1].X) != (l.Nodes[3].X < l.Nodes[2].X) {
		t.Fatalf("edges cross: %+v", l.Nodes)
	}
}

func TestCyclesDoNotHang(t *testing.T) {
	l := Compute(Graph{Labels: []string{"a", "b"}, Edges: [][2]int{{0, 1}, {1, 0}, {0, 0}, {5, 1}}})
	if len(l.Nodes) != 2 {
		t.Fatal("lost nodes")
	}
}

func TestSVGIsWellFormedAndEscaped(t *testing.T) {
	g := diamond()
	g.Labels[0] = `<a & "b">`
	var buf bytes.Buffer
	err := WriteSVG(&buf, Compute(g), func(i int) (string, bool, string) { return "#f00", i == 0, "key-" + g.Labels[i] })
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "&lt;a &amp; &#34;b&#34;&gt;") {
		t.Errorf("label not escaped:\n%s", buf.String())
	}
	d := xml.NewDecoder(&buf)
	rects, paths := 0, 0
	for {
		tok, err := d.Token()
		if err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed XML: %v", err)
			}
			break
		}
		if se, ok := tok.(xml.StartElement); ok {
			switch se.Name.Local {
			case "rect":
				rects++
			case "path":
				paths++
			}
		}
	}
	if rects != 1+4 || paths != 1+4 { // background + nodes; arrow marker + edges
		t.Errorf("%d rects and %d paths", rects, paths)
	}
}

func TestEmptyGraph(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteSVG(&buf, Compute(Graph{}), nil); err != nil {
		t.Fatal(err)
	}
}
