package config

import (
	"math"
	"strings"
	"testing"
)

func TestParseBytes(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"1", 1},
		{"  7  ", 7},
		{"512B", 512},
		{"512 b", 512},
		{"1kB", 1000},
		{"1KB", 1000},
		{"1k", 1000},
		{"1KiB", 1024},
		{"1kib", 1024},
		{"1Ki", 1024},
		{"512MB", 512e6},
		{"512mb", 512e6},
		{"100MB", 100e6},
		{"4GiB", 4 << 30},
		{"4 GiB", 4 << 30},
		{"4gib", 4 << 30},
		{"4G", 4e9},
		{"1.5 GiB", 3 << 29},
		{"1.5GB", 15e8},
		{"2TB", 2e12},
		{"2TiB", 2 << 40},
		{"1PiB", 1 << 50},
		{"1e9", 1e9},
		{"1E9", 1e9},
		{"1e3kB", 1e6},
		{"2.5e3", 2500},
		{"0.5KiB", 512},
		{"0.1MiB", 104858}, // 104857.6 rounds to the nearest byte
		{"+3", 3},
		{"9223372036854775807", math.MaxInt64},
		{"8191PiB", 8191 << 50},
		{"1 EiB", 1 << 60},
		{"2EB", 2e18},
	}
	for _, tt := range tests {
		got, err := ParseBytes(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseBytes(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseBytesErrors(t *testing.T) {
	tests := []struct {
		in, msg string
	}{
		{"", "missing number"},
		{"  ", "missing number"},
		{"GiB", "missing number"},
		{"abc", "unknown unit"},
		{"4XB", "unknown unit"},
		{"4 mbit", "unknown unit"},
		{"inf", "unknown unit"},
		{"NaN", "unknown unit"},
		{"-1", "negative"},
		{"-1.5GB", "negative"},
		{"1.2.3MB", "invalid syntax"},
		{"1 2MB", "not a number"},
		{"0x10", "not a number"},
		{"1_000", "not a number"},
		{"1e30", "too large"},
		{"9223372036854775808", "too large"},
		{"8EiB", "too large"},
		{"5e", "unknown unit"}, // no bare "e" unit
		{"8192PiB", "too large"},
		{"1e400", "too large"},
	}
	for _, tt := range tests {
		got, err := ParseBytes(tt.in)
		if err == nil {
			t.Errorf("ParseBytes(%q) = %d, want an error", tt.in, got)
			continue
		}
		if !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("ParseBytes(%q) error %q, want it to say %q", tt.in, err, tt.msg)
		}
	}
}

// Sizes FormatBytes writes exactly read back as the same number.
func TestFormatBytesRoundTrip(t *testing.T) {
	for _, n := range []int64{0, 1, 999, 1000, 1024, 1536, 100e6, 64 << 20, 128 << 20, 3 << 29, 1e12, 5 << 40, 1 << 50, 7 << 60, 9e18} {
		s := FormatBytes(n)
		got, err := ParseBytes(s)
		if err != nil || got != n {
			t.Errorf("ParseBytes(FormatBytes(%d) = %q) = %d, %v", n, s, got, err)
		}
	}
}
