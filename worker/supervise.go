package worker

import (
	"errors"

	"github.com/dusk-go/dusk/worker/nanny"
)

// ExitCode is the process exit code that reports err from Run to a nanny.
func ExitCode(err error) int {
	var refused *RefusedError
	var switched *SwitchError
	switch {
	case err == nil:
		return nanny.ExitClosed
	case errors.Is(err, ErrRestart):
		return nanny.ExitRestart
	case errors.As(err, &refused):
		return nanny.ExitRefused
	case errors.Is(err, ErrDeathTimeout):
		return nanny.ExitDeathTimeout
	case errors.As(err, &switched):
		return nanny.ExitSwitch
	}
	return 1
}

// Failed reports whether err, from Serve, is a failure to log, rather than
// a stop its nanny carries on from (a restart, a switch of binary).
func Failed(err error) bool {
	var switched *SwitchError
	return err != nil && !errors.Is(err, ErrRestart) && !errors.As(err, &switched)
}
