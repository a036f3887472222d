package config

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		set  map[string]any
		env  []string
		want []string // the lines of the error; none for a valid config
	}{
		{name: "defaults"},
		{name: "all equal", set: map[string]any{"worker.memory.target": 0.9, "worker.memory.spill": 0.9, "worker.memory.pause": 0.9, "worker.memory.terminate": 0.9}},
		{name: "all disabled", set: map[string]any{"worker.memory.target": false, "worker.memory.spill": false, "worker.memory.pause": false, "worker.memory.terminate": false}},
		{name: "disabled one skipped", set: map[string]any{"worker.memory.spill": false, "worker.memory.target": 0.75}},
		{
			name: "target above spill",
			set:  map[string]any{"worker.memory.spill": 0.5},
			env:  []string{"DUSK_WORKER__MEMORY__TARGET=0.65"},
			want: []string{"config: worker.memory.target = 0.65 (env DUSK_WORKER__MEMORY__TARGET) is above worker.memory.spill = 0.5 (code); the memory thresholds must rise in the order target, spill, pause, terminate"},
		},
		{
			name: "across a disabled one",
			set:  map[string]any{"worker.memory.pause": false, "worker.memory.terminate": 0.65},
			want: []string{"config: worker.memory.spill = 0.7 (default) is above worker.memory.terminate = 0.65 (code); the memory thresholds must rise in the order target, spill, pause, terminate"},
		},
		{
			name: "two broken rules",
			set:  map[string]any{"worker.memory.terminate": 0.5, "comm.tls.key": "/etc/dusk/key.pem"},
			want: []string{
				"config: worker.memory.pause = 0.8 (default) is above worker.memory.terminate = 0.5 (code); the memory thresholds must rise in the order target, spill, pause, terminate",
				`config: comm.tls.cert = "" (default) and comm.tls.key = /etc/dusk/key.pem (code) go together: set both for TLS, or neither`,
			},
		},
		{name: "tls pair", set: map[string]any{"comm.tls.cert": "c.pem", "comm.tls.key": "k.pem"}},
	}
	for _, tt := range tests {
		c := New()
		if _, err := c.loadEnv(tt.env); err != nil {
			t.Fatal(err)
		}
		for k, v := range tt.set {
			if err := c.Set(k, v); err != nil {
				t.Fatalf("%s: Set(%s, %v): %v", tt.name, k, v, err)
			}
		}
		err := c.Validate()
		switch {
		case len(tt.want) == 0 && err != nil:
			t.Errorf("%s: Validate = %v, want nil", tt.name, err)
		case len(tt.want) > 0 && (err == nil || err.Error() != strings.Join(tt.want, "\n")):
			t.Errorf("%s: Validate = %v\nwant %s", tt.name, err, strings.Join(tt.want, "\n"))
		}
	}
}

func TestLayerAndSourceStrings(t *testing.T) {
	tests := []struct {
		s    Source
		want string
	}{
		{Source{}, "default"},
		{Source{Layer: LayerCode}, "code"},
		{Source{Layer: LayerFile, File: "/etc/dusk.yaml", Line: 12}, "file /etc/dusk.yaml:12"},
		{Source{Layer: LayerFile, File: "/etc/dusk.yaml"}, "file /etc/dusk.yaml"},
		{Source{Layer: LayerEnv, Name: "DUSK_WORKER__NTHREADS"}, "env DUSK_WORKER__NTHREADS"},
		{Source{Layer: LayerFlag, Name: "--nthreads"}, "flag --nthreads"},
		{Source{Layer: 9}, "Layer(9)"},
	}
	for _, tt := range tests {
		if got := tt.s.String(); got != tt.want {
			t.Errorf("%+v.String() = %q, want %q", tt.s, got, tt.want)
		}
	}
}
