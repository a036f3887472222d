package kernels

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/apache/arrow-go/v18/arrow"
)

// fieldOf returns the field named name, when s has exactly one.
func fieldOf(s *arrow.Schema, name string) (arrow.Field, bool) {
	idx := s.FieldIndices(name)
	if len(idx) != 1 {
		return arrow.Field{}, false
	}
	return s.Field(idx[0]), true
}

// columnOf returns the index of the column name of s; where names the
// kernel in the error of a column that is not there.
func columnOf(s *arrow.Schema, name, where string) (int, error) {
	idx := s.FieldIndices(name)
	if len(idx) == 0 {
		have := make([]string, s.NumFields())
		for i, f := range s.Fields() {
			have[i] = strconv.Quote(f.Name)
		}
		return -1, fmt.Errorf("%s: no column %q; the columns are [%s]", where, name, strings.Join(have, ", "))
	}
	return idx[0], nil
}
