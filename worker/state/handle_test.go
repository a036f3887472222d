package state

import (
	"errors"
	"testing"
)

// TestReportsEchoTheSchedulersHandle: what the worker reports about a
// task (started, finished, failed, and finished again for a result it
// still holds) carries the handle of the task's Compute, so the scheduler
// finds the task without looking its key up.
func TestReportsEchoTheSchedulersHandle(t *testing.T) {
	s := newState(1)
	handles := func(ins []Instruction) []uint64 {
		var out []uint64
		for _, in := range ins {
			switch i := in.(type) {
			case *Started:
				out = append(out, i.Handle)
			case *Finished:
				out = append(out, i.Handle)
			case *Failed:
				out = append(out, i.Handle)
			case *Rejected:
				out = append(out, i.Handle)
			}
		}
		return out
	}
	want := func(got []uint64, w ...uint64) {
		t.Helper()
		if len(got) != len(w) {
			t.Fatalf("handles = %x, want %x", got, w)
		}
		for i := range w {
			if got[i] != w[i] {
				t.Fatalf("handles = %x, want %x", got, w)
			}
		}
	}
	want(handles(handle(s, &Compute{Task: spec("a"), Handle: 0x100000007})), 0x100000007)
	want(handles(handle(s, &Compute{Task: spec("b"), Handle: 0x200000003})))
	want(handles(handle(s, &Executed{Key: "a", NBytes: 8})), 0x100000007, 0x200000003) // a finished, b started
	want(handles(handle(s, &Executed{Key: "b", Err: errors.New("boom")})), 0x200000003)
	// The scheduler sends a again, under another handle: the result it
	// holds is reported with the new one.
	want(handles(handle(s, &Compute{Task: spec("a"), Handle: 0x300000007})), 0x300000007)
}
