package main

import (
	"os"
	"testing"
)

// TestSpillThroughput runs two rounds of the spill throughput test on
// 128 MiB (two values): every value comes back as it was spilled (the
// test returns an error otherwise), each round has every figure, and the
// spill directory and dd's files are gone afterwards.
func TestSpillThroughput(t *testing.T) {
	dir := t.TempDir()
	res, err := spillThroughput(options{spillData: 2 * spillValue, spillRounds: 2, dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Runs) != 2 {
		t.Fatalf("%d rounds, want 2", len(res.Runs))
	}
	for i, r := range res.Runs {
		if r.Bytes != 2*spillValue {
			t.Errorf("round %d spilled %d bytes, want %d", i+1, r.Bytes, 2*spillValue)
		}
		for name, v := range map[string]float64{
			"store write": r.WriteMBps, "store write synced": r.WriteSyncedMBps, "store read": r.ReadMBps,
			"dd write": r.DDWriteMBps, "dd write direct": r.DDWriteDirectMBps, "dd read": r.DDReadMBps,
			"dd read of the spill files": r.DDReadSpillMBps,
		} {
			if !(v > 0) {
				t.Errorf("round %d: %s %v MB/s", i+1, name, v)
			}
		}
	}
	left, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 0 {
		t.Errorf("%d files left in the benchmark's directory, first %s", len(left), left[0].Name())
	}
}
