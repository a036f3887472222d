package array

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dusk-go/dusk"
)

// computeOpts puts blockwise fusion of width 1 (dusk.FuseWidth) before
// the caller's options, which may change it.
func computeOpts(opts []dusk.ComputeOption) []dusk.ComputeOption {
	return append([]dusk.ComputeOption{dusk.FuseWidth(1)}, opts...)
}

func (a *Array) lazies() []dusk.Lazy {
	out := make([]dusk.Lazy, len(a.blocks))
	for i, b := range a.blockList() {
		out[i] = b
	}
	return out
}

// Visualize writes a picture of the array's graph to filename (".svg" or
// ".dot"), as written or, optimized, as Compute sends it: element-wise
// steps fused into one task per block.
func (a *Array) Visualize(filename string, optimized bool) error {
	f, err := os.Create(filename)
	if err != nil {
		return fmt.Errorf("array: visualize: %w", err)
	}
	var opts []dusk.VisualizeOption
	if optimized {
		opts = append(opts, dusk.OptimizedWidth(1))
	}
	err = dusk.WriteGraph(f, strings.TrimPrefix(filepath.Ext(filename), "."), a.lazies(), opts...)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Explain describes the array: its shape, type, chunks, the bytes of its
// largest block and of the whole, and the tasks of its graph as written
// and as Compute sends it.
func (a *Array) Explain() (string, error) {
	written, err := dusk.CountTasks(a.lazies())
	if err != nil {
		return "", err
	}
	sent, err := dusk.CountTasks(a.lazies(), dusk.OptimizedWidth(1))
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "array %v %s\n", a.shape, a.dtype)
	block := int64(a.dtype.Size())
	for i, cs := range a.chunks {
		longest := 0
		for _, c := range cs {
			longest = max(longest, c)
		}
		block *= int64(longest)
		fmt.Fprintf(&b, "  axis %d: %d long, %d chunks of up to %d\n", i, a.shape[i], len(cs), longest)
	}
	fmt.Fprintf(&b, "  blocks: %d, the largest %s; the array %s\n", len(a.blocks), formatBytes(block), formatBytes(a.NBytes()))
	fmt.Fprintf(&b, "  tasks: %d as written, %d after optimization\n", written, sent)
	return b.String(), nil
}
