//go:build linux

package dataframe_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/dusk-go/dusk/dataframe"
	"github.com/dusk-go/dusk/internal/testdisk"
)

// ToParquet onto a file system that fills up: the error says the disk is
// full and names the file, and nothing is left of the dataset, not even
// its temporary directory; the directory written before stays whole.
func TestToParquetOntoAFullDisk(t *testing.T) {
	disk := testdisk.Small(t, 1<<20)
	ctx := testContext(t)
	c := newCluster(t, ctx)
	small, err := dataframe.FromRecords(ctx, c, makeRows(100, 10, 2), dataframe.Partitions(2))
	if err != nil {
		t.Fatal(err)
	}
	kept := filepath.Join(disk, "small")
	if err := small.ToParquet(ctx, kept, dataframe.Compression("none")); err != nil {
		t.Fatal(err)
	}
	before := listDir(t, kept)
	// 200,000 rows of four columns, uncompressed: several MiB.
	big, err := dataframe.FromRecords(ctx, c, makeRows(200000, 100000, 50), dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(disk, "big")
	err = big.ToParquet(ctx, target, dataframe.Compression("none"))
	if err == nil {
		t.Fatal("writing several MiB onto a 1 MiB disk succeeded")
	}
	if !errors.Is(err, syscall.ENOSPC) && !strings.Contains(strings.ToLower(err.Error()), "no space left on device") {
		t.Fatalf("error %q does not say the disk is full", err)
	}
	if !strings.Contains(err.Error(), disk) {
		t.Fatalf("error %q does not name the file it could not write", err)
	}
	ents, err := os.ReadDir(disk)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if fmt.Sprint(names) != "[small]" {
		t.Fatalf("the disk holds %v after the failed write; want only the dataset written before", names)
	}
	if after := listDir(t, kept); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("the dataset written before changed: %v, was %v", after, before)
	}
}
