package dataframe_test

import (
	"os"
	"testing"

	"github.com/dusk-go/dusk"
)

// TestMain lets the test binary serve as a worker process: clusters with
// worker processes start this binary with DUSK_ROLE=worker.
func TestMain(m *testing.M) {
	dusk.Main()
	os.Exit(m.Run())
}
