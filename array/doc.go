// Package array is dusk's chunked n-dimensional array, the counterpart
// of dask.array: an array is a grid of blocks, each the lazy result of a
// task on the cluster, and operations build more tasks.
//
//	x, _ := array.Random(c, []int{20000, 20000}, array.Auto(), 42) // float64, blocks of ~128 MiB
//	y, _ := x.Add(1)
//	y, _ = y.Mul(2)
//	s, _ := y.Sum()           // a 0-d array: one task per block, then a tree
//	d, _ := s.Compute(ctx)    // *Dense, here
//	v, _ := d.Float64()
//
// Element-wise steps and a reduction's first stage over the same grid
// become one task per block when the graph is optimized (dusk fuses
// linear chains), so ((x+1)*2).Sum() reads each block once. Reductions
// combine partial results SplitEvery at a time, so no task's input grows
// with the number of blocks.
//
// Element types are float64, float32, int64, int32 and bool, promoted as
// NumPy promotes them; Go scalars act as Python scalars do in NumPy (they
// take the array's type where they fit). Arrays broadcast by NumPy's
// rules; two arrays combined must be cut the same way along the axes they
// share.
//
// Blocks travel and spill as their raw bytes behind a small header.
// FromNpy and ToNpy read and write NumPy's .npy files, block by block on
// the workers.
//
// What is not there yet (see docs/array.md): slicing and indexing,
// Transpose, Reshape, Concatenate, Stack, Rechunk, MapBlocks,
// MapOverlap, Dot, cumulative and arg reductions, Std and Var, Zarr.
package array
