package dataframe_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/dataframe"
)

// A persisted DataFrame published by one client is the same DataFrame,
// divisions included, for another client after the first has gone.
func TestPublishedDataFrame(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	rows := makeRows(1000, 97, 4)
	df, err := dataframe.FromRecords(ctx, c, rows, dataframe.Partitions(4))
	if err != nil {
		t.Fatal(err)
	}
	si, err := df.SetIndex(ctx, "id")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Publish(ctx, "si", si); err == nil || !strings.Contains(err.Error(), "Persist first") {
		t.Fatalf("publishing a DataFrame not persisted: %v", err)
	}
	p, err := si.Persist(ctx)
	if err != nil {
		t.Fatal(err)
	}
	c1, err := dusk.Connect(ctx, c.Scheduler(), dusk.Token(c.Local().Token()))
	if err != nil {
		t.Fatal(err)
	}
	defer c1.Close()
	if err := c.Publish(ctx, "si", p); err != nil {
		t.Fatal(err)
	}
	want := rowsOf(t, mustCompute(t, ctx, p))
	d, err := c1.Dataset(ctx, "si")
	if err != nil {
		t.Fatal(err)
	}
	got, err := dataframe.FromDataset(d)
	if err != nil {
		t.Fatal(err)
	}
	d.Release()
	if fmt.Sprint(got.Divisions()) != fmt.Sprint(p.Divisions()) || got.NPartitions() != p.NPartitions() {
		t.Fatalf("divisions %v over %d partitions; published %v over %d", got.Divisions(), got.NPartitions(), p.Divisions(), p.NPartitions())
	}
	if fmt.Sprint(got.Schema()) != fmt.Sprint(p.Schema()) {
		t.Fatalf("schema %v, published %v", got.Schema(), p.Schema())
	}
	if rows := rowsOf(t, mustCompute(t, ctx, got)); fmt.Sprint(rows) != fmt.Sprint(want) {
		t.Fatal("the published DataFrame's rows differ")
	}
	if _, err := dataframe.FromDataset(d); err == nil || !strings.Contains(err.Error(), "was released") {
		t.Fatalf("FromDataset of a released Dataset: %v", err)
	}
}
