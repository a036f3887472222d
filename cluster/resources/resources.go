// Package resources reads and writes abstract worker resources, such as
// "GPU=1,MEM=2": amounts a worker supplies and tasks consume.
package resources

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/dusk-go/dusk/internal/units"
)

// Format writes resources as "GPU=1,MEM=2", sorted by name; it is
// units.FormatResources, whose result Parse reads back.
func Format(r map[string]float64) string { return units.FormatResources(r) }

// Parse reads "GPU=1,MEM=2"; an empty string is no resources.
func Parse(s string) (map[string]float64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	out := map[string]float64{}
	for _, part := range strings.Split(s, ",") {
		name, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || name == "" {
			return nil, fmt.Errorf("dusk: resource %q: want NAME=amount, as in GPU=1", part)
		}
		v, err := strconv.ParseFloat(val, 64)
		if err != nil || v < 0 {
			return nil, fmt.Errorf("dusk: resource %q: the amount must be a number >= 0", part)
		}
		out[name] = v
	}
	return out, nil
}
