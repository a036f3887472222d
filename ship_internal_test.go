package dusk

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/dusk-go/dusk/wire/pb"
)

// The scheduler keeps only a binary that arrived whole and as announced,
// and workers that run the client's build are left alone.
func TestShipBinaryChecksAndRefusals(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := Connect(ctx, "", LocalWorkers(2), LocalThreads(1), LocalDashboard("off"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	// An upload whose bytes are not the ones announced is refused.
	bad := &pb.BinaryInfo{Sha256: strings.Repeat("ab", 32), Size: 5, Goos: "linux", Goarch: "amd64", BuildId: "x"}
	stream, err := c.sched.PutBinary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.Send(&pb.BinaryChunk{Info: bad, Data: []byte("hello")}); err != nil {
		t.Fatal(err)
	}
	if _, err := stream.CloseAndRecv(); err == nil || !strings.Contains(err.Error(), "is not the one announced") {
		t.Fatalf("a corrupt upload: err = %v", err)
	}
	r, err := c.sched.UseBinary(ctx, &pb.UseBinaryRequest{Binary: bad})
	if err != nil || !r.GetMissing() {
		t.Fatalf("using a binary the scheduler does not have: %v, %v; want missing", r, err)
	}
	// Nothing without a description.
	stream, err = c.sched.PutBinary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_ = stream.Send(&pb.BinaryChunk{Data: []byte("hello")})
	if _, err := stream.CloseAndRecv(); err == nil || !strings.Contains(err.Error(), "no description") {
		t.Fatalf("an upload without a description: err = %v", err)
	}

	// In-process workers run this very program: nothing to switch.
	rep, err := c.ShipBinary(ctx)
	if err != nil || len(rep.Unchanged) != 2 || len(rep.Switched) != 0 {
		t.Fatalf("ShipBinary to workers of this program: %+v, %v; want the 2 unchanged", rep, err)
	}
}
