package event

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

func keys(evs []Event) string {
	s := ""
	for _, e := range evs {
		s += e.Key
	}
	return s
}

func TestRingKeepsTheLastEvents(t *testing.T) {
	r := NewRing(3)
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		r.Add(Event{Key: k})
	}
	if got := keys(r.Snapshot()); got != "cde" {
		t.Fatalf("snapshot = %q, want cde", got)
	}
	if r.Total() != 5 {
		t.Fatalf("total = %d", r.Total())
	}
	evs, next, lost := r.Since(0, 0)
	if keys(evs) != "cde" || next != 5 || lost != 2 {
		t.Fatalf("since 0 = %q next %d lost %d", keys(evs), next, lost)
	}
	evs, next, lost = r.Since(3, 1)
	if keys(evs) != "d" || next != 4 || lost != 0 {
		t.Fatalf("since 3 max 1 = %q next %d lost %d", keys(evs), next, lost)
	}
	evs, next, _ = r.Since(5, 0)
	if len(evs) != 0 || next != 5 {
		t.Fatalf("since the end = %q next %d", keys(evs), next)
	}
}

// AddAll keeps what adding each event in turn would: across the end of
// the buffer, and when given more events than the ring holds.
// Read visits the events Since would return, in order, with the same
// next and lost.
func TestReadVisitsWhatSinceReturns(t *testing.T) {
	r := NewRing(3)
	for _, k := range []string{"a", "b", "c", "d", "e"} {
		r.Add(Event{Key: k})
	}
	for _, c := range []struct {
		seq uint64
		max int
	}{{0, 0}, {3, 1}, {3, 0}, {4, 5}, {5, 0}, {9, 0}} {
		want, wantNext, wantLost := r.Since(c.seq, c.max)
		var got []Event
		next, lost := r.Read(c.seq, c.max, func(e *Event) { got = append(got, *e) })
		if keys(got) != keys(want) || next != wantNext || lost != wantLost {
			t.Errorf("Read(%d, %d) = %q next %d lost %d; Since gives %q next %d lost %d",
				c.seq, c.max, keys(got), next, lost, keys(want), wantNext, wantLost)
		}
	}
}

func TestAddAllIsAddInTurn(t *testing.T) {
	batches := [][]string{{"a", "b"}, {"c", "d"}, {"e", "f", "g", "h", "i"}, {}, {"j"}}
	one, all := NewRing(3), NewRing(3)
	for _, b := range batches {
		var evs []Event
		for _, k := range b {
			one.Add(Event{Key: k})
			evs = append(evs, Event{Key: k})
		}
		all.AddAll(evs...)
		if got, want := keys(all.Snapshot()), keys(one.Snapshot()); got != want || all.Total() != one.Total() {
			t.Fatalf("after %v: AddAll kept %q of %d, Add %q of %d", b, got, all.Total(), want, one.Total())
		}
	}
	if got := keys(all.Snapshot()); got != "hij" {
		t.Fatalf("snapshot = %q, want hij", got)
	}
}

func TestSubscribersSeeEveryEventAddedAfterThem(t *testing.T) {
	r := NewRing(1000)
	r.Add(Event{Key: "before"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var subs []<-chan []Event
	for range 10 {
		subs = append(subs, r.Subscribe(ctx, time.Millisecond))
	}
	for i := range 100 {
		r.AddAll(Event{Key: fmt.Sprint(i)})
	}
	var wg sync.WaitGroup
	for i, ch := range subs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n := 0
			for b := range ch {
				for _, e := range b {
					if e.Key != fmt.Sprint(n) {
						t.Errorf("subscriber %d: event %d is %q", i, n, e.Key)
						return
					}
					n++
				}
				if n == 100 {
					return
				}
			}
		}()
	}
	wg.Wait()
}

// BenchmarkRingAdd measures the cost of recording an event, alone and with
// a subscriber reading every event (as the dashboard's one reader does).
func BenchmarkRingAdd(b *testing.B) {
	for _, subs := range []int{0, 1} {
		b.Run(fmt.Sprintf("subscribers=%d", subs), func(b *testing.B) {
			r := NewRing(100000)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			for range subs {
				ch := r.Subscribe(ctx, 10*time.Millisecond)
				go func() {
					for range ch {
					}
				}()
			}
			e := Event{Kind: Transition, Key: "inc-abc", From: "processing", To: "memory"}
			for b.Loop() {
				r.Add(e)
			}
		})
	}
}
