package config

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// Text as an environment variable, a flag or a YAML string would give it.
func TestParseText(t *testing.T) {
	tests := []struct {
		key, in string
		want    any
	}{
		{"scheduler.worker-saturation", "1.5", 1.5},
		{"scheduler.worker-saturation", " 2 ", 2.0},
		{"scheduler.worker-saturation", "inf", math.Inf(1)},
		{"scheduler.worker-saturation", "Inf", math.Inf(1)},
		{"scheduler.worker-saturation", "+infinity", math.Inf(1)},
		{"worker.memory.target", "0.45", 0.45},
		{"worker.memory.target", "1", 1.0},
		{"worker.memory.target", "false", 0.0},
		{"worker.memory.target", "FALSE", 0.0},
		{"worker.memory.target", "0", 0.0},
		{"worker.nthreads", "0", 0},
		{"worker.nthreads", "16", 16},
		{"worker.nthreads", "+4", 4},
		{"scheduler.work-stealing", "true", true},
		{"scheduler.work-stealing", "False", false},
		{"scheduler.work-stealing", "yes", true},
		{"scheduler.work-stealing", "off", false},
		{"scheduler.work-stealing", "1", true},
		{"scheduler.work-stealing-interval", "100ms", 100 * time.Millisecond},
		{"scheduler.work-stealing-interval", "2s", 2 * time.Second},
		{"scheduler.work-stealing-interval", "1m30s", 90 * time.Second},
		{"scheduler.worker-ttl", "0", time.Duration(0)},
		{"scheduler.worker-ttl", "0s", time.Duration(0)},
		{"worker.memory.limit", "auto", AutoBytes},
		{"worker.memory.limit", "AUTO", AutoBytes},
		{"worker.memory.limit", "4GiB", int64(4 << 30)},
		{"worker.memory.limit", "1e9", int64(1e9)},
		{"worker.memory.max-spill", "0", int64(0)},
		{"scheduler.bandwidth", "1.5 GB", int64(15e8)},
		{"scheduler.address", " 0.0.0.0:8786 ", " 0.0.0.0:8786 "}, // strings are taken as written
		{"worker.resources", "GPU=1,MEM=2e9", "GPU=1,MEM=2e9"},
		{"worker.resources", "", ""},
		{"comm.token", "s3cret", "s3cret"},
	}
	for _, tt := range tests {
		got, err := byName[tt.key].parse(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("%s: parse(%q) = %#v, %v; want %#v", tt.key, tt.in, got, err, tt.want)
		}
	}
}

func TestParseTextErrors(t *testing.T) {
	tests := []struct{ key, in string }{
		{"scheduler.worker-saturation", "fast"},
		{"scheduler.worker-saturation", "0"},
		{"scheduler.worker-saturation", "-1"},
		{"scheduler.worker-saturation", "-inf"},
		{"scheduler.worker-saturation", "nan"},
		{"scheduler.worker-saturation", ""},
		{"worker.memory.target", "1.01"},
		{"worker.memory.target", "-0.1"},
		{"worker.memory.target", "true"},
		{"worker.memory.target", "60%"},
		{"worker.memory.target", "nan"},
		{"worker.memory.target", "inf"},
		{"worker.nthreads", "-1"},
		{"worker.nthreads", "2.5"},
		{"worker.nthreads", "four"},
		{"worker.nthreads", "99999999999999999999"},
		{"worker.transfer.max-connections", "0"},
		{"scheduler.work-stealing", "maybe"},
		{"scheduler.work-stealing", ""},
		{"scheduler.work-stealing-interval", "100"}, // a unit is required
		{"scheduler.work-stealing-interval", "0s"},  // must be positive
		{"scheduler.work-stealing-interval", "-1s"},
		{"scheduler.worker-ttl", "-1s"},
		{"scheduler.worker-ttl", "soon"},
		{"worker.memory.limit", "lots"},
		{"worker.memory.limit", "-1"},
		{"worker.memory.max-spill", "auto"}, // auto only where a key allows it
		{"worker.transfer.chunk-size", "0"},
		{"worker.resources", "GPU"},
		{"worker.resources", "=1"},
		{"worker.resources", "GPU=one"},
		{"worker.resources", "GPU=-1"},
		{"worker.resources", "GPU=1,"},
	}
	for _, tt := range tests {
		if got, err := byName[tt.key].parse(tt.in); err == nil {
			t.Errorf("%s: parse(%q) = %#v, want an error", tt.key, tt.in, got)
		}
	}
}

// Go values given to Set.
func TestSetGoValues(t *testing.T) {
	tests := []struct {
		key  string
		in   any
		want any
	}{
		{"scheduler.worker-saturation", 2, 2.0},
		{"scheduler.worker-saturation", float32(0.5), 0.5},
		{"scheduler.worker-saturation", math.Inf(1), math.Inf(1)},
		{"worker.memory.target", 0.5, 0.5},
		{"worker.memory.target", false, 0.0},
		{"worker.memory.target", 1, 1.0},
		{"worker.memory.target", "0.3", 0.3},
		{"worker.nthreads", 8, 8},
		{"worker.nthreads", int64(8), 8},
		{"worker.nthreads", uint8(8), 8},
		{"worker.nthreads", 8.0, 8},
		{"worker.nthreads", "8", 8},
		{"scheduler.work-stealing", false, false},
		{"scheduler.work-stealing", "false", false},
		{"scheduler.address", "0.0.0.0:1", "0.0.0.0:1"},
		{"comm.timeouts.connect", 3 * time.Second, 3 * time.Second},
		{"comm.timeouts.connect", "3s", 3 * time.Second},
		{"worker.memory.limit", int64(1 << 30), int64(1 << 30)},
		{"worker.memory.limit", 1 << 30, int64(1 << 30)},
		{"worker.memory.limit", 1e9, int64(1e9)},
		{"worker.memory.limit", AutoBytes, AutoBytes},
		{"worker.memory.limit", "auto", AutoBytes},
		{"worker.memory.limit", "2GiB", int64(2 << 30)},
	}
	for _, tt := range tests {
		c := New()
		if err := c.Set(tt.key, tt.in); err != nil {
			t.Errorf("Set(%s, %#v): %v", tt.key, tt.in, err)
			continue
		}
		if got, _ := c.Get(tt.key); got != tt.want {
			t.Errorf("after Set(%s, %#v), Get = %#v, want %#v", tt.key, tt.in, got, tt.want)
		}
	}
}

func TestSetBadGoValues(t *testing.T) {
	tests := []struct {
		key  string
		in   any
		want string // in the message
	}{
		{"worker.nthreads", 2.5, `bad value "2.5" for worker.nthreads: want a whole number, 0 or more`},
		{"worker.nthreads", -1, `want a whole number, 0 or more`},
		{"worker.nthreads", true, `bad value "true"`},
		{"worker.nthreads", uint64(math.MaxUint64), `want a whole number`},
		{"worker.transfer.max-connections", 0, `want a whole number greater than 0`},
		{"worker.memory.target", true, `want a fraction in (0, 1], or false to disable`},
		{"worker.memory.target", 1.5, `bad value "1.5"`},
		{"worker.memory.target", math.NaN(), `bad value "NaN"`},
		{"scheduler.worker-saturation", math.NaN(), `want a number greater than 0, or inf`},
		{"scheduler.worker-saturation", 0, `want a number greater than 0, or inf`},
		{"scheduler.work-stealing", 1, `want true or false`},
		{"scheduler.address", 8786, `bad value "8786" for scheduler.address: want a string`},
		{"comm.timeouts.connect", 10, `want a duration like 100ms or 2s greater than 0`},
		{"comm.timeouts.connect", 10.0, `want a duration`},
		{"scheduler.worker-ttl", -time.Second, `bad value "-1s"`},
		{"worker.memory.limit", 1.5, `want a byte size like 4GiB, 512MB or 1e9, or auto`},
		{"worker.memory.limit", -2, `bad value "-2"`},
		{"worker.memory.limit", time.Second, `bad value "1s"`},
		{"worker.memory.max-spill", AutoBytes, `want a byte size like 4GiB, 512MB or 1e9`},
		{"worker.memory.max-spill", nil, `bad value "<nil>"`},
		{"worker.resources", "GPU", `want a list like GPU=1,MEM=2`},
	}
	for _, tt := range tests {
		c := New()
		err := c.Set(tt.key, tt.in)
		var ve *ValueError
		if !errors.As(err, &ve) {
			t.Errorf("Set(%s, %#v) = %v, want a *ValueError", tt.key, tt.in, err)
			continue
		}
		if ve.Key != tt.key || ve.Source.Layer != LayerCode || ve.Err == nil {
			t.Errorf("Set(%s, %#v): %+v", tt.key, tt.in, ve)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Set(%s, %#v) error %q, want it to contain %q", tt.key, tt.in, err, tt.want)
		}
		if src := c.Source(tt.key); src.Layer != LayerDefault {
			t.Errorf("a failed Set(%s) changed the source to %v", tt.key, src)
		}
	}
}

// What Get returns can be given back to Set, and format writes what parse
// reads.
func TestValueRoundTrip(t *testing.T) {
	values := map[string][]any{
		"worker.memory.target":        {0.0, 0.5, 1.0},
		"worker.memory.limit":         {AutoBytes, int64(0), int64(3 << 29), int64(123456789)},
		"scheduler.worker-saturation": {math.Inf(1), 1.1, 1e-9},
		"scheduler.worker-ttl":        {time.Duration(0), 90 * time.Second, 1500 * time.Microsecond},
	}
	for key, vs := range values {
		k := byName[key]
		for _, v := range vs {
			c := New()
			if err := c.Set(key, v); err != nil {
				t.Fatalf("Set(%s, %v): %v", key, v, err)
			}
			got, _ := c.Get(key)
			if err := New().Set(key, got); err != nil {
				t.Errorf("Set(%s, Get() = %#v): %v", key, got, err)
			}
			text := k.format(got)
			back, err := k.parse(text)
			if k.kind == kindBytes && got.(int64) == 123456789 {
				continue // FormatBytes rounds this one
			}
			if err != nil || back != got {
				t.Errorf("%s: parse(format(%#v) = %q) = %#v, %v", key, got, text, back, err)
			}
		}
	}
}
