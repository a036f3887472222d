package task

import (
	"context"

	"github.com/dusk-go/dusk/registry"
)

// Extension is per-worker code that peers send data to (Runtime.Deliver):
// a peer-to-peer shuffle buffers the pieces it receives this way. An
// extension is built on first use from the factory registered under its
// name. If it also implements io.Closer, it is closed when the worker
// closes or restarts.
type Extension interface {
	// Receive takes one message; it may be called from many goroutines.
	Receive(ctx context.Context, topic string, data []byte) error
}

// ExtensionFactory builds a worker's instance of an extension.
type ExtensionFactory func(rt Runtime) (Extension, error)

// RegisterExtension registers an extension factory under name, in the
// process's registry. Call it at package level, like dusk.Register.
func RegisterExtension(name string, f ExtensionFactory) {
	registry.Default.RegisterExtension(name, f)
}

// Message is one piece of data for a peer's extension.
type Message struct {
	Topic string
	Data  []byte
}
