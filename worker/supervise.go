package worker

import (
	"errors"

	"github.com/dusk-go/dusk/worker/nanny"
)

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
	case errors.Is(err, ErrDeathTimeout):
		return nanny.ExitDeathTimeout
	}
	return 1
}
