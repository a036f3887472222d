// Package transfer is the data plane between workers and clients: values
// cut into chunks and joined again, and the pool of connections through
// which they are fetched from the workers that hold them.
package transfer
