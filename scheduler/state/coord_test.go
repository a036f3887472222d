package state

import (
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk/graph"
)

// coordClient drives coordination requests for one client in a harness.
type coordClient struct {
	h  *harness
	id string
	n  uint64
}

func (h *harness) coordClient(id string) *coordClient {
	h.handle(&ClientAdded{At: h.at(), ID: id})
	return &coordClient{h: h, id: id}
}

// do sends req and returns its number and every reply the event caused.
func (c *coordClient) do(req CoordRequest) (uint64, []*CoordReplied) {
	c.n++
	acts := c.h.handle(&CoordRequested{At: c.h.at(), Client: c.id, ID: c.n, Req: req})
	return c.n, ofType[*CoordReplied](acts)
}

// must sends req and returns its own reply, failing if there is none or
// it is an error.
func (c *coordClient) must(req CoordRequest) *CoordReplied {
	c.h.t.Helper()
	id, rs := c.do(req)
	r := replyTo(rs, c.id, id)
	if r == nil {
		c.h.t.Fatalf("%s %s: no reply", req.Op, req.Name)
	}
	if r.Err != "" {
		c.h.t.Fatalf("%s %s: %s", req.Op, req.Name, r.Err)
	}
	return r
}

func replyTo(rs []*CoordReplied, client string, id uint64) *CoordReplied {
	for _, r := range rs {
		if r.Client == client && r.ID == id {
			return r
		}
	}
	return nil
}

func val(s string) Item { return Item{Data: []byte(s), Type: "string"} }

func TestQueueFIFOAndBlockingGet(t *testing.T) {
	h := newHarness(t)
	a, b := h.coordClient("a"), h.coordClient("b")
	// b waits on the empty queue.
	get, rs := b.do(CoordRequest{Op: QueueGet, Name: "q", Wait: true})
	if len(rs) != 0 {
		t.Fatalf("a Get on an empty queue was answered: %+v", rs[0])
	}
	// a's first Put goes straight to b.
	_, rs = a.do(CoordRequest{Op: QueuePut, Name: "q", Item: val("1")})
	if r := replyTo(rs, "b", get); r == nil || string(r.Item.Data) != "1" {
		t.Fatalf("the waiting Get got %+v", rs)
	}
	a.must(CoordRequest{Op: QueuePut, Name: "q", Item: val("2")})
	a.must(CoordRequest{Op: QueuePut, Name: "q", Item: val("3")})
	if r := b.must(CoordRequest{Op: QueueSize, Name: "q"}); r.Size != 2 {
		t.Fatalf("size %d, want 2", r.Size)
	}
	for _, want := range []string{"2", "3"} {
		if r := b.must(CoordRequest{Op: QueueGet, Name: "q"}); !r.OK || string(r.Item.Data) != want {
			t.Fatalf("Get = %+v, want %s", r, want)
		}
	}
	if r := b.must(CoordRequest{Op: QueueGet, Name: "q"}); r.OK {
		t.Fatalf("a Get without wait on an empty queue said OK: %+v", r)
	}
}

func TestBoundedQueueBlocksPutters(t *testing.T) {
	h := newHarness(t)
	a, b := h.coordClient("a"), h.coordClient("b")
	a.must(CoordRequest{Op: QueuePut, Name: "q", Max: 1, Item: val("1")})
	if r := a.must(CoordRequest{Op: QueuePut, Name: "q", Max: 1, Item: val("x")}); r.OK {
		t.Fatal("a Put without wait on a full queue said OK")
	}
	put, rs := a.do(CoordRequest{Op: QueuePut, Name: "q", Max: 1, Item: val("2"), Wait: true})
	if len(rs) != 0 {
		t.Fatal("a Put on a full queue was answered at once")
	}
	id, rs := b.do(CoordRequest{Op: QueueGet, Name: "q", Max: 1})
	if r := replyTo(rs, "b", id); r == nil || string(r.Item.Data) != "1" {
		t.Fatalf("Get = %+v", rs)
	}
	if r := replyTo(rs, "a", put); r == nil || !r.OK {
		t.Fatalf("the waiting Put was not let in: %+v", rs)
	}
	if r := b.must(CoordRequest{Op: QueueGet, Name: "q", Max: 1}); string(r.Item.Data) != "2" {
		t.Fatalf("Get = %+v, want 2", r)
	}
	_, rs = b.do(CoordRequest{Op: QueueGet, Name: "q", Max: 5})
	if len(rs) != 1 || !strings.Contains(rs[0].Err, "at most 1") {
		t.Fatalf("a mismatched bound: %+v", rs)
	}
}

func TestCancelledGetTakesNothing(t *testing.T) {
	h := newHarness(t)
	a, b := h.coordClient("a"), h.coordClient("b")
	get, _ := b.do(CoordRequest{Op: QueueGet, Name: "q", Wait: true})
	rs := ofType[*CoordReplied](h.handle(&CoordCancelled{At: h.at(), Client: "b", ID: get}))
	if r := replyTo(rs, "b", get); r == nil || !r.Cancelled {
		t.Fatalf("cancel answered %+v", rs)
	}
	a.must(CoordRequest{Op: QueuePut, Name: "q", Item: val("1")})
	if r := a.must(CoordRequest{Op: QueueSize, Name: "q"}); r.Size != 1 {
		t.Fatalf("the item went to a cancelled Get: size %d", r.Size)
	}
	// A cancel after the answer does nothing.
	if rs := ofType[*CoordReplied](h.handle(&CoordCancelled{At: h.at(), Client: "b", ID: get})); len(rs) != 0 {
		t.Fatalf("a late cancel answered %+v", rs)
	}
}

// inMemory submits a task for client and finishes it on worker w.
func (h *harness) inMemory(client, w, key string) {
	h.submit(client, []*graph.Task{spec(key)}, graph.Key(key))
	h.start(w, graph.Key(key))
	h.finish(w, graph.Key(key), 8)
	h.wantState(graph.Key(key), Memory)
}

func TestFutureInAQueueOutlivesItsClient(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w", 1, nil)
	a, b := h.coordClient("a"), h.coordClient("b")
	h.inMemory("a", "w", "x")
	a.must(CoordRequest{Op: QueuePut, Name: "q", Item: Item{Key: "x"}})
	// a releases its future and leaves: the queue keeps x.
	h.handle(&KeysReleased{At: h.at(), Client: "a", Keys: []graph.Key{"x"}})
	h.handle(&ClientRemoved{At: h.at(), ID: "a"})
	h.wantState("x", Memory)
	id, rs := b.do(CoordRequest{Op: QueueGet, Name: "q"})
	if r := replyTo(rs, "b", id); r == nil || r.Item.Key != "x" {
		t.Fatalf("Get = %+v", rs)
	}
	// b is told x is in memory after the reply that names it.
	acts := h.out[len(h.out)-2:]
	if _, ok := acts[0].(*CoordReplied); !ok {
		t.Fatalf("the reply did not come first: %s", describe(acts))
	}
	if m, ok := acts[1].(*KeyInMemory); !ok || m.Client != "b" || m.Key != "x" {
		t.Fatalf("b was not told x is in memory: %s", describe(acts))
	}
	// b holds it now; its release frees it.
	h.handle(&KeysReleased{At: h.at(), Client: "b", Keys: []graph.Key{"x"}})
	if st := h.state("x"); st == Memory {
		t.Fatalf("x is still %s once nothing holds it", st)
	}
	if _, rs := b.do(CoordRequest{Op: QueuePut, Name: "q", Item: Item{Key: "gone"}}); len(rs) != 1 || !strings.Contains(rs[0].Err, "not known") {
		t.Fatalf("putting an unknown key: %+v", rs)
	}
}

func TestLockLeaseLostWithItsHolder(t *testing.T) {
	h := newHarness(t)
	a, b := h.coordClient("a"), h.coordClient("b")
	l := a.must(CoordRequest{Op: SemaphoreAcquire, Name: "lock", Max: 1, Wait: true}).Lease
	if r := b.must(CoordRequest{Op: SemaphoreAcquire, Name: "lock", Max: 1}); r.OK {
		t.Fatal("a second lease of a lock was granted")
	}
	acq, rs := b.do(CoordRequest{Op: SemaphoreAcquire, Name: "lock", Max: 1, Wait: true})
	if len(rs) != 0 {
		t.Fatal("a waiting Acquire was answered while the lock is held")
	}
	// b cannot release a's lease.
	if _, rs := b.do(CoordRequest{Op: SemaphoreRelease, Name: "lock", Max: 1, Lease: l}); len(rs) != 1 || rs[0].Err == "" {
		t.Fatalf("b released a's lease: %+v", rs)
	}
	// a dies: b gets the lock.
	rs = ofType[*CoordReplied](h.handle(&ClientRemoved{At: h.at(), ID: "a"}))
	r := replyTo(rs, "b", acq)
	if r == nil || !r.OK || r.Lease == 0 || r.Lease == l {
		t.Fatalf("b did not get the lock when a died: %+v", rs)
	}
	b.must(CoordRequest{Op: SemaphoreRelease, Name: "lock", Max: 1, Lease: r.Lease})
	if _, rs := b.do(CoordRequest{Op: SemaphoreRelease, Name: "lock", Max: 1, Lease: r.Lease}); len(rs) != 1 || !strings.Contains(rs[0].Err, "no lease") {
		t.Fatalf("a second release: %+v", rs)
	}
}

func TestSemaphoreLeases(t *testing.T) {
	h := newHarness(t)
	cs := []*coordClient{h.coordClient("a"), h.coordClient("b"), h.coordClient("c")}
	var leases []uint64
	for _, c := range cs[:2] {
		leases = append(leases, c.must(CoordRequest{Op: SemaphoreAcquire, Name: "s", Max: 2, Wait: true}).Lease)
	}
	acq, rs := cs[2].do(CoordRequest{Op: SemaphoreAcquire, Name: "s", Max: 2, Wait: true})
	if len(rs) != 0 {
		t.Fatal("a third lease of two was granted")
	}
	rs = nil
	_, rs = cs[0].do(CoordRequest{Op: SemaphoreRelease, Name: "s", Max: 2, Lease: leases[0]})
	if r := replyTo(rs, "c", acq); r == nil || !r.OK {
		t.Fatalf("a released lease did not go to the waiter: %+v", rs)
	}
	if _, rs := cs[0].do(CoordRequest{Op: SemaphoreAcquire, Name: "s", Max: 3}); len(rs) != 1 || !strings.Contains(rs[0].Err, "has 2 leases") {
		t.Fatalf("a mismatched number of leases: %+v", rs)
	}
}

func TestVariableAndEvent(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w", 1, nil)
	a, b := h.coordClient("a"), h.coordClient("b")
	get, rs := b.do(CoordRequest{Op: VariableGet, Name: "v", Wait: true})
	if len(rs) != 0 {
		t.Fatal("a Get of an unset variable was answered")
	}
	_, rs = a.do(CoordRequest{Op: VariableSet, Name: "v", Item: val("one")})
	if r := replyTo(rs, "b", get); r == nil || string(r.Item.Data) != "one" {
		t.Fatalf("the waiting Get got %+v", rs)
	}
	// A future in a variable is held until the variable changes.
	h.inMemory("a", "w", "x")
	a.must(CoordRequest{Op: VariableSet, Name: "v", Item: Item{Key: "x"}})
	h.handle(&ClientRemoved{At: h.at(), ID: "a"})
	h.wantState("x", Memory)
	b.must(CoordRequest{Op: VariableSet, Name: "v", Item: val("two")})
	if st := h.state("x"); st == Memory {
		t.Fatalf("x is still %s after the variable changed", st)
	}

	wait, rs := b.do(CoordRequest{Op: EventWait, Name: "e", Wait: true})
	if len(rs) != 0 {
		t.Fatal("a Wait on an unset event was answered")
	}
	c := h.coordClient("c")
	_, rs = c.do(CoordRequest{Op: EventSet, Name: "e"})
	if r := replyTo(rs, "b", wait); r == nil || !r.OK {
		t.Fatalf("Set did not wake the waiter: %+v", rs)
	}
	if r := b.must(CoordRequest{Op: EventWait, Name: "e"}); !r.OK {
		t.Fatal("a set event is not set")
	}
	c.must(CoordRequest{Op: EventClear, Name: "e"})
	if r := b.must(CoordRequest{Op: EventWait, Name: "e"}); r.OK {
		t.Fatal("a cleared event is set")
	}
}

func TestTopicFansOutAndEndsWithItsClient(t *testing.T) {
	h := newHarness(t)
	a, b, p := h.coordClient("a"), h.coordClient("b"), h.coordClient("p")
	sa := a.must(CoordRequest{Op: TopicSubscribe, Name: "t"}).Lease
	sb := b.must(CoordRequest{Op: TopicSubscribe, Name: "t"}).Lease
	next, _ := a.do(CoordRequest{Op: TopicNext, Name: "t", Lease: sa, Wait: true})
	_, rs := p.do(CoordRequest{Op: TopicPublish, Name: "t", Item: val("m1")})
	if r := replyTo(rs, "a", next); r == nil || string(r.Item.Data) != "m1" {
		t.Fatalf("the waiting Next got %+v", rs)
	}
	if r := b.must(CoordRequest{Op: TopicNext, Name: "t", Lease: sb}); string(r.Item.Data) != "m1" {
		t.Fatalf("b got %+v", r)
	}
	if _, rs := b.do(CoordRequest{Op: TopicNext, Name: "t", Lease: sa}); len(rs) != 1 || rs[0].Err == "" {
		t.Fatal("b read a's subscription")
	}
	bn, _ := b.do(CoordRequest{Op: TopicNext, Name: "t", Lease: sb, Wait: true})
	rs = ofType[*CoordReplied](h.handle(&ClientRemoved{At: h.at(), ID: "b"}))
	if len(rs) != 0 {
		t.Fatalf("a departed client was answered: %+v", rs)
	}
	_ = bn
	if r := p.must(CoordRequest{Op: TopicPublish, Name: "t", Item: val("m2")}); r.Size != 1 {
		t.Fatalf("published to %d subscriptions, want 1 (b left)", r.Size)
	}
	if _, rs := p.do(CoordRequest{Op: TopicPublish, Name: "t", Item: Item{Key: "x"}}); len(rs) != 1 || !strings.Contains(rs[0].Err, "values, not futures") {
		t.Fatalf("a future on a topic: %+v", rs)
	}
}

func TestTopicDropsTheOldestPastItsBuffer(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Validate = false })
	a, p := h.coordClient("a"), h.coordClient("p")
	sa := a.must(CoordRequest{Op: TopicSubscribe, Name: "t"}).Lease
	for i := range TopicBuffer + 3 {
		p.must(CoordRequest{Op: TopicPublish, Name: "t", Item: Item{Data: []byte{byte(i)}}})
	}
	r := a.must(CoordRequest{Op: TopicNext, Name: "t", Lease: sa})
	if r.Dropped != 3 || r.Item.Data[0] != 3 {
		t.Fatalf("first message %v with %d dropped; want message 3 with 3 dropped", r.Item.Data, r.Dropped)
	}
}

func TestDatasets(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w", 1, nil)
	a, b := h.coordClient("a"), h.coordClient("b")
	h.inMemory("a", "w", "x")
	h.inMemory("a", "w", "y")
	a.must(CoordRequest{Op: DatasetPublish, Name: "d", Keys: []graph.Key{"x", "y"}, Meta: []byte("m")})
	if _, rs := a.do(CoordRequest{Op: DatasetPublish, Name: "d", Keys: []graph.Key{"x"}}); len(rs) != 1 || !strings.Contains(rs[0].Err, "published already") {
		t.Fatalf("publishing a name twice: %+v", rs)
	}
	h.handle(&ClientRemoved{At: h.at(), ID: "a"})
	h.wantState("x", Memory)
	h.wantState("y", Memory)
	if r := b.must(CoordRequest{Op: DatasetList}); !slices.Equal(r.Names, []string{"d"}) {
		t.Fatalf("datasets %v", r.Names)
	}
	id, rs := b.do(CoordRequest{Op: DatasetGet, Name: "d"})
	r := replyTo(rs, "b", id)
	if r == nil || !slices.Equal(r.Keys, []graph.Key{"x", "y"}) || string(r.Meta) != "m" {
		t.Fatalf("Get = %+v", rs)
	}
	if n := len(ofType[*KeyInMemory](h.out[len(h.out)-2:])); n != 2 {
		t.Fatalf("b was told of %d keys in memory after the reply, want 2", n)
	}
	b.must(CoordRequest{Op: DatasetUnpublish, Name: "d"})
	h.wantState("x", Memory) // b holds it
	h.handle(&ClientRemoved{At: h.at(), ID: "b"})
	if st := h.state("x"); st == Memory {
		t.Fatalf("x is %s once unpublished and its holders left", st)
	}
	if _, rs := b.do(CoordRequest{Op: DatasetGet, Name: "d"}); len(rs) != 1 || !strings.Contains(rs[0].Err, "no dataset") {
		t.Fatalf("a missing dataset: %+v", rs)
	}
}

func TestCoordStateGoesWithARestart(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w", 1, nil)
	a := h.coordClient("a")
	h.inMemory("a", "w", "x")
	a.must(CoordRequest{Op: DatasetPublish, Name: "d", Keys: []graph.Key{"x"}})
	a.must(CoordRequest{Op: QueuePut, Name: "q", Item: Item{Key: "x"}})
	a.must(CoordRequest{Op: QueuePut, Name: "q", Item: val("v")})
	h.handle(&Restarted{At: h.at()})
	if r := a.must(CoordRequest{Op: DatasetList}); len(r.Names) != 0 {
		t.Fatalf("datasets after a restart: %v", r.Names)
	}
	if r := a.must(CoordRequest{Op: QueueGet, Name: "q"}); string(r.Item.Data) != "v" || r.Item.Key != "" {
		t.Fatalf("the queue after a restart gave %+v, want the value only", r)
	}
}

// A future held only by a queue whose worker dies is computed again: the
// queue wants it, as a client would.
func TestFutureInAQueueOutlivesItsWorker(t *testing.T) {
	h := newHarness(t)
	h.addWorker("w1", 1, nil)
	a := h.coordClient("a")
	h.inMemory("a", "w1", "x")
	a.must(CoordRequest{Op: QueuePut, Name: "q", Item: Item{Key: "x"}})
	h.handle(&KeysReleased{At: h.at(), Client: "a", Keys: []graph.Key{"x"}})
	h.addWorker("w2", 1, nil)
	acts := h.handle(&WorkerRemoved{At: h.at(), ID: "w1"})
	if got := computes(acts); !slices.Equal(got, []string{"w2:x"}) {
		t.Fatalf("after its worker died, x was sent to %v; want it computed again on w2", got)
	}
	h.start("w2", "x")
	h.finish("w2", "x", 8)
	id, rs := a.do(CoordRequest{Op: QueueGet, Name: "q"})
	if r := replyTo(rs, "a", id); r == nil || r.Item.Key != "x" {
		t.Fatalf("Get = %+v", rs)
	}
	h.wantState("x", Memory)
}
