// Package wire holds dusk's gRPC protocol (package wire/pb, generated from
// pb/dusk.proto) and what every connection needs around it: token
// authentication (and token files), mutual TLS (and errors that say what
// a refusal means), the certificate authority that dusk cert uses,
// listening and dialing (HTTPS for the HTTP endpoints under TLS), batching
// of small messages on streams, and conversion between task graphs and
// their protocol form.
package wire
