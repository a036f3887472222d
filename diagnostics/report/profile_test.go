package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// A profile without CPU samples (a computation shorter than the sampling
// interval) says so, rather than showing an empty profile with no reason.
func TestProfileWithoutSamplesSaysWhy(t *testing.T) {
	p := &profile.Profile{
		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
		PeriodType: &profile.ValueType{Type: "cpu", Unit: "nanoseconds"},
		Period:     10000000,
	}
	var b bytes.Buffer
	if err := p.Write(&b); err != nil {
		t.Fatal(err)
	}
	got := buildProfile([][]byte{b.Bytes()}, nil)
	if got.Seconds != 0 || len(got.Prefixes) != 0 {
		t.Fatalf("profile of no samples = %+v", got)
	}
	if len(got.Notes) != 1 || !strings.Contains(got.Notes[0], "no CPU samples") {
		t.Fatalf("notes = %q, want one saying there are no CPU samples", got.Notes)
	}
}
