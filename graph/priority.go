package graph

// Priority orders tasks: lower runs first. It compares the user's
// priority (negated, so that a higher user priority runs first), then the
// graph's generation (older graphs first), then the task's place in its
// graph's order. The scheduler gives each task one; workers order their
// ready tasks by it.
type Priority struct {
	User       int32 // the user's priority, negated so lower runs first
	Generation uint32
	Order      int64
}

// Less reports whether p runs before q.
func (p Priority) Less(q Priority) bool {
	if p.User != q.User {
		return p.User < q.User
	}
	if p.Generation != q.Generation {
		return p.Generation < q.Generation
	}
	return p.Order < q.Order
}

// KeySize is a key with the size of its value in bytes.
type KeySize struct {
	Key    Key
	NBytes int64
}
