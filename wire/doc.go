// Package wire holds dusk's gRPC protocol (package wire/pb, generated from
// pb/dusk.proto) and what every connection needs around it: token
// authentication (and token files), mutual TLS (and errors that say what
// a refusal means), the certificate authority that dusk cert uses,
// listening and dialing (HTTPS for the HTTP endpoints under TLS), batching
// of small messages on streams, and conversion between task graphs and
// their protocol form.
//
// Messages are marshalled by code vtprotobuf generates for them
// (pb/dusk_vtproto.pb.go, installed as every server's and connection's
// codec): the same protobuf bytes as the reflective marshalling of
// google.golang.org/protobuf, without reflection. It took a tenth of the
// engine's CPU per task off a map of 20,000 trivial tasks (bench/README.md,
// "Per-task cost end to end"); FuzzCodecAgreesWithProtobuf checks that the
// two read the same messages.
package wire
