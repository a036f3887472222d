// Package units writes quantities for people: byte sizes and worker
// resources. It imports nothing of dusk, so that the scheduler's pure core
// and the shells around it print them the same way.
package units

import (
	"fmt"
	"math/bits"
	"sort"
	"strconv"
	"strings"
)

// A byteUnit is a unit FormatBytes may print.
type byteUnit struct {
	size uint64
	name string
}

// Largest first.
var (
	binaryUnits  = []byteUnit{{1 << 60, "EiB"}, {1 << 50, "PiB"}, {1 << 40, "TiB"}, {1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}}
	decimalUnits = []byteUnit{{1e18, "EB"}, {1e15, "PB"}, {1e12, "TB"}, {1e9, "GB"}, {1e6, "MB"}, {1e3, "kB"}}
)

// FormatBytes writes n for people: "512 B", "1.5 GiB", "100 MB". It uses the
// largest binary unit that gives an exact value with at most two decimals,
// otherwise the largest decimal unit that does, otherwise the binary unit
// rounded to two decimals. So sizes people write round ("100MB", "4GiB")
// print the way they were written, and config.ParseBytes reads the result
// back (exactly, unless it was rounded).
func FormatBytes(n int64) string {
	if n < 0 {
		return "-" + formatBytes(uint64(-(n+1))+1) // -MinInt64 overflows int64
	}
	return formatBytes(uint64(n))
}

func formatBytes(n uint64) string {
	if s, ok := exactUnit(n, binaryUnits); ok {
		return s
	}
	if s, ok := exactUnit(n, decimalUnits); ok {
		return s
	}
	if n < 1<<10 {
		return strconv.FormatUint(n, 10) + " B"
	}
	for i, u := range binaryUnits {
		if n < u.size {
			continue
		}
		v := strconv.FormatFloat(float64(n)/float64(u.size), 'f', 2, 64)
		if v == "1024.00" && i > 0 { // rounding reached the next unit
			return "1 " + binaryUnits[i-1].name
		}
		return trimZeros(v) + " " + u.name
	}
	panic("unreachable")
}

// exactUnit formats n in the largest of units (largest first) that does not
// exceed n, if n is a multiple of a hundredth of it.
func exactUnit(n uint64, units []byteUnit) (string, bool) {
	if n == 0 {
		return "0 B", true
	}
	for _, u := range units {
		if n < u.size {
			continue
		}
		q, r := n/u.size, n%u.size
		hi, lo := bits.Mul64(r, 100)
		cents, rem := bits.Div64(hi, lo, u.size) // hi < 100 < u.size
		if rem != 0 {
			return "", false
		}
		s := strconv.FormatUint(q, 10)
		if cents != 0 {
			s = trimZeros(fmt.Sprintf("%s.%02d", s, cents))
		}
		return s + " " + u.name, true
	}
	return "", false
}

// trimZeros drops trailing zeros after a decimal point, and the point if
// nothing follows it.
func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

// FormatResources writes abstract resources as "GPU=1,MEM=2", sorted by
// name: the form workers declare them in (--resources).
func FormatResources(r map[string]float64) string {
	keys := make([]string, 0, len(r))
	for k := range r {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.FormatFloat(r[k], 'g', -1, 64)
	}
	return strings.Join(parts, ",")
}
