package worker

import (
	"context"
	"errors"

	"github.com/dusk-go/dusk/worker/nanny"
)

// Supervise runs in-process workers made by newWorker one after another:
// a fresh one whenever the scheduler asks for a restart. It returns when a
// worker ends for any other reason.
func Supervise(ctx context.Context, newWorker func() (*Worker, error)) error {
	for {
		w, err := newWorker()
		if err != nil {
			return err
		}
		err = w.Run(ctx)
		if errors.Is(err, ErrRestart) && ctx.Err() == nil {
			continue
		}
		return err
	}
}

// ExitCode is the process exit code that reports err from Run to a nanny.
func ExitCode(err error) int {
	var refused *RefusedError
	switch {
	case err == nil:
		return nanny.ExitClosed
	case errors.Is(err, ErrRestart):
		return nanny.ExitRestart
	case errors.As(err, &refused):
		return nanny.ExitRefused
	}
	return 1
}
