package dusk

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/dusk-go/dusk/registry"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// ShipBinary makes Connect ship this program to the cluster's workers
// (Client.ShipBinary): workers that run another build (a stock dusk
// worker, or an older build of this program) switch to this executable
// under their nanny before Connect returns, and so does any worker that
// joins later. Use it at the start of a session: a worker that switches
// is restarted, and what it held is computed again.
func ShipBinary() Option { return func(o *connectOptions) { o.ship = true } }

// ShipReport says what shipping the program did, by worker address.
type ShipReport struct {
	// Switched are the workers that now run this program, after a
	// restart; Unchanged those that ran it already.
	Switched, Unchanged []string
	// Refused are the workers that cannot run it, each with the reason
	// (another OS or architecture, no nanny, binaries refused).
	Refused map[string]string
}

// ShipError is returned when workers cannot run the shipped program.
type ShipError struct{ Refused map[string]string }

func (e *ShipError) Error() string {
	addrs := make([]string, 0, len(e.Refused))
	for a := range e.Refused {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	var b strings.Builder
	fmt.Fprintf(&b, "dusk: %d worker(s) cannot run this program:", len(addrs))
	for _, a := range addrs {
		fmt.Fprintf(&b, " %s: %s;", a, e.Refused[a])
	}
	return strings.TrimSuffix(b.String(), ";")
}

// ShipBinary makes this program's executable the cluster's: it is
// uploaded to the scheduler once (kept there by its SHA-256), and every
// worker that runs another build (registry.BuildID) fetches it, once per
// host, checks its SHA-256, and is started again on it by its nanny. It
// waits until those workers are back, up to ctx's deadline or two
// minutes. Workers joining later switch before they take any task. Only
// workers of the same OS and architecture under a nanny can switch; if
// any cannot, the error is a *ShipError naming each, and the others have
// switched.
func (c *Client) ShipBinary(ctx context.Context) (*ShipReport, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("dusk: finding this program to ship it: %w", err)
	}
	id := registry.BuildID()
	if id == "" {
		return nil, errors.New("dusk: this program's build cannot be identified (its executable cannot be read), so it cannot be shipped")
	}
	info, err := wire.DescribeBinary(exe, runtime.GOOS, runtime.GOARCH, id)
	if err != nil {
		return nil, fmt.Errorf("dusk: reading this program to ship it: %w", err)
	}
	timeout := 2 * time.Minute
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	use := func() (*pb.UseBinaryReply, error) {
		r, err := c.sched.UseBinary(ctx, &pb.UseBinaryRequest{Binary: info, TimeoutMs: timeout.Milliseconds()})
		if err != nil {
			return nil, wire.Explain(err, "scheduler "+c.addr)
		}
		return r, nil
	}
	r, err := use()
	if err != nil {
		return nil, err
	}
	if r.GetMissing() {
		began := time.Now()
		if err := c.putBinary(ctx, exe, info); err != nil {
			return nil, err
		}
		c.log.Info("shipped this program to the scheduler", "bytes", info.GetSize(), "took", time.Since(began).Round(time.Millisecond))
		if r, err = use(); err != nil {
			return nil, err
		}
	}
	rep := &ShipReport{Switched: r.GetSwitched(), Unchanged: r.GetUnchanged(), Refused: r.GetRefused()}
	if len(rep.Switched) > 0 {
		c.log.Info("workers switched to this program", "workers", len(rep.Switched))
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_ = c.refreshWorkerFuncs(rctx)
		cancel()
	}
	if len(rep.Refused) > 0 {
		return rep, &ShipError{Refused: rep.Refused}
	}
	return rep, nil
}

// putBinary uploads the executable at path to the scheduler.
func (c *Client) putBinary(ctx context.Context, path string, info *pb.BinaryInfo) error {
	stream, err := c.sched.PutBinary(ctx)
	if err != nil {
		return wire.Explain(err, "scheduler "+c.addr)
	}
	if err := wire.SendBinary(path, info, stream.Send); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("dusk: shipping this program: %w", err)
	}
	// A refused upload ends the stream early (io.EOF on Send): the reason
	// comes with the reply.
	if _, err := stream.CloseAndRecv(); err != nil {
		return wire.Explain(err, "scheduler "+c.addr)
	}
	return nil
}
