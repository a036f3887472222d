package dataframe

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/dusk-go/dusk"
)

var fnTimeseries = dusk.Register("dataframe.timeseries", timeseriesPartition)

// TimeseriesOption configures Timeseries.
type TimeseriesOption func(*timeseriesOptions)

type timeseriesOptions struct {
	seed int64
}

// Seed sets the seed of Timeseries' random values (default 0): the same
// seed makes the same table.
func Seed(n int64) TimeseriesOption { return func(o *timeseriesOptions) { o.seed = n } }

// timeseriesNames are the values of Timeseries' name column.
var timeseriesNames = []string{"Alice", "Bob", "Charlie", "Dan", "Edith", "Frank", "George", "Hannah",
	"Ingrid", "Jerry", "Kevin", "Laura", "Michael", "Norbert", "Oliver", "Patricia", "Quinn", "Ray",
	"Sarah", "Tim", "Ursula", "Victor", "Wendy", "Xavier", "Yvonne", "Zelda"}

// timeseriesSpec is all a Timeseries partition is made from on a worker:
// times in microseconds since 1970 (UTC).
type timeseriesSpec struct {
	Start int64 // the first timestamp of the series
	Freq  int64 // between rows
	From  int64 // the partition holds the series' times in [From, To)
	To    int64
	Seed  int64
	Index int64 // the partition's number, which picks its random stream
}

// Timeseries is a random table of a time series, like Dask's
// dask.datasets.timeseries, for trying things out and for benchmarks: a
// row every freq from start (inclusive) to end (exclusive), with the
// columns timestamp (a timestamp without time zone, in UTC), id (int64,
// about 1000: a Poisson(1000) drawn as a rounded normal), name (string,
// one of 26 first names) and x, y (float64, uniform in [-1, 1)). There is
// a partition per partitionFreq of time, whose bounds are the DataFrame's
// divisions on timestamp (as int64 microseconds). Each partition is made
// on a worker from its bounds, the seed and its number, so nothing but
// those numbers leaves this process; the same seed (see Seed) gives the
// same table. freq and partitionFreq are whole microseconds; end must come
// after start.
func Timeseries(c *dusk.Client, start, end time.Time, freq, partitionFreq time.Duration, opts ...TimeseriesOption) *DataFrame {
	var o timeseriesOptions
	for _, f := range opts {
		f(&o)
	}
	df := &DataFrame{c: c}
	switch {
	case !end.After(start):
		return df.fail("Timeseries", fmt.Errorf("end %s is not after start %s", end, start))
	case freq < time.Microsecond || freq%time.Microsecond != 0:
		return df.fail("Timeseries", fmt.Errorf("freq %s is not a positive whole number of microseconds", freq))
	case partitionFreq < time.Microsecond || partitionFreq%time.Microsecond != 0:
		return df.fail("Timeseries", fmt.Errorf("partitionFreq %s is not a positive whole number of microseconds", partitionFreq))
	}
	s, e := start.UnixMicro(), end.UnixMicro()
	pf := partitionFreq.Microseconds()
	nparts := (e - s + pf - 1) / pf
	if nparts > 1<<20 {
		return df.fail("Timeseries", fmt.Errorf("%d partitions of %s from %s to %s are too many; give a longer partitionFreq", nparts, partitionFreq, start, end))
	}
	specs := make([]timeseriesSpec, nparts)
	bounds := make([]any, nparts+1)
	for i := range specs {
		from := s + int64(i)*pf
		specs[i] = timeseriesSpec{Start: s, Freq: freq.Microseconds(), From: from, To: min(from+pf, e), Seed: o.seed, Index: int64(i)}
		bounds[i] = from
	}
	bounds[nparts] = e
	rows := (e - s + freq.Microseconds() - 1) / freq.Microseconds()
	df.n = &timeseriesNode{specs: specs, start: start, end: end, freq: freq, pfreq: partitionFreq,
		m: &meta{schema: timeseriesSchema, nparts: int(nparts), bytes: rows * 40,
			divs: &Divisions{Column: "timestamp", Bounds: bounds}}}
	return df
}

var timeseriesSchema = arrow.NewSchema([]arrow.Field{
	{Name: "timestamp", Type: &arrow.TimestampType{Unit: arrow.Microsecond}, Nullable: true},
	{Name: "id", Type: arrow.PrimitiveTypes.Int64, Nullable: true},
	{Name: "name", Type: arrow.BinaryTypes.String, Nullable: true},
	{Name: "x", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
	{Name: "y", Type: arrow.PrimitiveTypes.Float64, Nullable: true},
}, nil)

// timeseriesNode makes Timeseries' partitions.
type timeseriesNode struct {
	specs      []timeseriesSpec
	start, end time.Time
	freq       time.Duration
	pfreq      time.Duration
	m          *meta
}

func (n *timeseriesNode) meta() *meta      { return n.m }
func (n *timeseriesNode) children() []node { return nil }
func (n *timeseriesNode) label() string {
	return fmt.Sprintf("Timeseries %s to %s freq=%s partition-freq=%s partitions=%d",
		n.start.UTC().Format(time.RFC3339), n.end.UTC().Format(time.RFC3339), n.freq, n.pfreq, n.m.nparts)
}

func (n *timeseriesNode) lower(*lowering) ([]part, error) {
	out := make([]part, len(n.specs))
	for i, sp := range n.specs {
		out[i] = dusk.Call[arrow.RecordBatch](fnTimeseries, sp)
	}
	return out, nil
}

// timeseriesPartition makes one partition of Timeseries: the series' times
// in [From, To), with random values from the stream of (Seed, Index).
func timeseriesPartition(sp timeseriesSpec) (arrow.RecordBatch, error) {
	if sp.Freq <= 0 || sp.To < sp.From || sp.From < sp.Start {
		return nil, fmt.Errorf("dataframe: a timeseries partition of [%d, %d) every %d from %d", sp.From, sp.To, sp.Freq, sp.Start)
	}
	// The first row at or after From.
	k := (sp.From - sp.Start + sp.Freq - 1) / sp.Freq
	first := sp.Start + k*sp.Freq
	n := 0
	if first < sp.To {
		n = int((sp.To - first + sp.Freq - 1) / sp.Freq)
	}
	r := rand.New(rand.NewPCG(uint64(sp.Seed), uint64(sp.Index)))
	b := array.NewRecordBuilder(mem, timeseriesSchema)
	defer b.Release()
	ts := b.Field(0).(*array.TimestampBuilder)
	ids := b.Field(1).(*array.Int64Builder)
	names := b.Field(2).(*array.StringBuilder)
	xs := b.Field(3).(*array.Float64Builder)
	ys := b.Field(4).(*array.Float64Builder)
	for _, f := range b.Fields() {
		f.Reserve(n)
	}
	sd := math.Sqrt(1000)
	for i := range n {
		ts.Append(arrow.Timestamp(first + int64(i)*sp.Freq))
		ids.Append(max(0, int64(math.Round(1000+sd*r.NormFloat64()))))
		names.Append(timeseriesNames[r.IntN(len(timeseriesNames))])
		xs.Append(r.Float64()*2 - 1)
		ys.Append(r.Float64()*2 - 1)
	}
	return b.NewRecordBatch(), nil
}
