package worker

import (
	"context"
	"errors"
	"testing"
)

// A task's context lasts until the task's run ends or its session's
// context ends, whether or not Done was asked for before, and a context
// derived from it ends with it.
func TestTaskContextEnds(t *testing.T) {
	t.Run("run ends, Done asked before", func(t *testing.T) {
		tc := newTaskContext(context.Background(), "k")
		done := tc.Done()
		child, stop := context.WithCancel(tc)
		defer stop()
		if tc.Err() != nil || child.Err() != nil {
			t.Fatalf("ended before its run: %v, child %v", tc.Err(), child.Err())
		}
		tc.cancel(context.Canceled)
		<-done
		<-child.Done()
		if !errors.Is(tc.Err(), context.Canceled) || !errors.Is(child.Err(), context.Canceled) {
			t.Fatalf("Err = %v, child %v, want context.Canceled", tc.Err(), child.Err())
		}
	})
	t.Run("run ends, Done asked after", func(t *testing.T) {
		tc := newTaskContext(context.Background(), "k")
		tc.cancel(context.Canceled)
		tc.cancel(errors.New("second")) // the first end wins
		<-tc.Done()
		if !errors.Is(tc.Err(), context.Canceled) {
			t.Fatalf("Err = %v, want context.Canceled", tc.Err())
		}
	})
	t.Run("session ends, Done asked before", func(t *testing.T) {
		session, end := context.WithCancel(context.Background())
		tc := newTaskContext(session, "k")
		done := tc.Done()
		end()
		<-done
		if !errors.Is(tc.Err(), context.Canceled) {
			t.Fatalf("Err = %v, want context.Canceled", tc.Err())
		}
	})
	t.Run("session ends, Err asked before Done", func(t *testing.T) {
		session, end := context.WithCancelCause(context.Background())
		tc := newTaskContext(session, "k")
		cause := errors.New("scheduler lost")
		end(cause)
		if !errors.Is(tc.Err(), context.Canceled) {
			t.Fatalf("Err = %v, want context.Canceled", tc.Err())
		}
		<-tc.Done()
		if got := context.Cause(tc); !errors.Is(got, cause) {
			t.Fatalf("Cause = %v, want %v", got, cause)
		}
	})
	t.Run("values and deadline are the session's", func(t *testing.T) {
		type key struct{}
		session := context.WithValue(context.Background(), key{}, "v")
		tc := newTaskContext(session, "k")
		if tc.Value(key{}) != "v" {
			t.Fatalf("Value = %v, want v", tc.Value(key{}))
		}
		if _, ok := tc.Deadline(); ok {
			t.Fatal("a deadline the session does not have")
		}
	})
}
