package dusk

import (
	"context"
	"slices"

	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/wire/pb"
)

// holdings asks the scheduler where the keys are and how big (all: every
// key in memory).
func (c *Client) holdings(ctx context.Context, fs []Keyer, all bool) (*pb.WhoHasReply, error) {
	req := &pb.WhoHasRequest{All: all}
	for _, f := range fs {
		req.Keys = append(req.Keys, string(f.Key()))
	}
	r, err := c.sched.WhoHas(ctx, req)
	if err != nil {
		return nil, wire.Explain(err, "scheduler "+c.target)
	}
	return r, nil
}

// WhoHas returns, for each of the futures (or keys) whose data is in
// memory, the addresses of the workers holding it. Keys not in memory are
// absent.
func (c *Client) WhoHas(ctx context.Context, fs ...Keyer) (map[Key][]string, error) {
	r, err := c.holdings(ctx, fs, false)
	if err != nil {
		return nil, err
	}
	out := make(map[Key][]string, len(r.GetWhoHas()))
	for k, loc := range r.GetWhoHas() {
		out[Key(k)] = slices.Sorted(slices.Values(loc.GetAddresses()))
	}
	return out, nil
}

// HasWhat returns, for each worker address, the keys in memory there.
func (c *Client) HasWhat(ctx context.Context) (map[string][]Key, error) {
	r, err := c.holdings(ctx, nil, true)
	if err != nil {
		return nil, err
	}
	out := map[string][]Key{}
	for k, loc := range r.GetWhoHas() {
		for _, a := range loc.GetAddresses() {
			out[a] = append(out[a], Key(k))
		}
	}
	for _, ks := range out {
		slices.Sort(ks)
	}
	return out, nil
}

// Nbytes returns the size in memory of each of the futures' (or keys')
// data that is in memory; with none given, of every key in memory.
func (c *Client) Nbytes(ctx context.Context, fs ...Keyer) (map[Key]int64, error) {
	r, err := c.holdings(ctx, fs, len(fs) == 0)
	if err != nil {
		return nil, err
	}
	out := make(map[Key]int64, len(r.GetWhoHas()))
	for k, loc := range r.GetWhoHas() {
		out[Key(k)] = loc.GetNbytes()
	}
	return out, nil
}
