// Package testcluster holds what dusk's tests of a live cluster share: a
// bounded context, a quiet logger and a local cluster closed when the test
// ends.
package testcluster

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/dusk-go/dusk"
)

// Timeout bounds a test; it is generous: tests never need it to pass, only
// to fail instead of hanging.
const Timeout = 3 * time.Minute

// Context returns a context that ends after Timeout or with the test.
func Context(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	t.Cleanup(cancel)
	return ctx
}

// QuietLogger drops the cluster's log unless DUSK_TEST_LOG is set, which
// shows it all on standard error.
func QuietLogger() *slog.Logger {
	if os.Getenv("DUSK_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// New starts a local cluster (2 in-process workers of 2 threads unless
// opts say otherwise) and a client. onFail, if set, runs when the test
// failed, before the client closes at the test's end.
func New(t testing.TB, ctx context.Context, onFail func(*dusk.Client), opts ...dusk.Option) *dusk.Client {
	t.Helper()
	all := append([]dusk.Option{dusk.LocalWorkers(2), dusk.LocalThreads(2), dusk.Logger(QuietLogger())}, opts...)
	c, err := dusk.Connect(ctx, "", all...)
	if err != nil {
		t.Fatalf("starting a local cluster: %v", err)
	}
	t.Cleanup(func() {
		if t.Failed() && onFail != nil {
			onFail(c)
		}
		c.Close()
	})
	return c
}
