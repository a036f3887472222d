package config

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/dusk-go/dusk/internal/units"
)

// byteUnits maps a lower-case unit to its size in bytes. Decimal units are
// powers of 1000 and binary units powers of 1024; a unit may drop its
// trailing "b" ("4g", "4gi").
var byteUnits = map[string]int64{
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "ki": 1 << 10, "kib": 1 << 10,
	"m": 1e6, "mb": 1e6, "mi": 1 << 20, "mib": 1 << 20,
	"g": 1e9, "gb": 1e9, "gi": 1 << 30, "gib": 1 << 30,
	"t": 1e12, "tb": 1e12, "ti": 1 << 40, "tib": 1 << 40,
	"p": 1e15, "pb": 1e15, "pi": 1 << 50, "pib": 1 << 50,
	"eb": 1e18, "ei": 1 << 60, "eib": 1 << 60, // no bare "e": "5e" is more likely a broken exponent
}

// ParseBytes parses a byte size: a non-negative number, optionally followed
// by a unit, with or without a space between them. Decimal units (kB, MB,
// GB, TB, PB, EB) are powers of 1000, binary units (KiB, MiB, GiB, TiB,
// PiB, EiB) powers of 1024; units are case-insensitive, so "mb" is a megabyte, never
// a megabit. A number without a unit counts bytes, and may be written in
// exponent form ("1e9"). A fractional result is rounded to the nearest
// byte. ParseBytes does not accept "auto"; keys that do handle it
// themselves.
func ParseBytes(s string) (int64, error) {
	t := strings.TrimSpace(s)
	end := len(t)
	for end > 0 && isLetter(t[end-1]) {
		end--
	}
	num, unit := strings.TrimSpace(t[:end]), strings.ToLower(t[end:])
	mult, ok := byteUnits[unit]
	if !ok {
		return 0, fmt.Errorf("config: byte size %q: unknown unit %q (use B, kB, MB, GB, TB, KiB, MiB, GiB or TiB)", s, t[end:])
	}
	if num == "" {
		return 0, fmt.Errorf("config: byte size %q: missing number", s)
	}
	if strings.Trim(num, "0123456789.eE+-") != "" {
		return 0, fmt.Errorf("config: byte size %q: %q is not a number", s, num)
	}
	if n, err := strconv.ParseInt(num, 10, 64); err == nil {
		if n < 0 {
			return 0, fmt.Errorf("config: byte size %q is negative", s)
		}
		if n > math.MaxInt64/mult {
			return 0, fmt.Errorf("config: byte size %q is too large", s)
		}
		return n * mult, nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		if errors.Is(err, strconv.ErrRange) {
			return 0, fmt.Errorf("config: byte size %q is too large: %w", s, err)
		}
		return 0, fmt.Errorf("config: byte size %q: %w", s, err)
	}
	if f < 0 {
		return 0, fmt.Errorf("config: byte size %q is negative", s)
	}
	f = math.Round(f * float64(mult))
	if f >= math.MaxInt64 { // MaxInt64 rounds up to 2^63 as a float64
		return 0, fmt.Errorf("config: byte size %q is too large", s)
	}
	return int64(f), nil
}

func isLetter(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// FormatBytes writes n for people: "512 B", "1.5 GiB", "100 MB"; it is
// units.FormatBytes, whose result ParseBytes reads back.
func FormatBytes(n int64) string { return units.FormatBytes(n) }
