package scheduler

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fxamacker/cbor/v2"

	"github.com/dusk-go/dusk/graph"
	"github.com/dusk-go/dusk/scheduler/state"
	"github.com/dusk-go/dusk/wire"
)

// A scheduler started on a state directory restores what the last one
// saved there; a file it cannot read stops it with an error that names
// the file and what to do, rather than starting without the state.
func TestStateDirectory(t *testing.T) {
	dir := t.TempDir()
	d, named, err := openStateDir(dir)
	if err != nil || named != nil {
		t.Fatalf("a new directory: %v, %+v", err, named)
	}
	want := &state.SavedCoord{
		Datasets:  []state.SavedDataset{{Name: "d", Keys: []graph.Key{"x-1"}, Meta: []byte("m")}},
		Queues:    []state.SavedQueue{{Name: "q", Max: 3, Items: []state.Item{{Data: []byte{1}, Type: "int"}, {Key: "y-2"}}}},
		Variables: []state.SavedVariable{{Name: "v", Value: state.Item{Data: []byte("s"), Type: "string"}}},
		Events:    []string{"go"},
	}
	if err := d.write(want); err != nil {
		t.Fatal(err)
	}
	_, got, err := openStateDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := mustCBOR(t, got), mustCBOR(t, want); a != b {
		t.Fatalf("read back %+v, want %+v", got, want)
	}
	// Only the file is left: the temporary one was renamed.
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Fatalf("the directory holds %d files, want 1", len(es))
	}

	file := filepath.Join(dir, namedStateFile)
	if err := os.WriteFile(file, []byte("not cbor"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := openStateDir(dir); err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), "move it away") {
		t.Fatalf("a malformed file: %v", err)
	}
	b, _ := cbor.Marshal(savedFile{Format: namedStateFormat + 1})
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := openStateDir(dir); err == nil || !strings.Contains(err.Error(), "layout") {
		t.Fatalf("a file of an unknown layout: %v", err)
	}
	if _, err := New(Options{Security: wire.Security{Token: "t"}, StateDirectory: dir}); err == nil {
		t.Fatal("a scheduler started on an unreadable state")
	}
}

func mustCBOR(t *testing.T, v any) string {
	t.Helper()
	b, err := cbor.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// BenchmarkStateDirectoryWrite is the cost of one change of the named
// state when it is kept on disk: a write of the whole state (here
// a queue of 100 small items and a dataset of 100 keys).
func BenchmarkStateDirectoryWrite(b *testing.B) {
	d, _, err := openStateDir(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	named := &state.SavedCoord{Queues: []state.SavedQueue{{Name: "q"}}, Datasets: []state.SavedDataset{{Name: "d"}}}
	for i := range 100 {
		named.Queues[0].Items = append(named.Queues[0].Items, state.Item{Data: []byte("item"), Type: "string"})
		named.Datasets[0].Keys = append(named.Datasets[0].Keys, graph.Key("x-"+string(rune('a'+i%26))))
	}
	for b.Loop() {
		if err := d.write(named); err != nil {
			b.Fatal(err)
		}
	}
}
