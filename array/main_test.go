package array_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
)

// TestMain lets the test binary serve as a worker process.
func TestMain(m *testing.M) {
	dusk.Main()
	os.Exit(m.Run())
}

// client returns a client of a local cluster of two workers, closed when
// the test ends.
func client(t *testing.T) (context.Context, *dusk.Client) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	c, err := dusk.Connect(ctx, "", dusk.LocalWorkers(2), dusk.LocalThreads(1), dusk.LocalDashboard("off"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return ctx, c
}
