package graph

import (
	"slices"
	"testing"
)

func call(fn string, args ...Arg) Arg {
	return Arg{Kind: ArgCall, Call: &Call{Func: fn, Args: args}}
}

func TestArgWalker(t *testing.T) {
	type ref struct {
		k     Key
		depth int
	}
	tests := []struct {
		name   string
		args   []Arg
		refs   []ref
		height int
	}{
		{"none", nil, nil, 1},
		{"literals", []Arg{val("1"), val("2")}, nil, 1},
		{"refs in order", []Arg{Ref("b"), val("1"), Ref("a"), Ref("b")}, []ref{{"b", 1}, {"a", 1}, {"b", 1}}, 1},
		{"list keeps order", []Arg{Ref("a"), List(Ref("b"), List(Ref("c")), Ref("d")), Ref("e")},
			[]ref{{"a", 1}, {"b", 1}, {"c", 1}, {"d", 1}, {"e", 1}}, 1},
		{"nested calls", []Arg{call("f", Ref("a"), call("g", Ref("b"))), Ref("c")},
			[]ref{{"a", 2}, {"b", 3}, {"c", 1}}, 3},
		{"call without refs still counts", []Arg{call("f", val("1"))}, nil, 2},
		{"nil call is skipped", []Arg{{Kind: ArgCall}, Ref("a")}, []ref{{"a", 1}}, 1},
		{"empty list", []Arg{List(), Ref("a")}, []ref{{"a", 1}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var w argWalker
			var got []ref
			h := w.walk(tt.args, func(k Key, depth int) { got = append(got, ref{k, depth}) })
			if !slices.Equal(got, tt.refs) {
				t.Errorf("refs = %v, want %v", got, tt.refs)
			}
			if h != tt.height {
				t.Errorf("height = %d, want %d", h, tt.height)
			}
		})
	}
}
