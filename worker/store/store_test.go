package store

import (
	"bytes"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/dusk-go/dusk/codec"
	"github.com/dusk-go/dusk/graph"
)

var bytesType = reflect.TypeFor[[]byte]()

// randomBytes returns n bytes that do not compress.
func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)})
	_, _ = r.Read(b)
	return b
}

// spillingStore returns a store that spills to a fresh directory holding at
// most max bytes.
func spillingStore(t *testing.T, max int64) (*Store, *SpillDir) {
	t.Helper()
	d, err := NewSpillDir(filepath.Join(t.TempDir(), "spill"), max)
	if err != nil {
		t.Fatal(err)
	}
	s := NewStore()
	s.SpillTo(d, 0)
	return s, d
}

// files lists the files in a spill directory.
func files(t *testing.T, d *SpillDir) []string {
	t.Helper()
	es, err := os.ReadDir(d.Dir())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

func onDisk(s *Store, k graph.Key) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[k]
	return e != nil && !e.inMemory
}

func mustValue(t *testing.T, s *Store, k graph.Key, want []byte) {
	t.Helper()
	v, err := s.Value(k, bytesType)
	if err != nil {
		t.Fatalf("Value(%s): %v", k, err)
	}
	if !bytes.Equal(v.Interface().([]byte), want) {
		t.Fatalf("Value(%s) differs from what was stored", k)
	}
}

// Spill writes out the least recently used values first, and only as many
// as it needs; reading a value counts as using it.
func TestSpillLeastRecentlyUsedFirst(t *testing.T) {
	s, d := spillingStore(t, 0)
	vals := map[graph.Key][]byte{}
	for i, k := range []graph.Key{"a", "b", "c", "d"} {
		vals[k] = randomBytes(uint64(i), 10000)
		s.Put(k, vals[k])
	}
	size := codec.SizeOf(vals["a"])
	mustValue(t, s, "a", vals["a"]) // a is now the most recently used
	freed, err := s.Spill(size + 1) // needs two values
	if err != nil {
		t.Fatal(err)
	}
	if freed != 2*size {
		t.Fatalf("freed %d, want %d", freed, 2*size)
	}
	for k, want := range map[graph.Key]bool{"a": false, "b": true, "c": true, "d": false} {
		if onDisk(s, k) != want {
			t.Errorf("%s on disk = %v, want %v", k, !want, want)
		}
	}
	st := s.Stats()
	if st.Keys != 4 || st.Managed != 2*size || st.Spilled != 2*size || st.SpilledKeys != 2 || st.Disk < 2*10000 {
		t.Fatalf("stats after spilling = %+v", st)
	}
	if n := len(files(t, d)); n != 2 {
		t.Fatalf("%d files in the spill directory, want 2", n)
	}
	// Spilling with nothing needed does nothing; spilling everything
	// spills the rest.
	if freed, _ := s.Spill(0); freed != 0 {
		t.Fatalf("Spill(0) freed %d", freed)
	}
	if freed, _ := s.Spill(1 << 40); freed != 2*size {
		t.Fatalf("Spill(all) freed %d, want %d", freed, 2*size)
	}
	if st := s.Stats(); st.Managed != 0 || st.SpilledKeys != 4 {
		t.Fatalf("stats after spilling all = %+v", st)
	}
}

// A task reading a spilled value gets it back intact, and it is in memory
// again with its file gone; a peer reading it gets its encoding and it
// stays on disk.
func TestUnspill(t *testing.T) {
	s, d := spillingStore(t, 0)
	want := randomBytes(7, 50000)
	s.Put("x", want)
	s.Put("y", []int{1, 2, 3})
	if _, err := s.Spill(1 << 40); err != nil {
		t.Fatal(err)
	}
	b, nbytes, typ, err := s.Encoded("x")
	if err != nil {
		t.Fatal(err)
	}
	if typ != "[]uint8" || nbytes != codec.SizeOf(want) {
		t.Fatalf("Encoded: %d bytes of %s", nbytes, typ)
	}
	var got []byte
	if err := codec.DecodeInto(b, &got); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Encoded value decodes to other bytes (%v)", err)
	}
	if !onDisk(s, "x") {
		t.Fatal("reading for a peer brought the value back into memory")
	}

	mustValue(t, s, "x", want)
	if onDisk(s, "x") {
		t.Fatal("a value read for a task is still on disk only")
	}
	v, err := s.Value("y", reflect.TypeFor[[]int]())
	if err != nil || !slices.Equal(v.Interface().([]int), []int{1, 2, 3}) {
		t.Fatalf("y read back = %v, %v", v, err)
	}
	used := d.Used()
	if st := s.Stats(); st.SpilledKeys != 0 || st.Spilled != 0 || st.Managed != codec.SizeOf(want)+codec.SizeOf([]int{1, 2, 3}) || st.Disk != used {
		t.Fatalf("stats after reading everything back = %+v, disk %d", st, used)
	}
	// The files stay as copies: spilling again writes nothing, even when
	// the disk is full.
	d.writeFile = func(string, ...[]byte) error { return syscall.ENOSPC }
	if freed, err := s.Spill(1 << 40); err != nil || freed != s.Stats().Spilled || !onDisk(s, "x") || !onDisk(s, "y") {
		t.Fatalf("spilling values read back = %d, %v", freed, err)
	}
	if d.Used() != used || len(files(t, d)) != 2 {
		t.Fatalf("spilling values read back wrote files: %v, %d bytes", files(t, d), d.Used())
	}
	mustValue(t, s, "x", want)
	s.Delete("x", "y")
	if len(files(t, d)) != 0 || d.Used() != 0 {
		t.Fatalf("files left after Delete: %v", files(t, d))
	}
}

// Load reads spilled values back before a task runs: afterwards they are
// in memory, counted as such, and a task reads them without the disk (here
// the files are gone, and Value still gives them); keys in memory or not
// here are left alone.
func TestLoadReadsSpilledValuesBack(t *testing.T) {
	s, d := spillingStore(t, 0)
	want := randomBytes(8, 50000)
	s.Put("x", want)
	s.Put("y", []int{1, 2, 3})
	s.Put("z", []byte("in memory"))
	if _, err := s.Spill(codec.SizeOf(want) + codec.SizeOf([]int{1, 2, 3})); err != nil {
		t.Fatal(err)
	}
	if !onDisk(s, "x") || !onDisk(s, "y") || onDisk(s, "z") {
		t.Fatal("x and y should be on disk and z in memory before Load")
	}
	var reads []graph.Key
	s.Observe(func(e SpillEvent) {
		if e.Back {
			reads = append(reads, e.Key)
		}
	})
	s.Load("x", "y", "z", "absent")
	if onDisk(s, "x") || onDisk(s, "y") {
		t.Fatal("Load left a value on disk only")
	}
	if !slices.Equal(reads, []graph.Key{"x", "y"}) {
		t.Fatalf("Load read back %v, want x and y", reads)
	}
	if st := s.Stats(); st.SpilledKeys != 0 || st.Spilled != 0 {
		t.Fatalf("stats after Load = %+v", st)
	}
	for _, f := range files(t, d) {
		if err := os.Remove(filepath.Join(d.Dir(), f)); err != nil {
			t.Fatal(err)
		}
	}
	reads = nil
	mustValue(t, s, "x", want)
	v, err := s.Value("y", reflect.TypeFor[[]int]())
	if err != nil || !slices.Equal(v.Interface().([]int), []int{1, 2, 3}) {
		t.Fatalf("y after Load = %v, %v", v, err)
	}
	if len(reads) != 0 {
		t.Fatalf("values loaded were read from disk again: %v", reads)
	}
}

// Values that compress are written compressed; values that do not are
// written as they are, at the cost of a few bytes of header.
func TestSpillCompressesOnlyWhenItPays(t *testing.T) {
	s, d := spillingStore(t, 0)
	const n = 1 << 20
	zeros := make([]byte, n)
	s.Put("zeros", zeros)
	if _, err := s.Spill(1 << 40); err != nil {
		t.Fatal(err)
	}
	if used := d.Used(); used > n/20 {
		t.Fatalf("1 MiB of zeros took %d bytes on disk; want it compressed", used)
	}
	mustValue(t, s, "zeros", zeros)

	noise := randomBytes(1, n)
	s.Put("noise", noise)
	s.Delete("zeros")
	if _, err := s.Spill(1 << 40); err != nil {
		t.Fatal(err)
	}
	if used := d.Used(); used < n || used > n+4096 { // a header, or a block of it with direct I/O
		t.Fatalf("1 MiB of random bytes took %d bytes on disk; want it stored as it is", used)
	}
	mustValue(t, s, "noise", noise)
}

// A full disk is an error that names the spill directory; the value stays
// in memory, intact, and no file is left behind.
func TestSpillFullDisk(t *testing.T) {
	s, d := spillingStore(t, 0)
	d.writeFile = func(path string, parts ...[]byte) error {
		// What a full disk does: part of the file is written.
		if err := os.WriteFile(path, parts[0], 0o600); err != nil {
			return err
		}
		return &fs.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}
	}
	want := randomBytes(3, 10000)
	s.Put("k", want)
	freed, err := s.Spill(1 << 40)
	if freed != 0 || err == nil {
		t.Fatalf("Spill on a full disk = %d, %v", freed, err)
	}
	if !errors.Is(err, ErrSpillFull) || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("error %v does not match ErrSpillFull and ENOSPC", err)
	}
	var se *SpillError
	if !errors.As(err, &se) || se.Dir != d.Dir() || se.Key != "k" || !strings.Contains(err.Error(), d.Dir()) {
		t.Fatalf("error %v does not name the directory %s", err, d.Dir())
	}
	if onDisk(s, "k") || s.Managed() != codec.SizeOf(want) {
		t.Fatal("the value left memory")
	}
	mustValue(t, s, "k", want)
	if len(files(t, d)) != 0 || d.Used() != 0 {
		t.Fatalf("a failed spill left %v (%d bytes counted)", files(t, d), d.Used())
	}
}

// The maximum spill size is respected: past it, values stay in memory and
// the error says which limit and which directory.
func TestSpillMaximum(t *testing.T) {
	const size = 10000
	s, d := spillingStore(t, 2*size+100) // room for two values and their headers
	for i, k := range []graph.Key{"a", "b", "c"} {
		s.Put(k, randomBytes(uint64(i), size))
	}
	freed, err := s.Spill(1 << 40)
	if freed != 2*codec.SizeOf(make([]byte, size)) {
		t.Fatalf("freed %d before the maximum", freed)
	}
	if !errors.Is(err, ErrSpillFull) || !strings.Contains(err.Error(), "maximum spill size") || !strings.Contains(err.Error(), d.Dir()) {
		t.Fatalf("error past the maximum = %v", err)
	}
	if onDisk(s, "c") || !onDisk(s, "a") || !onDisk(s, "b") {
		t.Fatal("wrong values on disk")
	}
	// Room again once a spilled value is deleted.
	s.Delete("a")
	if _, err := s.Spill(1 << 40); err != nil || !onDisk(s, "c") {
		t.Fatalf("spilling after a delete = %v", err)
	}
	if n := len(files(t, d)); n != 2 {
		t.Fatalf("%d files, want 2", n)
	}
}

// Values pinned by running tasks stay in memory; once unpinned they may go.
func TestSpillLeavesPinnedValues(t *testing.T) {
	s, _ := spillingStore(t, 0)
	s.Put("in", randomBytes(1, 1000))
	s.Put("other", randomBytes(2, 1000))
	unpin := s.Pin("in", "absent")
	s.Spill(1 << 40)
	if onDisk(s, "in") || !onDisk(s, "other") {
		t.Fatal("a pinned value was spilled, or the other was not")
	}
	unpin()
	unpin() // a second call changes nothing
	s.Spill(1 << 40)
	if !onDisk(s, "in") {
		t.Fatal("an unpinned value was not spilled")
	}
	s.mu.Lock()
	pins := s.entries["in"].pins
	s.mu.Unlock()
	if pins != 0 {
		t.Fatalf("pins = %d after unpinning", pins)
	}
}

// Delete and Clear remove spilled files; replacing a spilled value removes
// its file.
func TestDeleteAndClearRemoveFiles(t *testing.T) {
	s, d := spillingStore(t, 0)
	for i, k := range []graph.Key{"a", "b", "c"} {
		s.Put(k, randomBytes(uint64(i), 2000))
	}
	s.Spill(1 << 40)
	s.Delete("a")
	if len(files(t, d)) != 2 {
		t.Fatalf("after Delete: %v", files(t, d))
	}
	s.Put("b", []byte("new"))
	if len(files(t, d)) != 1 {
		t.Fatalf("after replacing b: %v", files(t, d))
	}
	mustValue(t, s, "b", []byte("new"))
	s.Clear()
	if len(files(t, d)) != 0 || d.Used() != 0 || s.Len() != 0 || s.Stats() != (StoreStats{}) {
		t.Fatalf("after Clear: files %v, used %d, stats %+v", files(t, d), d.Used(), s.Stats())
	}
}

// Arrow records spill as Arrow IPC and come back as records.
func TestArrowSpillsAsIPC(t *testing.T) {
	s, d := spillingStore(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64}}, nil)
	b := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	for i := range 1000 {
		b.Field(0).(*array.Int64Builder).Append(int64(i))
	}
	rec := b.NewRecordBatch()
	s.Put("rec", rec)
	if _, err := s.Spill(1 << 40); err != nil {
		t.Fatal(err)
	}
	names := files(t, d)
	if len(names) != 1 {
		t.Fatalf("files: %v", names)
	}
	raw, err := os.ReadFile(filepath.Join(d.Dir(), names[0]))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := decodeSpillFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := codec.Format(enc); k != codec.ArrowRecord {
		t.Fatalf("the spill file holds %s, want an Arrow IPC record", k)
	}
	v, err := s.Value("rec", reflect.TypeFor[arrow.RecordBatch]())
	if err != nil {
		t.Fatal(err)
	}
	got := v.Interface().(arrow.RecordBatch)
	if !array.RecordEqual(got, rec) {
		t.Fatal("the record read back differs")
	}
	// Read back, it stays decoded: the next reader gets the same record.
	v2, err := s.Value("rec", reflect.TypeFor[arrow.RecordBatch]())
	if err != nil {
		t.Fatal(err)
	}
	if v2.Interface().(arrow.RecordBatch) != got {
		t.Fatal("the record read back was decoded again")
	}
}

// A value whose type cannot be encoded stays in memory, and Spill goes on
// with the others.
func TestUnencodableValueStaysInMemory(t *testing.T) {
	s, _ := spillingStore(t, 0)
	s.Put("ch", make(chan int))
	s.Put("ok", randomBytes(1, 100))
	if _, err := s.Spill(1 << 40); err != nil {
		t.Fatal(err)
	}
	if onDisk(s, "ch") || !onDisk(s, "ok") {
		t.Fatal("wrong values on disk")
	}
}

// Concurrent readers, spills and deletes keep the accounting exact.
func TestStoreConcurrentSpill(t *testing.T) {
	s, d := spillingStore(t, 0)
	const n = 64
	vals := make([][]byte, n)
	for i := range vals {
		vals[i] = randomBytes(uint64(i), 4096)
		s.Put(graph.Key(rune('A'+i)), vals[i])
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 200 {
				i := (g*31 + r*7) % n
				k := graph.Key(rune('A' + i))
				if v, err := s.Value(k, bytesType); err == nil && !bytes.Equal(v.Interface().([]byte), vals[i]) {
					t.Errorf("%s read back wrong", k)
				}
				if b, _, _, err := s.Encoded(k); err == nil {
					var got []byte
					if codec.DecodeInto(b, &got) != nil || !bytes.Equal(got, vals[i]) {
						t.Errorf("%s encoded wrong", k)
					}
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for range 50 {
			if _, err := s.Spill(20000); err != nil {
				t.Error(err)
			}
		}
	}()
	wg.Wait()
	s.Delete("A", "B", "C")
	var mem, disk int64
	nfiles := 0
	s.mu.Lock()
	for _, e := range s.entries {
		if e.inMemory {
			mem += e.nbytes
		} else {
			disk += e.nbytes
		}
		if e.file != nil {
			nfiles++
		}
	}
	s.mu.Unlock()
	st := s.Stats()
	if st.Managed != mem || st.Spilled != disk || st.Keys != n-3 {
		t.Fatalf("stats %+v; entries say %d in memory, %d on disk", st, mem, disk)
	}
	if got := len(files(t, d)); got != nfiles || got < st.SpilledKeys {
		t.Fatalf("%d files for %d values with one (%d spilled)", got, nfiles, st.SpilledKeys)
	}
}

// Spilling a []byte writes it from its own memory: no copy of the value is
// made when memory is short.
func TestSpillBytesWithoutCopy(t *testing.T) {
	s, _ := spillingStore(t, 0)
	const n = 8 << 20
	s.Put("big", randomBytes(9, n))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := s.Spill(1 << 40); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > n/4 {
		t.Fatalf("spilling an 8 MiB []byte allocated %d KiB", alloc>>10)
	}
}

// A damaged spill file is an error naming the directory, not a wrong
// value; compressed values come back through decompression.
func TestSpillFileChecks(t *testing.T) {
	s, d := spillingStore(t, 0)
	s.Put("ints", make([]int, 100000)) // compresses
	s.Put("raw", randomBytes(4, 5000))
	if _, err := s.Spill(1 << 40); err != nil {
		t.Fatal(err)
	}
	if d.Used() > 100000 {
		t.Fatalf("zeros took %d bytes on disk", d.Used())
	}
	v, err := s.Value("ints", reflect.TypeFor[[]int]())
	if err != nil || len(v.Interface().([]int)) != 100000 {
		t.Fatalf("ints read back = %v", err)
	}
	for _, name := range files(t, d) {
		path := filepath.Join(d.Dir(), name)
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		raw[len(raw)-1] ^= 0xFF
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	_, err = s.Value("raw", bytesType)
	if !errors.Is(err, codec.ErrCorrupt) || !strings.Contains(err.Error(), d.Dir()) {
		t.Fatalf("reading a damaged file = %v", err)
	}
}

// Every write to the spill directory and every read from it is reported
// to the observer, with the size of the file.
func TestSpillObserved(t *testing.T) {
	s, _ := spillingStore(t, 0)
	var mu sync.Mutex
	var evs []SpillEvent
	s.Observe(func(e SpillEvent) {
		mu.Lock()
		evs = append(evs, e)
		mu.Unlock()
	})
	s.Put("a", randomBytes(1, 5000))
	s.Put("b", randomBytes(2, 5000))
	s.Spill(1 << 40)
	if _, _, _, err := s.Encoded("a"); err != nil { // a peer reads it
		t.Fatal(err)
	}
	mustValue(t, s, "b", randomBytes(2, 5000)) // a task reads it back
	s.Spill(1 << 40)                           // b has a copy on disk: no write
	mu.Lock()
	defer mu.Unlock()
	var got []string
	for _, e := range evs {
		if e.Bytes < 5000 || e.Stop.Before(e.Start) {
			t.Errorf("event %+v", e)
		}
		kind := "spill"
		if e.Back {
			kind = "read"
		}
		got = append(got, kind+" "+string(e.Key))
	}
	if want := []string{"spill a", "spill b", "read a", "read b"}; !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

// A record received encoded (from a peer) is decoded once: the first
// reader's record is the one every later reader gets, settled, and the
// value is no longer held as bytes; a reader of another type still gets
// it converted.
func TestEncodedRecordDecodedOnce(t *testing.T) {
	s, _ := spillingStore(t, 0)
	schema := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.NewGoAllocator(), schema)
	for i := range 1000 {
		if i%10 == 0 {
			b.Field(0).(*array.Int64Builder).AppendNull()
		} else {
			b.Field(0).(*array.Int64Builder).Append(int64(i))
		}
	}
	rec := b.NewRecordBatch()
	enc, err := codec.Encode(rec)
	if err != nil {
		t.Fatal(err)
	}
	s.PutEncoded("rec", enc, 0, "arrow.RecordBatch")
	want := reflect.TypeFor[arrow.RecordBatch]()
	v1, err := s.Value("rec", want)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := s.Value("rec", want)
	if err != nil {
		t.Fatal(err)
	}
	r1, r2 := v1.Interface().(arrow.RecordBatch), v2.Interface().(arrow.RecordBatch)
	if r1 != r2 {
		t.Fatal("the second reader decoded the record again")
	}
	if !array.RecordEqual(r1, rec) || r1.Column(0).NullN() != 100 {
		t.Fatal("the record read differs")
	}
	if again, _, _, err := s.Encoded("rec"); err != nil || len(again) == 0 {
		t.Fatalf("Encoded after decoding: %d bytes, %v", len(again), err)
	}
	// any decodes from the bytes each time (not cached); a reader of the
	// value's own type then gets it.
	s.PutEncoded("b", mustEncode(t, []byte("abc")), 0, "[]uint8")
	if v, err := s.Value("b", reflect.TypeFor[any]()); err != nil || v.Interface() == nil {
		t.Fatalf("any: %v, %v", v, err)
	}
	mustValue(t, s, "b", []byte("abc"))
}

func mustEncode(t *testing.T, v any) []byte {
	t.Helper()
	b, err := codec.Encode(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
