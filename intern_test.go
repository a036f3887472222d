package dusk

import (
	"fmt"
	"slices"
	"testing"
	"unsafe"
)

// Reports of many keys held on the same worker share one slice and one
// copy of its address; other holder lists are copies of their own with
// the same addresses.
func TestInternerSharesRepeatedAddresses(t *testing.T) {
	var in interner
	one := in.addrs([]string{string([]byte("10.0.0.1:9000"))})
	again := in.addrs([]string{string([]byte("10.0.0.1:9000"))})
	if !slices.Equal(one, []string{"10.0.0.1:9000"}) || !slices.Equal(again, one) {
		t.Fatalf("addrs = %v and %v, want [10.0.0.1:9000] both", one, again)
	}
	if &one[0] != &again[0] {
		t.Fatal("two reports of a single holder got slices of their own; want one shared")
	}
	two := in.addrs([]string{"10.0.0.2:9000", string([]byte("10.0.0.1:9000"))})
	if !slices.Equal(two, []string{"10.0.0.2:9000", "10.0.0.1:9000"}) {
		t.Fatalf("addrs of two holders = %v", two)
	}
	if unsafe.StringData(two[1]) != unsafe.StringData(one[0]) {
		t.Fatal("the same address in a list of two holders is a copy of its own; want the held one")
	}
	if in.addrs(nil) != nil {
		t.Fatal("addrs of no holder is not nil")
	}
	if a, b := in.str(string([]byte("int"))), in.str(string([]byte("int"))); unsafe.StringData(a) != unsafe.StringData(b) {
		t.Fatal("the same type name twice gave two copies")
	}
}

// An interner of more strings than maxInterned starts afresh instead of
// growing without end, and still returns equal strings.
func TestInternerIsBounded(t *testing.T) {
	var in interner
	for i := range maxInterned + 10 {
		s := fmt.Sprintf("host-%d:1", i)
		if got := in.addrs([]string{s}); len(got) != 1 || got[0] != s {
			t.Fatalf("addrs(%q) = %v", s, got)
		}
	}
	if len(in.strs) > maxInterned || len(in.holders) > maxInterned {
		t.Fatalf("the interner holds %d strings and %d slices; want at most %d each", len(in.strs), len(in.holders), maxInterned)
	}
}
