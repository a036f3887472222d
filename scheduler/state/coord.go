package state

import (
	"fmt"
	"slices"
	"time"

	"github.com/dusk-go/dusk/graph"
)

// The scheduler keeps named coordination state for its clients: datasets
// (named sets of keys kept alive while published), queues, variables,
// semaphores (and locks, semaphores of one lease), events and pub/sub
// topics. A client asks with CoordRequested and hears back with one
// CoordReplied; a request that has to wait (a Get on an empty queue, an
// Acquire with no lease free) is answered once it can be, or when the
// client cancels it (CoordCancelled). What a client holds (leases,
// subscriptions) and waits for goes when the client goes, so a dead
// holder loses its leases. A key held by a primitive (a future in a
// queue or a variable, a published dataset) is wanted by a holder of the
// primitive's own, as a client's future is, so its data stays alive.

// CoordOp is what a coordination request does.
type CoordOp uint8

// The coordination operations.
const (
	// QueuePut adds Item to queue Name (bounded by Max when the queue is
	// made; 0: unbounded); with Wait it waits for room, otherwise a full
	// queue answers OK false.
	QueuePut CoordOp = iota + 1
	// QueueGet takes the oldest item; with Wait it waits for one,
	// otherwise an empty queue answers OK false.
	QueueGet
	// QueueSize answers the number of items in Size.
	QueueSize
	// QueueDelete drops the queue, its items and its waiters.
	QueueDelete
	// VariableSet sets variable Name to Item.
	VariableSet
	// VariableGet answers its value; with Wait it waits until it is set,
	// otherwise an unset variable answers OK false.
	VariableGet
	// VariableDelete unsets and drops the variable.
	VariableDelete
	// SemaphoreAcquire takes a lease of semaphore Name (Max leases, given
	// by whoever first uses it); the lease's number is in Lease. With
	// Wait it waits for a free lease, otherwise OK false.
	SemaphoreAcquire
	// SemaphoreRelease gives back lease Lease.
	SemaphoreRelease
	// EventSet sets event Name, waking its waiters.
	EventSet
	// EventClear clears it.
	EventClear
	// EventWait answers once the event is set (OK: whether it is set
	// now, without Wait).
	EventWait
	// TopicSubscribe subscribes to topic Name: Lease is the subscription.
	TopicSubscribe
	// TopicUnsubscribe ends subscription Lease.
	TopicUnsubscribe
	// TopicPublish sends Item to every subscription of topic Name.
	TopicPublish
	// TopicNext takes subscription Lease's oldest message; with Wait it
	// waits for one, otherwise OK false. Dropped counts the messages the
	// subscription lost to its bound since the last TopicNext.
	TopicNext
	// DatasetPublish names Keys (and Meta) Name; Override replaces one of
	// that name.
	DatasetPublish
	// DatasetGet answers dataset Name's Keys and Meta, and makes the
	// client a holder of its keys (as if it had submitted them).
	DatasetGet
	// DatasetUnpublish drops the name; its keys live on while futures
	// hold them.
	DatasetUnpublish
	// DatasetList answers the datasets' names.
	DatasetList
	numCoordOps
)

var coordOpNames = [numCoordOps]string{"", "queue-put", "queue-get", "queue-size", "queue-delete",
	"variable-set", "variable-get", "variable-delete", "semaphore-acquire", "semaphore-release",
	"event-set", "event-clear", "event-wait", "topic-subscribe", "topic-unsubscribe", "topic-publish",
	"topic-next", "dataset-publish", "dataset-get", "dataset-unpublish", "dataset-list"}

// String returns the operation's name.
func (o CoordOp) String() string {
	if o < numCoordOps && o > 0 {
		return coordOpNames[o]
	}
	return fmt.Sprintf("coord-op(%d)", o)
}

// Item is a value a primitive holds: encoded bytes, or a key (a future)
// whose data the primitive keeps alive.
type Item struct {
	Data []byte
	Type string
	Key  graph.Key
}

// CoordRequest is one request on a named primitive; which fields count
// depends on Op.
type CoordRequest struct {
	Op       CoordOp
	Name     string
	Item     Item
	Keys     []graph.Key
	Meta     []byte
	Max      int
	Lease    uint64
	Wait     bool
	Override bool
}

// CoordRequested: a client's request on a named primitive. ID is the
// client's, echoed in the reply.
type CoordRequested struct {
	At
	Client string
	ID     uint64
	Req    CoordRequest
}

// CoordCancelled: the client gave up waiting for request ID. If it still
// waits it is answered with Cancelled; if it was answered already,
// nothing happens (the client takes that answer).
type CoordCancelled struct {
	At
	Client string
	ID     uint64
}

// CoordReplied answers request ID of a client.
type CoordReplied struct {
	Caused
	Client string
	ID     uint64
	// Err is why the request failed; empty on success.
	Err string
	// Cancelled: the request was waiting when the client cancelled it.
	Cancelled bool
	// OK is false when a request that was not to wait could not be done
	// at once (an empty queue, a full one, no free lease, an unset
	// variable or event).
	OK      bool
	Item    Item
	Keys    []graph.Key
	Meta    []byte
	Lease   uint64
	Size    int
	Dropped int
	Names   []string

	deferred bool // the request waits: no reply yet
}

func (e *CoordRequested) stimulus() (EventKind, string) { return KindCoordRequested, e.Client }
func (e *CoordCancelled) stimulus() (EventKind, string) { return KindCoordCancelled, e.Client }

// TopicBuffer is how many messages a topic's subscription keeps before
// it drops the oldest.
const TopicBuffer = 10000

// coord is the scheduler's named coordination state.
type coord struct {
	queues    map[string]*namedQueue
	variables map[string]*variable
	sems      map[string]*semaphore
	events    map[string]*coordEvent
	topics    map[string]*topic
	datasets  map[string]*dataset
	// waiting finds a waiting request to cancel it: it removes the
	// request from its primitive and reports whether it found it.
	waiting map[waitID]func() bool
	// nextLease numbers leases and subscriptions.
	nextLease uint64
	// version counts the changes worth saving (coord_saved.go).
	version uint64
	// awaiting are the keys of restored state that have no task yet,
	// with the holders (pseudo-clients and clients) that want each once
	// it has; restoredAt is when the state was restored.
	awaiting   map[graph.Key][]string
	restoredAt time.Time
}

// waitID names a request: its client and the client's number for it.
type waitID struct {
	client string
	id     uint64
}

// waiter is a request waiting on a primitive.
type waiter struct {
	waitID
	item Item // what a waiting QueuePut puts
}

func (s *State) coordState() *coord {
	if s.coord == nil {
		s.coord = &coord{
			queues: map[string]*namedQueue{}, variables: map[string]*variable{}, sems: map[string]*semaphore{},
			events: map[string]*coordEvent{}, topics: map[string]*topic{}, datasets: map[string]*dataset{},
			waiting: map[waitID]func() bool{},
		}
	}
	return s.coord
}

func (s *State) handleCoord(e *CoordRequested) {
	s.client(e.Client)
	r := &CoordReplied{Client: e.Client, ID: e.ID, OK: true}
	req := &e.Req
	w := waiter{waitID: waitID{e.Client, e.ID}, item: req.Item}
	if req.Name == "" && req.Op != DatasetList {
		r.Err = fmt.Sprintf("%s needs a name", req.Op)
		s.emit(r)
		return
	}
	var then func() // what to do after the reply is sent
	switch req.Op {
	case QueuePut, QueueGet, QueueDelete, VariableSet, VariableDelete, EventSet, EventClear, DatasetPublish, DatasetUnpublish:
		s.coordState().version++
	}
	switch req.Op {
	case QueuePut, QueueGet, QueueSize, QueueDelete:
		then = s.queueOp(req, w, r)
	case VariableSet, VariableGet, VariableDelete:
		then = s.variableOp(req, w, r)
	case SemaphoreAcquire, SemaphoreRelease:
		s.semaphoreOp(req, w, r)
	case EventSet, EventClear, EventWait:
		s.eventOp(req, w, r)
	case TopicSubscribe, TopicUnsubscribe, TopicPublish, TopicNext:
		s.topicOp(req, w, r)
	case DatasetPublish, DatasetGet, DatasetUnpublish, DatasetList:
		then = s.datasetOp(req, r)
	default:
		r.Err = fmt.Sprintf("unknown coordination request %s", req.Op)
	}
	if !r.deferred {
		s.emit(r)
	}
	if then != nil {
		then()
	}
}

// deferReply marks r as not to be sent now: the request waits.
func deferReply(r *CoordReplied) { r.deferred = true }

// wait registers w as waiting, with cancel to take it off its primitive.
func (s *State) wait(w waitID, cancel func() bool) {
	s.coordState().waiting[w] = cancel
}

// answered drops w from the waiting requests: it is answered.
func (s *State) answered(w waitID) { delete(s.coordState().waiting, w) }

func (s *State) handleCoordCancelled(e *CoordCancelled) {
	if s.coord == nil {
		return
	}
	w := waitID{e.Client, e.ID}
	cancel := s.coord.waiting[w]
	if cancel == nil {
		return // answered already
	}
	delete(s.coord.waiting, w)
	if cancel() {
		s.emit(&CoordReplied{Client: e.Client, ID: e.ID, Cancelled: true})
	}
}

// giveKey hands the data of key k to client c: the client is told of the
// key's state as if it had submitted it. It runs after the reply that
// names k is emitted, so the client knows the key when it hears of it.
func (s *State) giveKey(c string, k graph.Key) {
	if t := s.tasks[k]; t != nil {
		s.want(s.client(c), t)
	} else if s.awaited(k) {
		s.awaitKey(k, c)
	}
}

// keyHolder keeps the keys a primitive holds alive, counting each key's
// references (a queue may hold one future twice).
type keyHolder struct {
	id   string // the pseudo-client's ID
	refs map[graph.Key]int
}

func newKeyHolder(id string) *keyHolder { return &keyHolder{id: id, refs: map[graph.Key]int{}} }

// hold adds a reference to k; an unknown key is an error.
func (s *State) hold(h *keyHolder, k graph.Key) error {
	t := s.tasks[k]
	if t == nil && s.awaited(k) {
		s.holdSaved(h, k)
		return nil
	}
	if t == nil {
		return fmt.Errorf("key %s is not known to the scheduler: its future was released, or its graph was not sent yet", k)
	}
	if h.refs[k] == 0 {
		s.want(s.client(h.id), t)
	}
	h.refs[k]++
	return nil
}

// drop removes a reference to k, releasing the key when it was the last
// one (and nothing else wants it).
func (s *State) drop(h *keyHolder, k graph.Key) {
	n, ok := h.refs[k]
	if !ok {
		return
	}
	if n > 1 {
		h.refs[k] = n - 1
		return
	}
	s.unhold(h, k)
}

// unhold drops h's every reference to k.
func (s *State) unhold(h *keyHolder, k graph.Key) {
	delete(h.refs, k)
	if s.awaited(k) {
		s.unawait(k, h.id)
	}
	c := s.clients[h.id]
	if t := s.tasks[k]; t != nil && c != nil {
		s.unwant(c, t)
	}
	if len(h.refs) == 0 && c != nil && len(c.wants) == 0 {
		delete(s.clients, h.id)
	}
}

// dropAll releases every key h holds.
func (s *State) dropAll(h *keyHolder) {
	keys := make([]graph.Key, 0, len(h.refs))
	for k := range h.refs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		s.unhold(h, k)
	}
}

// coordClientRemoved drops what a departed client waited for and held:
// its waiting requests, its leases (handed to the next waiters) and its
// subscriptions.
func (s *State) coordClientRemoved(client string) {
	if s.coord == nil {
		return
	}
	for w, cancel := range s.coord.waiting {
		if w.client == client {
			cancel()
			delete(s.coord.waiting, w)
		}
	}
	for _, name := range sortedNames(s.coord.sems) {
		s.semaphoreClientGone(name, s.coord.sems[name], client)
	}
	for _, name := range sortedNames(s.coord.topics) {
		s.topicClientGone(name, s.coord.topics[name], client)
	}
}

// coordRestarted drops the keys primitives hold: a restart of the
// cluster forgets every task. Values stay.
func (s *State) coordRestarted() {
	if s.coord == nil {
		return
	}
	for _, q := range s.coord.queues {
		q.items = slices.DeleteFunc(q.items, func(it Item) bool { return it.Key != "" })
		q.keys.refs = map[graph.Key]int{}
	}
	for _, v := range s.coord.variables {
		if v.set && v.value.Key != "" {
			v.set, v.value = false, Item{}
		}
		v.keys.refs = map[graph.Key]int{}
	}
	clear(s.coord.datasets)
	s.coord.awaiting = nil
	s.coord.version++
}

func sortedNames[V any](m map[string]V) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// removeWaiter removes the waiter with id w from ws, reporting whether it
// was there.
func removeWaiter(ws *[]waiter, w waitID) bool {
	for i := range *ws {
		if (*ws)[i].waitID == w {
			*ws = slices.Delete(*ws, i, i+1)
			return true
		}
	}
	return false
}

// ParseCoordOp returns the operation named name (as String spells it).
func ParseCoordOp(name string) (CoordOp, bool) {
	for i := CoordOp(1); i < numCoordOps; i++ {
		if coordOpNames[i] == name {
			return i, true
		}
	}
	return 0, false
}
