package dusk_test

import (
	"os"
	"testing"

	"github.com/dusk-go/dusk"
)

// TestMain lets the test binary serve as a worker process (clusters with
// worker processes start this binary with DUSK_ROLE=worker), and as a
// client process of the fault suite.
func TestMain(m *testing.M) {
	dusk.Main()
	if os.Getenv(envFaultClient) != "" {
		os.Exit(faultClient())
	}
	if os.Getenv(envLockHolder) != "" {
		os.Exit(lockHolder())
	}
	os.Exit(m.Run())
}
