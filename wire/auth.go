package wire

import (
	"io"

	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"google.golang.org/protobuf/types/known/emptypb"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

const tokenHeader = "authorization"

// ErrUnauthenticated is returned (wrapped) by calls the peer refused for a
// missing or wrong token.
var ErrUnauthenticated = errors.New("dusk: the peer refused the connection: missing or wrong token; give the scheduler's token with --token-file, DUSK_TOKEN or --token (dusk.TokenFile or dusk.Token in Go)")

// NewToken returns a fresh random token.
func NewToken() string {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// tokenCreds sends the token with every call.
type tokenCreds struct {
	token  string
	secure bool
}

func (c tokenCreds) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	if c.token == "" {
		return nil, nil
	}
	return map[string]string{tokenHeader: "Bearer " + c.token}, nil
}

func (c tokenCreds) RequireTransportSecurity() bool { return c.secure }

func checkToken(ctx context.Context, token string) error {
	md, _ := metadata.FromIncomingContext(ctx)
	vals := md.Get(tokenHeader)
	if len(vals) == 1 {
		got := strings.TrimPrefix(vals[0], "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1 {
			return nil
		}
		return status.Error(codes.Unauthenticated, "dusk: wrong token; give the scheduler's token with --token-file, DUSK_TOKEN or --token (dusk.TokenFile or dusk.Token in Go)")
	}
	return status.Error(codes.Unauthenticated, "dusk: no token; give the scheduler's token with --token-file, DUSK_TOKEN or --token (dusk.TokenFile or dusk.Token in Go)")
}

func authServerOptions(token string) []grpc.ServerOption {
	return []grpc.ServerOption{
		grpc.ChainUnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
			if err := checkToken(ctx, token); err != nil {
				return nil, err
			}
			return h(ctx, req)
		}),
		grpc.ChainStreamInterceptor(func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
			if err := checkToken(ss.Context(), token); err != nil {
				return err
			}
			return h(srv, ss)
		}),
	}
}

// Unauthenticated reports whether err is a refusal for a missing or wrong
// token.
func Unauthenticated(err error) bool {
	if errors.Is(err, ErrUnauthenticated) {
		return true
	}
	s, ok := status.FromError(err)
	return ok && s.Code() == codes.Unauthenticated
}

// Explain turns a gRPC error into one that names the peer and says what to
// do, keeping the original (and ErrUnauthenticated for a refused token)
// for errors.Is and errors.As.
func Explain(err error, peer string) error {
	if err == nil {
		return nil
	}
	var pe *PeerError
	if errors.As(err, &pe) {
		return err
	}
	s, ok := status.FromError(err)
	if !ok {
		return &PeerError{Peer: peer, Msg: err.Error(), Err: err}
	}
	msg := plain(s.Message())
	if why := explainTLS(msg, peer); why != "" {
		return &PeerError{Peer: peer, Msg: why, Err: err}
	}
	switch {
	case s.Code() == codes.Unauthenticated:
		return &PeerError{Peer: peer, Msg: msg, Err: err, unauth: true}
	case s.Code() == codes.Unavailable && strings.Contains(msg, "error reading server preface"):
		// A plain-text client's first message to a TLS server ends the
		// connection before any TLS error can come back.
		msg += " (is it running, and is the address right? If it uses TLS, give --tls-cert, --tls-key and --tls-ca too)"
	case s.Code() == codes.Unavailable && strings.HasPrefix(msg, "the scheduler removed this worker"):
		// The scheduler's own words.
	case s.Code() == codes.Unavailable, s.Code() == codes.DeadlineExceeded && msg != s.Message():
		msg += " (is it running, and is the address right?)"
	}
	return &PeerError{Peer: peer, Msg: msg, Err: err}
}

// plain takes gRPC's words for a connection that failed out of a message:
// "latest balancer error: connection error: desc = \"transport: Error
// while dialing: dial tcp 127.0.0.1:8786: connect: connection refused\""
// says "cannot connect to 127.0.0.1:8786: connection refused".
func plain(msg string) string {
	for _, jargon := range []string{"latest balancer error: ", "connection error: ", "desc = ", "transport: ", "Error while dialing: ", "error while dialing: "} {
		msg = strings.ReplaceAll(msg, jargon, "")
	}
	msg = strings.ReplaceAll(msg, `"`, "")
	if rest, ok := strings.CutPrefix(msg, "dial tcp "); ok {
		if addr, why, ok := strings.Cut(rest, ": connect: "); ok {
			return "cannot connect to " + addr + ": " + why
		}
	}
	return msg
}

// PeerError is a failure to talk to a peer (scheduler or worker).
type PeerError struct {
	Peer   string // "scheduler tcp://..." or "worker host:port"
	Msg    string
	Err    error
	unauth bool
}

func (e *PeerError) Error() string {
	return "dusk: " + e.Peer + ": " + strings.TrimPrefix(e.Msg, "dusk: ")
}

// Unwrap returns the underlying error, and ErrUnauthenticated for a
// refused token.
func (e *PeerError) Unwrap() []error {
	if e.unauth {
		return []error{ErrUnauthenticated, e.Err}
	}
	return []error{e.Err}
}

// StreamError returns the real cause of a failed Send on a gRPC stream:
// Send reports only io.EOF when the peer ended the stream, and the status
// (a refused token, say) comes from receiving.
func StreamError(sendErr error, recv func(any) error) error {
	if !errors.Is(sendErr, io.EOF) {
		return sendErr
	}
	var m emptypb.Empty
	if err := recv(&m); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	return sendErr
}
