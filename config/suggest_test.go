package config

import "testing"

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"", "abc", 3},
		{"abc", "", 3},
		{"abc", "abc", 0},
		{"abc", "abd", 1},
		{"target", "targte", 2},
		{"kitten", "sitting", 3},
		{"flaw", "lawn", 2},
	}
	for _, tt := range tests {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	tests := []struct{ in, want string }{
		{"worker.memory.targte", "worker.memory.target"},
		{"worker.memroy.target", "worker.memory.target"},
		{"worker.memory.limt", "worker.memory.limit"},
		{"worker.nthread", "worker.nthreads"},
		{"scheduler.worksteling", "scheduler.work-stealing"},
		{"worker-memory-target", "worker.memory.target"}, // single underscores in an environment variable
		{"memory.target", "worker.memory.target"},        // the first part left out
		{"nthreads", "worker.nthreads"},
		{"token", "comm.token"},
		{"scheduler.events.capacty", "scheduler.events.capacity"},
		{"completely.different", ""},
		{"xyz", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := suggest(tt.in); got != tt.want {
			t.Errorf("suggest(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
