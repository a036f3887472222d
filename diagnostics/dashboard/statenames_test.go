package dashboard

import (
	"testing"

	"github.com/dusk-go/dusk/scheduler/state"
)

// The page's state names are the ones the scheduler's transition events
// carry.
func TestStateNamesAreTheSchedulers(t *testing.T) {
	want := [nStates]string{
		sReleased: state.Released.String(), sWaiting: state.Waiting.String(), sNoWorker: state.NoWorker.String(),
		sQueued: state.Queued.String(), sProcessing: state.Processing.String(), sMemory: state.Memory.String(),
		sErred: state.Erred.String(), sForgotten: state.Forgotten.String(),
	}
	if stateNames != want {
		t.Fatalf("state names %v, the scheduler's %v", stateNames, want)
	}
}
