package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"time"

	"golang.org/x/sys/unix"

	"github.com/dusk-go/dusk/config"
	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/worker/store"
)

// spillResult compares a worker's spilling with the disk's own speed:
// the medians of Runs rounds, each dd then the store (dd reading the
// store's files too), and every round's figures.
type spillResult struct {
	spillRound
	Runs []spillRound `json:"runs"`
}

// spillRound is one round of the throughput test.
type spillRound struct {
	Bytes int64 `json:"bytes"`
	// WriteMBps is how fast the store spilled, as a worker sees it (the
	// OS may still hold the data in its page cache); WriteSyncedMBps
	// counts the time to sync the files to disk too, like dd's fdatasync.
	WriteMBps       float64 `json:"spill_write_MBps"`
	WriteSyncedMBps float64 `json:"spill_write_synced_MBps"`
	// ReadMBps is how fast the values came back from disk, with the files
	// dropped from the page cache first (like dd's direct reads).
	ReadMBps float64 `json:"spill_read_MBps"`
	// DDWriteMBps, DDWriteDirectMBps and DDReadMBps are dd's figures in
	// the same directory: writes through the page cache with
	// conv=fdatasync, writes with oflag=direct, reads with iflag=direct.
	DDWriteMBps       float64 `json:"dd_write_MBps"`
	DDWriteDirectMBps float64 `json:"dd_write_direct_MBps"`
	DDReadMBps        float64 `json:"dd_read_MBps"`
	// DDReadSpillMBps is dd reading the store's own spill files back
	// (iflag=direct, one dd a file, in the store's order): the same bytes
	// on the same blocks. In odd rounds dd reads them before the store
	// does, in even rounds after, so that neither always finds the
	// other's reads in a cache below the guest (a virtual disk's host).
	DDReadSpillMBps float64 `json:"dd_read_spill_files_MBps"`
	DDSource        string  `json:"dd_source"`
}

func printSpill(s spillResult) {
	for i, r := range s.Runs {
		fmt.Printf("spill round %d: write %.0f MB/s (%.0f synced), read %.0f MB/s; dd write %.0f MB/s (%.0f direct), read %.0f MB/s (%.0f of the spill files)\n",
			i+1, r.WriteMBps, r.WriteSyncedMBps, r.ReadMBps, r.DDWriteMBps, r.DDWriteDirectMBps, r.DDReadMBps, r.DDReadSpillMBps)
	}
	fmt.Printf("spill throughput over %s (median of %d rounds): write %.0f MB/s (%.0f MB/s synced to disk), read back %.0f MB/s; "+
		"dd in the same directory, from %s: write %.0f MB/s with fdatasync, %.0f MB/s direct; read %.0f MB/s direct (%.0f of the spill files)\n",
		config.FormatBytes(s.Bytes), len(s.Runs), s.WriteMBps, s.WriteSyncedMBps, s.ReadMBps, s.DDSource, s.DDWriteMBps, s.DDWriteDirectMBps, s.DDReadMBps, s.DDReadSpillMBps)
}

// spillThroughput runs o.spillRounds rounds of spillRound and takes the
// medians.
func spillThroughput(o options) (spillResult, error) {
	var res spillResult
	for i := range max(o.spillRounds, 1) {
		r, err := spillOnce(o, i%2 == 0)
		if err != nil {
			return res, err
		}
		res.Runs = append(res.Runs, r)
	}
	med := func(f func(spillRound) float64) float64 {
		xs := make([]float64, len(res.Runs))
		for i, r := range res.Runs {
			xs[i] = f(r)
		}
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	res.Bytes, res.DDSource = res.Runs[0].Bytes, res.Runs[0].DDSource
	res.WriteMBps = med(func(r spillRound) float64 { return r.WriteMBps })
	res.WriteSyncedMBps = med(func(r spillRound) float64 { return r.WriteSyncedMBps })
	res.ReadMBps = med(func(r spillRound) float64 { return r.ReadMBps })
	res.DDWriteMBps = med(func(r spillRound) float64 { return r.DDWriteMBps })
	res.DDWriteDirectMBps = med(func(r spillRound) float64 { return r.DDWriteDirectMBps })
	res.DDReadMBps = med(func(r spillRound) float64 { return r.DDReadMBps })
	res.DDReadSpillMBps = med(func(r spillRound) float64 { return r.DDReadSpillMBps })
	return res, nil
}

const spillValue = 64 << 20 // bytes per spilled value, as a large partition

// spillOnce measures the disk with dd, then spills o.spillData bytes of
// incompressible values from a worker's store and reads them back; dd
// reads the spill files too, first if ddFirst.
func spillOnce(o options, ddFirst bool) (spillRound, error) {
	dir, err := os.MkdirTemp(o.dir, "dusk-bench-spill-")
	if err != nil {
		return spillRound{}, err
	}
	defer os.RemoveAll(dir)
	n := int(o.spillData / spillValue)
	r := spillRound{Bytes: int64(n) * spillValue}

	// dd copies random bytes, from a file in memory, as incompressible as
	// the spilled values: virtual disks often store zeros much faster.
	src, cleanup, err := randomSource(r.Bytes)
	if err != nil {
		return r, err
	}
	r.DDSource = src
	r.DDWriteMBps, err = dd("if="+src, "of="+filepath.Join(dir, "dd.test"), "bs=64M", "conv=fdatasync")
	if err == nil {
		r.DDWriteDirectMBps, err = dd("if="+src, "of="+filepath.Join(dir, "dd.test"), "bs=64M", "oflag=direct")
	}
	cleanup()
	if err != nil {
		return r, err
	}
	if r.DDReadMBps, err = dd("if="+filepath.Join(dir, "dd.test"), "of=/dev/null", "bs=64M", "iflag=direct"); err != nil {
		return r, err
	}
	os.Remove(filepath.Join(dir, "dd.test"))

	d, err := store.NewSpillDir(filepath.Join(dir, "spill"), 0)
	if err != nil {
		return r, err
	}
	s := store.NewStore()
	s.SpillTo(d, 0)
	// A few distinct buffers of random bytes, stored under many keys.
	bufs := make([][]byte, 4)
	for i := range bufs {
		bufs[i] = make([]byte, spillValue)
		_, _ = rand.NewChaCha8([32]byte{byte(i)}).Read(bufs[i])
	}
	for i := range n {
		s.Put(key(i), bufs[i%len(bufs)])
	}
	start := time.Now()
	if _, err := s.Spill(1 << 62); err != nil {
		return r, err
	}
	written := time.Since(start)
	if err := syncAndDrop(d.Dir()); err != nil {
		return r, err
	}
	synced := time.Since(start)
	r.WriteMBps = mbps(r.Bytes, written)
	r.WriteSyncedMBps = mbps(r.Bytes, synced)

	files, err := os.ReadDir(d.Dir())
	if err != nil {
		return r, err
	}
	// dd's own times, summed (not the time to start each dd).
	ddSpill := func() error {
		var n int64
		var secs float64
		for _, f := range files {
			info, err := f.Info()
			if err != nil {
				return err
			}
			rate, err := dd("if="+filepath.Join(d.Dir(), f.Name()), "of=/dev/null", "bs=64M", "iflag=direct")
			if err != nil {
				return err
			}
			n += info.Size()
			secs += float64(info.Size()) / 1e6 / rate
		}
		r.DDReadSpillMBps = float64(n) / 1e6 / secs
		return nil
	}
	if ddFirst {
		if err := ddSpill(); err != nil {
			return r, err
		}
	}

	start = time.Now()
	want := reflect.TypeFor[[]byte]()
	for i := range n {
		v, err := s.Value(key(i), want)
		if err != nil {
			return r, err
		}
		if !bytes.Equal(v.Bytes()[:64], bufs[i%len(bufs)][:64]) {
			return r, fmt.Errorf("value %d read back wrong", i)
		}
		// Keep memory flat: the value read back still has its file, so
		// spilling it again drops it from memory without a write. (Deleting
		// it would time the file system's unlink of 64 MiB as well, which
		// dd's read does not do: 15-20% of the loop on ext4.)
		if _, err := s.Spill(1 << 62); err != nil {
			return r, err
		}
	}
	r.ReadMBps = mbps(r.Bytes, time.Since(start))
	if !ddFirst {
		if err := ddSpill(); err != nil {
			return r, err
		}
	}
	for i := range n {
		s.Delete(key(i))
	}
	return r, nil
}

func key(i int) graph.Key { return graph.Key("spill-" + strconv.Itoa(i)) }

func mbps(n int64, d time.Duration) float64 { return float64(n) / 1e6 / d.Seconds() }

// syncAndDrop syncs every file in dir to disk and drops it from the page
// cache, so that reading it back reads the disk.
func syncAndDrop(dir string) error {
	es, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range es {
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		err = f.Sync()
		if err == nil {
			err = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
		}
		f.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

var ddRate = regexp.MustCompile(`(\d+) bytes .* copied, ([0-9.]+) s`)

// dd runs dd and returns its rate in MB/s.
func dd(args ...string) (float64, error) {
	out, err := exec.Command("dd", args...).CombinedOutput()
	if err != nil {
		return 0, fmt.Errorf("dd %v: %w: %s", args, err, out)
	}
	m := ddRate.FindSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("dd %v: cannot read its output: %s", args, out)
	}
	n, _ := strconv.ParseFloat(string(m[1]), 64)
	secs, _ := strconv.ParseFloat(string(m[2]), 64)
	return n / 1e6 / secs, nil
}

// randomSource writes n random bytes to a file in /dev/shm (memory), for
// dd to copy, and returns its path and how to remove it. Without
// /dev/shm, dd copies /dev/zero (and the figures say so).
func randomSource(n int64) (string, func(), error) {
	f, err := os.CreateTemp("/dev/shm", "dusk-bench-random-")
	if err != nil {
		return "/dev/zero", func() {}, nil
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	buf := make([]byte, spillValue)
	r := rand.NewChaCha8([32]byte{0xdd})
	for written := int64(0); written < n; written += spillValue {
		_, _ = r.Read(buf)
		if _, err := f.Write(buf); err != nil {
			cleanup()
			return "", nil, err
		}
	}
	return f.Name(), cleanup, nil
}
