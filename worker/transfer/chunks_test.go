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

// ValueParts puts a value's head and body in one message as two pieces
// (which wire's codec sends as one), the assembler joins them if they
// arrive as two, and a value above the chunk size is cut as Value cuts it.
func TestChunkWriterParts(t *testing.T) {
	var sent []*pb.DataBatch
	cw := NewChunkWriter(func(b *pb.DataBatch) error { sent = append(sent, b); return nil }, 1000)
	head, body := []byte("head"), bytes.Repeat([]byte{3}, 500)
	if err := cw.ValueParts("v", head, body, 504, "t"); err != nil {
		t.Fatal(err)
	}
	if err := cw.ValueParts("w", []byte("only"), nil, 4, "t"); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte{4}, 1500)
	if err := cw.ValueParts("big", head, big, 1504, "t"); err != nil {
		t.Fatal(err)
	}
	if err := cw.Flush(); err != nil {
		t.Fatal(err)
	}
	if c := sent[0].Chunks; len(c) < 2 || c[0].Key != "v" || c[1].Key != "v" || &c[1].Data[0] != &body[0] || c[0].Total != 504 {
		t.Fatal("the first message does not start with the head (with the total) and the body, not copied")
	}
	var asm Assembler
	got := map[string][]byte{}
	for _, b := range sent {
		for _, c := range b.Chunks {
			key, data, _, _, done, _, err := asm.Add(c)
			if err != nil {
				t.Fatal(err)
			}
			if done {
				got[key] = data
			}
		}
	}
	if !bytes.Equal(got["v"], append(bytes.Clone(head), body...)) || string(got["w"]) != "only" || !bytes.Equal(got["big"], append(bytes.Clone(head), big...)) {
		t.Fatalf("assembled %q", got)
	}
}
