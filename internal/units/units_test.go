package units

import (
	"math"
	"testing"
)

func TestFormatBytes(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0 B"},
		{1, "1 B"},
		{512, "512 B"},
		{999, "999 B"},
		{1000, "1 kB"},
		{1001, "1001 B"},
		{1023, "1023 B"},
		{1024, "1 KiB"},
		{1536, "1.5 KiB"},
		{3000, "3 kB"},
		{1 << 20, "1 MiB"},
		{100e6, "100 MB"},
		{15e8, "1.5 GB"},
		{3 << 29, "1.5 GiB"},
		{4 << 30, "4 GiB"},
		{1e9, "1 GB"},
		{123456789, "117.74 MiB"},
		{4096000, "3.91 MiB"},
		{1<<20 - 1, "1 MiB"}, // 1023.999 KiB rounds up to the next unit
		{1 << 60, "1 EiB"},
		{math.MaxInt64, "8 EiB"},
		{-1536, "-1.5 KiB"},
		{math.MinInt64, "-8 EiB"},
	}
	for _, tt := range tests {
		if got := FormatBytes(tt.in); got != tt.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestFormatResources(t *testing.T) {
	for _, tt := range []struct {
		in   map[string]float64
		want string
	}{
		{nil, ""},
		{map[string]float64{"GPU": 1}, "GPU=1"},
		{map[string]float64{"MEM": 2.5e9, "GPU": 0.5}, "GPU=0.5,MEM=2.5e+09"},
	} {
		if got := FormatResources(tt.in); got != tt.want {
			t.Errorf("FormatResources(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
