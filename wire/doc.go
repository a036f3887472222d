// Package wire holds dusk's gRPC protocol (package wire/pb, generated from
// pb/dusk.proto) and what every connection needs around it: token
// authentication, mutual TLS, listening and dialing, batching of small
// messages on streams, and conversion between task graphs and their
// protocol form.
package wire
