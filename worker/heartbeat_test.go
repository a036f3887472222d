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
