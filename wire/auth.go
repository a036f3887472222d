package wire

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

const tokenHeader = "authorization"

// ErrUnauthenticated is returned (wrapped) by calls the peer refused for a
// missing or wrong token.
var ErrUnauthenticated = errors.New("dusk: the peer refused the connection: missing or wrong token; give the scheduler's token with --token or DUSK_TOKEN")

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
		return status.Error(codes.Unauthenticated, "dusk: wrong token; give the scheduler's token with --token or DUSK_TOKEN")
	}
	return status.Error(codes.Unauthenticated, "dusk: no token; give the scheduler's token with --token or DUSK_TOKEN")
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

// Explain turns a gRPC error into one that says what to do, keeping the
// original wrapped.
func Explain(err error, peer string) error {
	if err == nil {
		return nil
	}
	if Unauthenticated(err) {
		return &PeerError{Peer: peer, Err: errors.Join(ErrUnauthenticated, err)}
	}
	if s, ok := status.FromError(err); ok && s.Code() == codes.Unavailable {
		return &PeerError{Peer: peer, Err: err, Hint: "is it running, and is the address right?"}
	}
	return err
}

// PeerError is a failure to talk to a peer (scheduler or worker).
type PeerError struct {
	Peer string
	Err  error
	Hint string
}

func (e *PeerError) Error() string {
	msg := "dusk: " + e.Peer + ": " + e.Err.Error()
	if e.Hint != "" {
		msg += " (" + e.Hint + ")"
	}
	return msg
}

func (e *PeerError) Unwrap() error { return e.Err }
