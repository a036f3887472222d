package dashboard

import (
	"net/http"

	"github.com/dusk-go/dusk/diagnostics/event"
)

// StoryStep is one transition of a key's story as the page shows it.
type StoryStep struct {
	Time     float64 `json:"time"`
	From     string  `json:"from"`
	To       string  `json:"to"`
	Worker   string  `json:"worker,omitempty"`
	Cause    uint64  `json:"cause"`
	Stimulus string  `json:"stimulus"`
}

// story answers /api/story?key=K: the key's transitions, each with the
// cause that made it, read from the event ring (what it still holds of
// the key), never from the scheduler's state.
func (s *Server) story(w http.ResponseWriter, r *http.Request) {
	key := r.URL.Query().Get("key")
	if key == "" {
		http.Error(w, "story: give the task's key: /api/story?key=...", http.StatusBadRequest)
		return
	}
	steps := []StoryStep{}
	for _, e := range event.Story(s.agg.src.Events().Snapshot(), key) {
		steps = append(steps, StoryStep{Time: ms(e.Time), From: e.From, To: e.To, Worker: e.Worker,
			Cause: e.Cause, Stimulus: e.Stimulus})
	}
	writeJSON(w, map[string]any{"key": key, "story": steps})
}
