package advisor

import (
	"fmt"
	"math"
	"strings"

	"github.com/dusk-go/dusk/diagnostics/report"
)

// arrayPrefix reports whether a task prefix is one of the array package's
// (whose functions are registered as "array.…").
func arrayPrefix(name string) bool { return strings.HasPrefix(name, "array.") }

// arrayBlocks are the array functions whose results are whole blocks of
// an array (not partial reductions or file writes).
var arrayBlocks = map[string]bool{
	"array.random": true, "array.full": true, "array.arange": true, "array.linspace": true,
	"array.identity": true, "array.binary": true, "array.unary": true, "array.astype": true,
	"array.where": true, "array.clip": true, "array.check": true, "array.npy-read": true,
	"array.zarr-read": true, "array.transpose": true, "array.assemble": true, "array.trim": true,
	"array.elementwise": true,
}

// smallChunks reports arrays cut into blocks far below the guide's
// 100-300 MB for numeric data, with the factor to grow the chunks by.
func (a *Advisor) smallChunks(d *report.Data) []report.Finding {
	var out []report.Finding
	for _, p := range d.Prefixes {
		ok := p.Runs - p.Failed
		if !arrayBlocks[p.Name] || ok < a.SmallChunkRuns || p.NBytes <= 0 {
			continue
		}
		mean := p.NBytes / int64(ok)
		if mean >= a.SmallChunk {
			continue
		}
		grow := float64(a.ChunkTarget) / float64(mean)
		out = append(out, report.Finding{
			Rule:     "small-chunks",
			Severity: Warning,
			Message: fmt.Sprintf("%d blocks of %s average %s each, about %.0fx below the guide's target of %s per chunk.",
				ok, p.Name, bytes(mean), grow, bytes(a.ChunkTarget)),
			Advice: fmt.Sprintf("Use larger chunks: array.Auto() picks blocks of about 128 MiB; or multiply the chunk lengths "+
				"so that a block grows about %.0fx (for a 2-d array, each axis by about %.1fx, say from 500×500 to %d×%d). "+
				"Each block is a task; tiny blocks make scheduling cost more than computing.",
				grow, math.Sqrt(grow), int(500*math.Sqrt(grow)), int(500*math.Sqrt(grow))),
		})
	}
	return out
}

// rechunkMoves reports a rechunk whose pieces (array.assemble) hold most
// of the data of the arrays' other blocks: nearly every block was cut and
// put together again, usually across workers.
func (a *Advisor) rechunkMoves(d *report.Data) []report.Finding {
	var assembled, blocks int64
	for _, p := range d.Prefixes {
		switch {
		case p.Name == "array.assemble":
			assembled += p.NBytes
		case arrayBlocks[p.Name]:
			blocks += p.NBytes
		}
	}
	if assembled < a.RechunkBytes || blocks == 0 || float64(assembled) < a.RechunkShare*float64(blocks) {
		return nil
	}
	return []report.Finding{{
		Rule:     "rechunk-moves-data",
		Severity: Warning,
		Message: fmt.Sprintf("Rechunking put together %s of blocks, %.0f%% of the %s of arrays made: most of the data was cut up and moved.",
			bytes(assembled), 100*float64(assembled)/float64(blocks), bytes(blocks)),
		Advice: "Make the array with the chunks the computation needs (the chunks argument of Random, FromFunc, FromZarr ...), " +
			"or rechunk once after persisting: e.g. for reductions along axis 0, chunks that span axis 0 whole " +
			"(By(-1, k)) avoid a rechunk; for a transpose, square chunks line up with their mirror blocks.",
	}}
}

// arrayMoves reports runs whose workers sent each other most of the
// arrays' blocks: an operation that pairs blocks living on different
// workers (x + x.T, a rechunk, arrays cut differently), which the guide
// counts as expensive communication.
func (a *Advisor) arrayMoves(d *report.Data) []report.Finding {
	var moved, blocks int64
	for _, tb := range d.Bandwidth.ByType {
		if tb.Type == "*array.Block" {
			moved += tb.Bytes
		}
	}
	for _, p := range d.Prefixes {
		if arrayBlocks[p.Name] {
			blocks += p.NBytes
		}
	}
	if moved < a.RechunkBytes || blocks == 0 || float64(moved) < a.RechunkShare*float64(blocks) {
		return nil
	}
	return []report.Finding{{
		Rule:     "array-data-moved",
		Severity: Warning,
		Message: fmt.Sprintf("Workers sent each other %s of array blocks, %.0f%% of the %s of blocks made: most of the data crossed the network.",
			bytes(moved), 100*float64(moved)/float64(blocks), bytes(blocks)),
		Advice: "Pairing blocks that live on different workers moves them: x + x.T pairs block (i, j) with block (j, i), " +
			"a rechunk pairs each new block with the old ones it overlaps. Choose chunks that line up with the computation " +
			"(whole along the axis a transpose or reduction crosses, so one block holds what a task needs), persist the " +
			"array once in the layout you need, or compute on fewer, larger blocks.",
	}}
}
