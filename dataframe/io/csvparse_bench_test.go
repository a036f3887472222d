package io

import (
	"os"
	"testing"
)

// BenchmarkParseCSV parses one file given by DUSK_BENCH_CSV (skipped
// without it), as one partition.
func BenchmarkParseCSV(b *testing.B) {
	path := os.Getenv("DUSK_BENCH_CSV")
	if path == "" {
		b.Skip("set DUSK_BENCH_CSV to a CSV file of id,k,x,y")
	}
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	sp := CSVSplit{Path: path, Start: 0, End: st.Size(), Header: true, Delim: ',',
		Names: []string{"id", "k", "x", "y"}, Kinds: []string{kindInt64, kindString, kindFloat64, kindFloat64}}
	b.SetBytes(st.Size())
	for b.Loop() {
		if _, err := ReadCSVSplit(b.Context(), sp); err != nil {
			b.Fatal(err)
		}
	}
}
