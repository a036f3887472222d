// Package event holds dusk's one stream of diagnostic events: every task
// transition, transfer, spill and worker sample, with timestamps, kept in a
// bounded ring and handed to subscribers. The dashboard, the performance
// report and the advisor all read this stream.
package event
