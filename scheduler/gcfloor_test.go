package scheduler_test

import (
	"runtime"
	"runtime/metrics"
	"testing"

	"github.com/dusk-go/dusk/scheduler"
	"github.com/dusk-go/dusk/wire"
)

func gcPercent() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// A serving scheduler raises the collector's percent for its small heap
// (scheduler.gc-heap-floor) and puts it back when it closes.
func TestSchedulerKeepsAHeapFloorWhileServing(t *testing.T) {
	t.Setenv("GOGC", "")
	base := gcPercent()
	s := serveSchedulerWith(t, scheduler.Options{Security: wire.Security{Token: "t"}, GCHeapFloor: 1 << 30})
	// The floor is set after a collection, by a cleanup that runs once
	// the collection is over: collect until it has run.
	for i := 0; gcPercent() == base; i++ {
		if i == 10000 {
			t.Fatalf("after %d collections the percent is still %d", i, base)
		}
		runtime.GC()
		runtime.Gosched()
	}
	if p := gcPercent(); p <= base {
		t.Fatalf("serving: percent %d, want above %d", p, base)
	}
	s.Close()
	if p := gcPercent(); p != base {
		t.Fatalf("closed: percent %d, want %d back", p, base)
	}
}
