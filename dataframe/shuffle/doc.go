// Package shuffle moves rows between the workers of a dusk cluster so that
// rows with the same key (hash shuffle) or in the same range (range
// shuffle) end in the same output partition: a peer-to-peer shuffle.
//
// A shuffle of N input partitions into M outputs is 2 + N + M tasks, not
// N×M: each Transfer task cuts its input by target and streams the pieces
// straight to the worker that owns each target (Runtime.Deliver to that
// worker's receiver extension); a Barrier task waits for every Transfer; an
// Unpack task per output, placed on the owning worker, reads its assembled
// partition there. Receivers keep pieces in memory up to a budget (a share
// of the worker's memory limit) and spill the largest buffers to the
// worker's scratch directory past it, so a worker's memory stays bounded
// whatever the size of the data.
//
// A piece is keyed by (output, input, sequence number); a piece that
// arrives twice (a Transfer that ran again) replaces the first. Unpack
// checks that it holds exactly the rows the Transfers sent; when a worker
// died mid-shuffle the check fails, or a delivery fails, with an error that
// carries LostMarker, and the dataframe package starts the computation
// again with a new shuffle ID on the workers there are then.
package shuffle
