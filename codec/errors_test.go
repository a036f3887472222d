package codec

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

func TestUnsupportedTypes(t *testing.T) {
	var x int
	type withChan struct {
		Name string
		C    chan int
	}
	cases := []struct {
		v     any
		inner string
	}{
		{func(int) int { return 0 }, "func(int) int"},
		{make(chan string), "chan string"},
		{unsafe.Pointer(&x), "unsafe.Pointer"},
		{complex(1, 2), "complex128"},
		{uintptr(1), "uintptr"},
		{withChan{Name: "x"}, "chan int"},
		{[]any{1, func() {}}, "func()"},
	}
	for _, c := range cases {
		_, err := Encode(c.v)
		ute, ok := errors.AsType[*UnsupportedTypeError](err)
		if !ok {
			t.Errorf("Encode(%T) = %v, want an *UnsupportedTypeError", c.v, err)
			continue
		}
		if ute.Type != reflect.TypeOf(c.v) {
			t.Errorf("Encode(%T): error names type %v", c.v, ute.Type)
		}
		msg := err.Error()
		if !strings.Contains(msg, reflect.TypeOf(c.v).String()) || !strings.Contains(msg, c.inner) {
			t.Errorf("Encode(%T): message %q does not name %s", c.v, msg, c.inner)
		}
		if !strings.Contains(msg, "instead") && !strings.Contains(msg, "store the real") {
			t.Errorf("Encode(%T): message %q suggests nothing", c.v, msg)
		}
	}
}

type node struct {
	Value    int
	Next     *node
	Children []*node
	parent   *node // unexported: not encoded, so a cycle through it is fine
}

func TestEncodeRefusesCycles(t *testing.T) {
	a := &node{Value: 1}
	b := &node{Value: 2, Next: a}
	a.Next = b
	_, err := Encode(a)
	if _, ok := errors.AsType[*DepthError](err); !ok {
		t.Fatalf("cyclic list: got %v, want a *DepthError", err)
	}
	if !strings.Contains(err.Error(), "codec.node") {
		t.Errorf("message %q does not name the type", err)
	}

	// Cycles through interfaces end too.
	s := []any{nil}
	s[0] = s
	if _, err := Encode(s); err == nil {
		t.Error("self-containing []any encoded")
	}
	m := map[string]any{}
	m["self"] = m
	if _, err := Encode(m); err == nil {
		t.Error("self-containing map encoded")
	}
	var loop any
	loop = &loop
	if _, err := Encode(loop); err == nil {
		t.Error("pointer loop encoded")
	}

	// A tree whose back-pointers are unexported encodes and round-trips.
	root := &node{Value: 0}
	for i := range 3 {
		root.Children = append(root.Children, &node{Value: i + 1, parent: root})
	}
	got := roundTrip(t, root, CBOR)
	if len(got.Children) != 3 || got.Children[2].Value != 3 {
		t.Errorf("tree: got %+v", got)
	}
}

func TestEncodeDepthMatchesDecodeLimit(t *testing.T) {
	list := func(n int) *node {
		var head *node
		for i := range n {
			head = &node{Value: i, Next: head}
		}
		return head
	}
	// Each node is one CBOR map.
	if got := roundTrip(t, list(MaxDepth), CBOR); got.Value != MaxDepth-1 {
		t.Errorf("list of %d: head %d", MaxDepth, got.Value)
	}
	if _, err := Encode(list(MaxDepth + 1)); err == nil {
		t.Errorf("list of %d encoded; Decode would refuse it", MaxDepth+1)
	}
	nested := any(1)
	for range MaxDepth {
		nested = []any{nested}
	}
	if _, err := Decode(mustEncode(t, nested), reflect.TypeFor[any]()); err != nil {
		t.Errorf("%d nested slices: %v", MaxDepth, err)
	}
	if _, err := Encode([]any{nested}); err == nil {
		t.Errorf("%d nested slices encoded", MaxDepth+1)
	}
}
