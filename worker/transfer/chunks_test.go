package transfer

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/dusk-go/dusk/wire/pb"
)

// A value up to the chunk size travels in one piece (joined by nobody),
// a larger one in pieces of that size; small values share messages of
// about 1 MiB; every value comes out of the assembler whole.
func TestChunkWriterPieces(t *testing.T) {
	var sent []*pb.DataBatch
	send := func(b *pb.DataBatch) error { sent = append(sent, b); return nil }
	cw := NewChunkWriter(send, 0)
	large := bytes.Repeat([]byte{7}, 8<<20)
	huge := bytes.Repeat([]byte{9}, DefaultChunkSize+5)
	values := map[string][]byte{"large": large, "huge": huge}
	order := []string{"large", "huge"}
	for i := range 3000 {
		k := fmt.Sprint("small-", i)
		values[k] = bytes.Repeat([]byte{byte(i)}, 1000)
		order = append(order, k)
	}
	for _, k := range order {
		if err := cw.Value(k, values[k], int64(len(values[k])), "[]byte"); err != nil {
			t.Fatal(err)
		}
	}
	if err := cw.Missing("gone"); err != nil {
		t.Fatal(err)
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	pieces := map[string]int{}
	for _, b := range sent {
		for _, c := range b.Chunks {
			pieces[c.Key]++
		}
	}
	if pieces["large"] != 1 || pieces["huge"] != 2 {
		t.Errorf("the 8 MiB value went in %d pieces (want 1), the one above the chunk size in %d (want 2)", pieces["large"], pieces["huge"])
	}
	if len(sent) < 4 || len(sent) > 6 {
		t.Errorf("%d messages for 2 large values and 3 MB of small ones, want 4 to 6", len(sent))
	}
	var asm Assembler
	got := map[string][]byte{}
	for _, b := range sent {
		for _, c := range b.Chunks {
			key, data, _, _, done, missing, err := asm.Add(c)
			if err != nil {
				t.Fatal(err)
			}
			if done && !missing {
				got[key] = data
			}
			if done && missing && key != "gone" {
				t.Errorf("%s came back missing", key)
			}
		}
	}
	if len(got) != len(values) {
		t.Fatalf("%d values assembled, %d sent", len(got), len(values))
	}
	for k, v := range values {
		if !bytes.Equal(got[k], v) {
			t.Fatalf("%s came back different", k)
		}
	}
	if &got["large"][0] != &large[0] {
		t.Error("the value in one piece was copied by the assembler")
	}
}
