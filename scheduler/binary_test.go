package scheduler

import (
	"strings"
	"testing"

	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

func TestWhichWorkersCanRunAShippedBinary(t *testing.T) {
	b := &pb.BinaryInfo{Goos: "linux", Goarch: "amd64"}
	for _, tc := range []struct {
		w    buildOf
		want string // a part of the reason; "" can run it
	}{
		{buildOf{goos: "linux", goarch: "amd64", supervised: true}, ""},
		{buildOf{goos: "linux", goarch: "arm64", supervised: true}, "GOOS=linux GOARCH=arm64 go build"},
		{buildOf{goos: "darwin", goarch: "amd64", supervised: true}, "runs on darwin/amd64 and the binary is for linux/amd64"},
		{buildOf{goos: "linux", goarch: "amd64"}, "no nanny"},
		{buildOf{}, "no nanny"}, // a worker too old to say
	} {
		got := tc.w.cannotRun(b)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("%+v: %q, want %q", tc.w, got, tc.want)
		}
	}
}

func TestCheckBinaryInfo(t *testing.T) {
	good := &pb.BinaryInfo{Sha256: strings.Repeat("0f", 32), Size: 10, Goos: "linux", Goarch: "amd64", BuildId: "id"}
	if err := wire.CheckBinaryInfo(good); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []*pb.BinaryInfo{
		nil,
		{Sha256: "abc", Size: 10, Goos: "linux", Goarch: "amd64", BuildId: "id"},
		{Sha256: strings.Repeat("zz", 32), Size: 10, Goos: "linux", Goarch: "amd64", BuildId: "id"},
		{Sha256: good.Sha256, Size: 0, Goos: "linux", Goarch: "amd64", BuildId: "id"},
		{Sha256: good.Sha256, Size: 10, BuildId: "id"},
	} {
		if err := wire.CheckBinaryInfo(bad); err == nil {
			t.Errorf("wire.CheckBinaryInfo(%v) accepted it", bad)
		}
	}
}
