//go:build duckdb_arrow

package main

import (
	"bufio"

	"context"
	"flag"
	"fmt"
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/dusk-go/dusk/codec"
	"log"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
	"github.com/dusk-go/dusk/dataframe/shuffle"
)

// sizeOf is a partition's size in memory as dusk counts it, as a
// one-row record.
var sizeOf = dusk.Register("bench.size-of", func(rec arrow.RecordBatch) arrow.RecordBatch {
	b := array.NewInt64Builder(memory.DefaultAllocator)
	defer b.Release()
	b.Append(codec.SizeOf(rec))
	s := arrow.NewSchema([]arrow.Field{{Name: "bytes", Type: arrow.PrimitiveTypes.Int64}}, nil)
	return array.NewRecordBatch(s, []arrow.Array{b.NewArray()}, 1)
})

var memLimit = flag.Int64("memtest-limit", 0, "each worker's memory limit for -memtest (default: a quarter of the data's size in memory, so that the data is twice the cluster's memory)")

// memTest shuffles data twice the size of the cluster's memory (a range
// shuffle on id into many partitions, each sorted and counted) and reports
// each worker's peak RSS against its limit.
func memTest(ctx context.Context) error {
	size, err := dataBytes(ctx)
	if err != nil {
		return err
	}
	limit := *memLimit
	if limit <= 0 {
		limit = size / 4
	}
	// The workers' Go heaps follow their limit (GOMEMLIMIT), with room for
	// DuckDB's and the runtime's memory outside the heap; worker processes
	// inherit this process's environment.
	os.Setenv("GOMEMLIMIT", strconv.FormatInt(limit*55/100, 10))
	c, err := dusk.Connect(ctx, "", dusk.LocalProcesses(), dusk.LocalWorkers(*workers), dusk.LocalThreads(*threads),
		dusk.LocalMemoryLimit(limit), dusk.Logger(quiet))
	if err != nil {
		return err
	}
	defer c.Close()
	df := dataframe.ReadParquet(c, parquetGlob())
	nout := 4 * df.NPartitions()
	bounds := make([]int64, nout+1)
	for i := range bounds {
		bounds[i] = int64(i * nIDs / nout)
	}
	bounds[nout] = int64(nIDs - 1)
	si, err := df.SetIndex(ctx, "id", dataframe.WithDivisions(dataframe.Bounds(bounds...)))
	if err != nil {
		return err
	}
	start := time.Now()
	rows, err := si.Len(ctx)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	stats, err := dusk.Run[shuffle.Stats](ctx, c, shuffle.ReceiverStats)
	if err != nil {
		return err
	}
	fmt.Printf("shuffle of data twice the cluster's memory (range shuffle on id, %d -> %d partitions, each sorted)\n", df.NPartitions(), nout)
	fmt.Printf("  data in memory (Arrow, as dusk counts it): %s; workers: %d x %s limit (cluster %s, %.1fx smaller than the data); GOMEMLIMIT %s\n",
		mib(size), *workers, mib(limit), mib(limit*int64(*workers)), float64(size)/float64(limit*int64(*workers)), mib(limit*55/100))
	fmt.Printf("  %d rows in %.1f s\n", rows, elapsed.Seconds())
	for name, pid := range c.Local().PIDs() {
		hwm := peakRSS(pid)
		verdict := "under"
		if hwm > limit {
			verdict = "OVER"
		}
		fmt.Printf("  %s (pid %d): peak RSS %s, %s its limit %s\n", name, pid, mib(hwm), verdict, mib(limit))
	}
	for addr, s := range stats {
		fmt.Printf("  receiver at %s: spilled %s, most held in memory at once %s\n", addr, mib(s.Spilled), mib(s.Peak))
	}
	if rows != int64(*rowsFlag) {
		return fmt.Errorf("counted %d rows, want %d", rows, *rowsFlag)
	}
	return nil
}

// dataBytes measures the data's size in memory with a cluster of its own.
func dataBytes(ctx context.Context) (int64, error) {
	c, err := dusk.Connect(ctx, "", dusk.LocalProcesses(), dusk.LocalWorkers(*workers), dusk.LocalThreads(*threads), dusk.Logger(quiet))
	if err != nil {
		return 0, err
	}
	defer c.Close()
	tbl, err := dataframe.ReadParquet(c, parquetGlob()).MapPartitions(sizeOf).Compute(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, ch := range tbl.Column(0).Data().Chunks() {
		for _, v := range ch.(*array.Int64).Int64Values() {
			n += v
		}
	}
	return n, nil
}

// peakRSS reads a process's high-water resident set size.
func peakRSS(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		log.Printf("reading the peak RSS of %d: %v", pid, err)
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "VmHWM:") {
			fs := strings.Fields(sc.Text())
			kb, _ := strconv.ParseInt(fs[1], 10, 64)
			return kb << 10
		}
	}
	return -1
}
