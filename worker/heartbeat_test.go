package worker

import (
	"testing"
	"time"
)

func TestCPUMeterReportsCoresBetweenSamples(t *testing.T) {
	var m cpuMeter
	t0 := time.Unix(100, 0)
	if got := m.cores(5*time.Second, t0); got != 0 {
		t.Fatalf("first sample = %v, want 0", got)
	}
	if got := m.cores(6500*time.Millisecond, t0.Add(time.Second)); got != 1.5 {
		t.Fatalf("1.5s of CPU in 1s = %v cores", got)
	}
	if got := m.cores(6*time.Second, t0.Add(2*time.Second)); got != 0 {
		t.Fatalf("CPU time going back = %v, want 0", got)
	}
}

// The fetch rate is the first counted fetch's, then a moving average;
// fetches under a megabyte (mostly the round trip) do not count.
func TestFetchRateAveragesFetchesOfAMegabyteOrMore(t *testing.T) {
	var r fetchRate
	r.add(512<<10, time.Millisecond)
	if got := r.get(); got != 0 {
		t.Fatalf("a 512 KiB fetch counted: %v", got)
	}
	r.add(100<<20, time.Second) // 104,857,600 B/s
	if got, want := r.get(), float64(100<<20); got != want {
		t.Fatalf("after one fetch = %v, want %v", got, want)
	}
	r.add(100<<20, 100*time.Millisecond) // ten times faster
	if got, want := r.get(), float64(100<<20)*(1+rateWeight*9); got != want {
		t.Fatalf("after two fetches = %v, want %v", got, want)
	}
	r.add(10<<20, 0)
	if got, want := r.get(), float64(100<<20)*(1+rateWeight*9); got != want {
		t.Fatalf("a fetch of no duration changed the rate to %v", got)
	}
}
