package codec

import (
	"errors"
	"math"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow/memory"
)

// errAllocBudget is the panic value of a boundedAllocator past its budget;
// the Arrow IPC reader recovers it and returns it as an error.
var errAllocBudget = errors.New("the Arrow stream asks for far more memory than its length (compressed body?)")

// allocBudget is how many bytes reading an IPC stream of n bytes may
// allocate. A stream written by this package needs about n; compressed
// bodies, which this package never writes, may expand up to 64 times.
func allocBudget(n int) int64 {
	return 64*int64(n) + 1<<20
}

// boundedAllocator forwards to another allocator but panics once the bytes
// it has handed out exceed a budget. It keeps a hostile stream, whose
// headers can claim any decompressed size, from exhausting memory. After
// lift it forwards without limit, so the decoded buffers live on freely.
type boundedAllocator struct {
	mem  memory.Allocator
	left atomic.Int64
}

func newBoundedAllocator(mem memory.Allocator, budget int64) *boundedAllocator {
	a := &boundedAllocator{mem: mem}
	a.left.Store(budget)
	return a
}

func (a *boundedAllocator) charge(n int) {
	if n > 0 && a.left.Add(-int64(n)) < 0 {
		panic(errAllocBudget)
	}
}

// lift removes the budget.
func (a *boundedAllocator) lift() { a.left.Store(math.MaxInt64 / 2) }

// Allocate implements memory.Allocator.
func (a *boundedAllocator) Allocate(size int) []byte {
	a.charge(size)
	return a.mem.Allocate(size)
}

// Reallocate implements memory.Allocator.
func (a *boundedAllocator) Reallocate(size int, b []byte) []byte {
	a.charge(size - len(b))
	return a.mem.Reallocate(size, b)
}

// Free implements memory.Allocator.
func (a *boundedAllocator) Free(b []byte) { a.mem.Free(b) }
