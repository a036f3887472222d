package io

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	stdio "io"
	"os"
	"path/filepath"

	"github.com/apache/arrow-go/v18/parquet/file"
	"github.com/apache/arrow-go/v18/parquet/metadata"
)

// Neither arrow-go nor DuckDB writes or checks Parquet's page checksums,
// so a Parquet file dusk writes gets a checksum file beside it: the
// CRC-32C of every column chunk, by row group (".NAME.crc", hidden from
// readers that skip dot files, as Hadoop's are). Every read of a row group
// of such a file checks the chunks it reads first, so that flipped bytes
// (which an uncompressed page would otherwise decode as wrong values) are
// an error naming the file, the row group and the column. Files without a
// checksum file (written by other tools) are read as they are.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// fileSums is a checksum file's content.
type fileSums struct {
	// Size is the data file's size in bytes.
	Size int64 `json:"size"`
	// Chunks holds the CRC-32C of each column chunk, by row group and
	// column.
	Chunks [][]uint32 `json:"chunks"`
}

// ChecksumError is a Parquet file whose bytes differ from what dusk wrote.
type ChecksumError struct {
	Path     string
	RowGroup int    // -1: the whole file
	Column   string // empty for the whole file
	Why      string
}

func (e *ChecksumError) Error() string {
	where := e.Path
	if e.RowGroup >= 0 {
		where = fmt.Sprintf("%s, row group %d, column %s", e.Path, e.RowGroup, e.Column)
	}
	return fmt.Sprintf("read_parquet: %s: %s: the file was damaged or changed after dusk wrote it; write it again from its source", where, e.Why)
}

// checksumPath is where the checksum file of the Parquet file at path is.
func checksumPath(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".crc")
}

// writeChecksums computes the checksums of the Parquet file at data and
// writes them as the checksum file of the file final names (data is
// renamed to final afterwards).
func writeChecksums(data, final string) error {
	sums, err := computeSums(data)
	if err != nil {
		return err
	}
	b, err := json.Marshal(sums)
	if err != nil {
		return err
	}
	path := checksumPath(final)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// computeSums reads every column chunk of the Parquet file at path.
func computeSums(path string) (_ fileSums, err error) {
	defer survive(path, &err)
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		return fileSums{}, err
	}
	defer r.Close()
	f, err := os.Open(path)
	if err != nil {
		return fileSums{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fileSums{}, err
	}
	md := r.MetaData()
	sums := fileSums{Size: st.Size(), Chunks: make([][]uint32, md.NumRowGroups())}
	for g := range sums.Chunks {
		rg := md.RowGroup(g)
		sums.Chunks[g] = make([]uint32, rg.NumColumns())
		for c := range sums.Chunks[g] {
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				return fileSums{}, err
			}
			if sums.Chunks[g][c], err = chunkSum(f, cc); err != nil {
				return fileSums{}, err
			}
		}
	}
	return sums, nil
}

// chunkSum is the CRC-32C of a column chunk's bytes (its dictionary page,
// if any, and its data pages).
func chunkSum(f *os.File, cc *metadata.ColumnChunkMetaData) (uint32, error) {
	start := cc.DataPageOffset()
	if cc.HasDictionaryPage() && cc.DictionaryPageOffset() > 0 && cc.DictionaryPageOffset() < start {
		start = cc.DictionaryPageOffset()
	}
	h := crc32.New(castagnoli)
	if _, err := stdio.Copy(h, stdio.NewSectionReader(f, start, cc.TotalCompressedSize())); err != nil {
		return 0, err
	}
	return h.Sum32(), nil
}

// VerifyRowGroups checks the column chunks cols (leaf column indices; nil
// for all) of the row groups groups of the Parquet file at path against
// its checksum file, if it has one: a difference is a *ChecksumError.
func VerifyRowGroups(path string, groups []int, cols []int) (err error) {
	defer survive(path, &err)
	b, err := os.ReadFile(checksumPath(path))
	if errors.Is(err, os.ErrNotExist) {
		return nil // not written by dusk
	}
	if err != nil {
		return err
	}
	var sums fileSums
	if err := json.Unmarshal(b, &sums); err != nil {
		return &ChecksumError{Path: path, RowGroup: -1, Why: "its checksum file " + checksumPath(path) + " does not read"}
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return err
	} else if st.Size() != sums.Size {
		return &ChecksumError{Path: path, RowGroup: -1, Why: fmt.Sprintf("it holds %d bytes where dusk wrote %d", st.Size(), sums.Size)}
	}
	r, err := file.OpenParquetFile(path, false)
	if err != nil {
		return fmt.Errorf("read_parquet: %s: %w", path, err)
	}
	defer r.Close()
	md := r.MetaData()
	for _, g := range groups {
		if g < 0 || g >= md.NumRowGroups() || g >= len(sums.Chunks) {
			return &ChecksumError{Path: path, RowGroup: -1, Why: fmt.Sprintf("it has no row group %d as dusk wrote it", g)}
		}
		rg := md.RowGroup(g)
		check := cols
		if check == nil {
			check = make([]int, rg.NumColumns())
			for i := range check {
				check[i] = i
			}
		}
		for _, c := range check {
			if c < 0 || c >= len(sums.Chunks[g]) {
				return &ChecksumError{Path: path, RowGroup: g, Column: fmt.Sprint(c), Why: "the column is not in its checksum file"}
			}
			cc, err := rg.ColumnChunk(c)
			if err != nil {
				return err
			}
			sum, err := chunkSum(f, cc)
			if err != nil {
				return err
			}
			if sum != sums.Chunks[g][c] {
				return &ChecksumError{Path: path, RowGroup: g, Column: cc.PathInSchema().String(), Why: "its checksum differs"}
			}
		}
	}
	return nil
}
