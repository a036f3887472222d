package dusk_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/wire"
	"github.com/dusk-go/dusk/worker"
)

// A client with a wrong token is refused with an error that says so and
// how to give the right one.
func TestConnectWithWrongToken(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	_, err := dusk.Connect(ctx, c.Scheduler(), dusk.Token("bad"), dusk.Logger(quietLogger()))
	if err == nil {
		t.Fatal("Connect with a wrong token succeeded")
	}
	checkMentions(t, err, "wrong token", "DUSK_TOKEN", c.Scheduler())
	if !errors.Is(err, wire.ErrUnauthenticated) {
		t.Errorf("error %v does not match wire.ErrUnauthenticated", err)
	}
	// The right token works, with or without the tcp:// scheme.
	for _, addr := range []string{c.Scheduler(), "tcp://" + c.Scheduler()} {
		c2, err := dusk.Connect(ctx, addr, dusk.Token(c.Local().Token()), dusk.Logger(quietLogger()))
		if err != nil {
			t.Fatalf("Connect(%s) with the right token: %v", addr, err)
		}
		f, err := dusk.Submit[int](ctx, c2, fInc, 1)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := f.Result(ctx); err != nil || v != 2 {
			t.Fatalf("via %s: %v, %v", addr, v, err)
		}
		c2.Close()
	}
	// The cluster is unharmed by the refused client.
	f, err := dusk.Submit[int](ctx, c, fInc, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v, err := f.Result(ctx); err != nil || v != 2 {
		t.Fatalf("after a refused client: %v, %v", v, err)
	}
}

// Without any token, Connect says where to get one. (Not parallel: it
// clears DUSK_TOKEN.)
func TestConnectWithoutToken(t *testing.T) {
	t.Setenv("DUSK_TOKEN", "")
	ctx := testContext(t)
	_, err := dusk.Connect(ctx, "127.0.0.1:1")
	checkMentions(t, err, "token", "dusk.Token", "DUSK_TOKEN")
}

// A scheduler that is not there: the error says to check it runs.
func TestConnectToNothing(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	// Reserve a port and close it, so that nothing listens there.
	l, err := wire.Listen(ctx, "127.0.0.1", 0)
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, err = dusk.Connect(ctx, addr, dusk.Token("whatever"), dusk.Logger(quietLogger()))
	checkMentions(t, err, addr, "is it running")
}

// A worker with a wrong token is refused and says why.
func TestWorkerWithWrongToken(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	w, err := worker.New(worker.Options{Scheduler: c.Scheduler(), Security: wire.Security{Token: "bad"},
		NThreads: 1, Logger: quietLogger(), Version: dusk.Version})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	err = w.Run(runCtx)
	if err == nil || !strings.Contains(err.Error(), "wrong token") {
		t.Fatalf("worker with a wrong token: Run = %v; want an error saying the token is wrong", err)
	}
	if n := len(workerAddrs(t, ctx, c)); n != 2 {
		t.Fatalf("%d workers after a refused one; want 2", n)
	}
}

// Connect reads the token from a file, named by dusk.TokenFile or by
// DUSK_COMM__TOKEN_FILE, and refuses a file other users may read. (Not
// parallel: it sets the environment.)
func TestConnectWithTokenFile(t *testing.T) {
	ctx := testContext(t)
	c := newCluster(t, ctx)
	dir := t.TempDir()
	good, open := filepath.Join(dir, "token"), filepath.Join(dir, "open")
	for path, perm := range map[string]os.FileMode{good: 0o600, open: 0o644} {
		if err := os.WriteFile(path, []byte(c.Local().Token()+"\n"), perm); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, perm); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("DUSK_TOKEN", "")
	t.Setenv("DUSK_COMM__TOKEN", "")
	t.Setenv("DUSK_COMM__TOKEN_FILE", "")
	connect := func(opts ...dusk.Option) error {
		c2, err := dusk.Connect(ctx, c.Scheduler(), append(opts, dusk.Logger(quietLogger()))...)
		if err == nil {
			c2.Close()
		}
		return err
	}
	if err := connect(dusk.TokenFile(good)); err != nil {
		t.Fatalf("with dusk.TokenFile: %v", err)
	}
	checkMentions(t, connect(dusk.TokenFile(open)), "mode 0644", "chmod 600 "+open)
	t.Setenv("DUSK_COMM__TOKEN_FILE", good)
	if err := connect(); err != nil {
		t.Fatalf("with DUSK_COMM__TOKEN_FILE: %v", err)
	}
	// A token given directly wins over the file.
	checkMentions(t, connect(dusk.Token("bad")), "wrong token")
}
