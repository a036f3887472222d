package layout

import (
	"bufio"
	"fmt"
	"html"
	"io"
)

// Style says how to draw node i: its fill colour (any SVG colour), whether
// it is a box (data from outside the graph) rather than a rounded task,
// and its tooltip. A nil Style draws every node plain.
type Style func(i int) (fill string, box bool, title string)

// WriteSVG draws l as a standalone SVG document: an arrow from each
// dependency to its dependent, a node per task with its label.
func WriteSVG(w io.Writer, l *Layout, style Style) error {
	b := bufio.NewWriter(w)
	fmt.Fprintf(b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="sans-serif" font-size="12">`+"\n",
		l.Width, l.Height, l.Width, l.Height)
	b.WriteString(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#666"/></marker></defs>` + "\n")
	b.WriteString(`<rect width="100%" height="100%" fill="white"/>` + "\n")
	b.WriteString(`<g stroke="#888" fill="none">` + "\n")
	for _, e := range l.Edges {
		if e[0] < 0 || e[0] >= len(l.Nodes) || e[1] < 0 || e[1] >= len(l.Nodes) || e[0] == e[1] {
			continue
		}
		a, z := l.Nodes[e[0]], l.Nodes[e[1]]
		y1, y2 := a.Y+a.H/2, z.Y-z.H/2
		if z.Y <= a.Y { // an edge that goes up (a cycle): from side to side
			y1, y2 = a.Y, z.Y
		}
		mid := (y1 + y2) / 2
		fmt.Fprintf(b, `<path d="M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f" marker-end="url(#arrow)"/>`+"\n",
			a.X, y1, a.X, mid, z.X, mid, z.X, y2)
	}
	b.WriteString("</g>\n")
	for i, nd := range l.Nodes {
		fill, box, title := "#e8eef7", false, ""
		if style != nil {
			var f string
			f, box, title = style(i)
			if f != "" {
				fill = f
			}
		}
		rx := 10.0
		if box {
			rx = 0
		}
		b.WriteString("<g>")
		if title != "" {
			fmt.Fprintf(b, "<title>%s</title>", html.EscapeString(title))
		}
		fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="%.0f" fill="%s" stroke="#456"/>`,
			nd.X-nd.W/2, nd.Y-nd.H/2, nd.W, nd.H, rx, html.EscapeString(fill))
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" dominant-baseline="central">%s</text>`,
			nd.X, nd.Y, html.EscapeString(l.Labels[i]))
		b.WriteString("</g>\n")
	}
	b.WriteString("</svg>\n")
	return b.Flush()
}

// palette holds distinct, readable fills for task prefixes.
var palette = [...]string{
	"#4e79a7", "#59a14f", "#9c755f", "#f28e2b", "#edc948", "#b07aa1", "#76b7b2", "#ff9da7",
	"#8cd17d", "#499894", "#86bcb6", "#d4a6c8", "#a0cbe8", "#f1ce63", "#bab0ac", "#79706e",
}

// PrefixColor returns the colour dusk draws tasks of a key prefix in,
// everywhere: the same prefix always gets the same colour. Red, orange and
// black are left out: they mean transfers, spilling and errors.
func PrefixColor(prefix string) string {
	var h uint32 = 2166136261 // FNV-1a
	for i := 0; i < len(prefix); i++ {
		h ^= uint32(prefix[i])
		h *= 16777619
	}
	return palette[h%uint32(len(palette))]
}
