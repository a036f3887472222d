package graph

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestWriteDOT(t *testing.T) {
	g := graphOf(
		mk("load-1", "load", Ref("table-9")),
		fused(mk("inc-2", "inc", inl("inc-1", "inc", Ref("load-1"))), 2),
		mk("sum-3", "sum", List(Ref("inc-2"), Ref("load-1"), Ref("inc-2"))),
	)
	tests := []struct {
		name  string
		label func(Key) string
		want  string
	}{
		{
			name: "no colors",
			want: `digraph dusk {
	node [shape=ellipse];
	"inc-2" [label="inc ×2", tooltip="inc-2"];
	"load-1" [label="load", tooltip="load-1"];
	"sum-3" [label="sum", tooltip="sum-3"];
	"table-9" [label="table", tooltip="table-9", shape=box];
	"inc-2" -> "sum-3";
	"load-1" -> "inc-2";
	"load-1" -> "sum-3";
	"table-9" -> "load-1";
}
`,
		},
		{
			name: "colors by key",
			label: func(k Key) string {
				switch k {
				case "load-1":
					return "#7fc97f"
				case "table-9":
					return "grey"
				}
				return ""
			},
			want: `digraph dusk {
	node [shape=ellipse];
	"inc-2" [label="inc ×2", tooltip="inc-2"];
	"load-1" [label="load", tooltip="load-1", style=filled, fillcolor="#7fc97f"];
	"sum-3" [label="sum", tooltip="sum-3"];
	"table-9" [label="table", tooltip="table-9", shape=box, style=filled, fillcolor="grey"];
	"inc-2" -> "sum-3";
	"load-1" -> "inc-2";
	"load-1" -> "sum-3";
	"table-9" -> "load-1";
}
`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 5 { // map order must not show
				var b bytes.Buffer
				if err := WriteDOT(&b, g, tt.label); err != nil {
					t.Fatal(err)
				}
				if b.String() != tt.want {
					t.Fatalf("got\n%s\nwant\n%s", b.String(), tt.want)
				}
			}
		})
	}
}

func TestWriteDOTEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := WriteDOT(&b, Graph{}, nil); err != nil {
		t.Fatal(err)
	}
	if want := "digraph dusk {\n\tnode [shape=ellipse];\n}\n"; b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestAppendQuoted(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"", `""`},
		{"plain-1", `"plain-1"`},
		{`say "hi"`, `"say \"hi\""`},
		{`back\slash`, `"back\\slash"`},
		{`ends in \`, `"ends in \\"`},
		{`\N is not the node name`, `"\\N is not the node name"`},
		{"two\nlines\r", `"two\nlines\r"`},
		{"tab\there\x00\x7f", `"tab\x09here\x00\x7f"`},
		{"ünïcode ×3 ok", `"ünïcode ×3 ok"`},
		{"bad \xff utf8", `"bad \xff utf8"`},
		{"{[<html>]};->", `"{[<html>]};->"`},
	}
	for _, tt := range tests {
		if got := string(appendQuoted(nil, tt.in)); got != tt.want {
			t.Errorf("appendQuoted(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// Keys that need escaping give distinct, well-formed node names.
func TestWriteDOTEscapesKeys(t *testing.T) {
	g := graphOf(
		mk(`a"b`, "f"),
		mk(`a\"b`, "f", Ref(`a"b`)),
		mk("a\nb", "f", Ref(`x\`)),
	)
	var b bytes.Buffer
	if err := WriteDOT(&b, g, nil); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"a\"b" -> "a\\\"b";`,
		`"x\\" -> "a\nb";`,
		`"x\\" [label="x\\", tooltip="x\\", shape=box];`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("output lacks %s:\n%s", want, b.String())
		}
	}
	if strings.Count(b.String(), "\n") != 2+4+2+1 {
		t.Errorf("raw newline leaked into the output:\n%s", b.String())
	}
}

type failWriter struct{ err error }

func (w failWriter) Write([]byte) (int, error) { return 0, w.err }

func TestWriteDOTError(t *testing.T) {
	boom := errors.New("disk full")
	g, _ := chainGraph(1000) // more than bufio's buffer
	if err := WriteDOT(failWriter{boom}, g, nil); !errors.Is(err, boom) {
		t.Errorf("err = %v, want %v", err, boom)
	}
}
