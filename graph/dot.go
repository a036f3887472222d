package graph

import (
	"bufio"
	"cmp"
	"io"
	"maps"
	"slices"
	"strconv"
	"unicode/utf8"
)

// WriteDOT writes g to w in Graphviz's DOT language. Each task is a node
// labelled with its key's prefix, followed by "×N" when it stands for N > 1
// fused tasks, and with its full key as tooltip. Each key that tasks refer to
// but g does not hold (external data) is a box. An edge runs from each
// dependency to its dependent.
//
// When label is not nil it is called once per node, external ones included,
// and returns the node's fill color (a Graphviz color such as "#7fc97f" or
// "lightblue"), or "" for none; callers use it to color nodes by state.
//
// Nodes are written sorted by key and edges sorted by their ends, so the same
// graph always gives the same text. The tasks of g must not be nil.
func WriteDOT(w io.Writer, g Graph, label func(k Key) (fill string)) error {
	keys := slices.Sorted(maps.Keys(g))
	type edge struct{ from, to Key }
	var edges []edge
	external := make(map[Key]struct{})
	var walker argWalker
	for _, k := range keys {
		walker.walk(g[k].Args, func(d Key, _ int) {
			edges = append(edges, edge{d, k})
			if _, ok := g[d]; !ok {
				external[d] = struct{}{}
			}
		})
	}
	slices.SortFunc(edges, func(a, b edge) int {
		return cmp.Or(cmp.Compare(a.from, b.from), cmp.Compare(a.to, b.to))
	})
	edges = slices.Compact(edges) // a task may refer to a key several times

	b := bufio.NewWriter(w)
	var buf []byte // one line at a time
	node := func(k Key, text string, box bool) {
		buf = append(buf[:0], '\t')
		buf = appendQuoted(buf, string(k))
		buf = append(buf, " [label="...)
		buf = appendQuoted(buf, text)
		buf = append(buf, ", tooltip="...)
		buf = appendQuoted(buf, string(k))
		if box {
			buf = append(buf, ", shape=box"...)
		}
		if label != nil {
			if fill := label(k); fill != "" {
				buf = append(buf, ", style=filled, fillcolor="...)
				buf = appendQuoted(buf, fill)
			}
		}
		buf = append(buf, "];\n"...)
		b.Write(buf)
	}

	b.WriteString("digraph dusk {\n\tnode [shape=ellipse];\n")
	for _, k := range keys {
		text := k.Prefix()
		if n := g[k].Fused; n > 1 {
			text += " ×" + strconv.Itoa(n)
		}
		node(k, text, false)
	}
	for _, k := range slices.Sorted(maps.Keys(external)) {
		node(k, k.Prefix(), true)
	}
	for _, e := range edges {
		buf = append(buf[:0], '\t')
		buf = appendQuoted(buf, string(e.from))
		buf = append(buf, " -> "...)
		buf = appendQuoted(buf, string(e.to))
		buf = append(buf, ";\n"...)
		b.Write(buf)
	}
	b.WriteString("}\n")
	return b.Flush() // bufio.Writer keeps the first write error
}

// appendQuoted appends s as a DOT double-quoted string. Backslashes and
// quotes are escaped, so that Graphviz reads them literally (and "\N" in a
// key is not taken for the node's name); line breaks become "\n" and "\r",
// other control characters and invalid UTF-8 bytes "\xHH". Different
// strings stay different after quoting, so keys make safe node names.
func appendQuoted(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
