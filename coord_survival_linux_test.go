//go:build linux

package dusk_test

import (
	"errors"
	"testing"

	"github.com/dusk-go/dusk"
)

// The named state outlives the scheduler's death when the scheduler keeps
// it in a state directory (scheduler.state-directory): a real scheduler
// process is killed (-9) and started again on its port and directory;
// the published dataset, the queued items (a value and a future), the
// variable and the set event are there again, the futures' data comes
// back with the workers that kept it, and a client that held futures from
// the dataset through the death gets its results. Without the directory
// the same client hears that its futures are lost.
func TestNamedStateSurvivesTheSchedulerKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts scheduler and worker processes")
	}
	for _, keep := range []bool{true, false} {
		name := map[bool]string{true: "kept", false: "in memory only"}[keep]
		t.Run(name, func(t *testing.T) {
			ctx := memoryContext(t)
			var env []string
			if keep {
				env = append(env, "DUSK_SCHEDULER__STATE_DIRECTORY="+t.TempDir())
			}
			rc := startRealCluster(t, ctx, t.TempDir(), env)
			connect := func() *dusk.Client {
				c, err := dusk.Connect(ctx, rc.addr, dusk.Token(realToken), dusk.Logger(quietLogger()))
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			a := connect()
			waitUntil(t, ctx, "both workers joined", func() bool { return len(workersNow(t, ctx, a)) == 2 })
			var fs []*dusk.Future[int]
			for i := range 4 {
				f, err := dusk.Submit[int](ctx, a, fInc, i*10)
				if err != nil {
					t.Fatal(err)
				}
				fs = append(fs, f)
			}
			if _, err := dusk.Gather(ctx, fs); err != nil {
				t.Fatal(err)
			}
			if err := a.Publish(ctx, "results", fs); err != nil {
				t.Fatal(err)
			}
			must(t, dusk.NewQueue[string](a, "names", 0).Put(ctx, "first"))
			must(t, dusk.NewQueue[*dusk.Future[int]](a, "work", 0).Put(ctx, fs[3]))
			must(t, dusk.NewVariable[string](a, "config").Set(ctx, "v1"))
			must(t, dusk.NewEvent(a, "ready").Set(ctx))
			// b holds futures from the dataset through the death.
			b := connect()
			d, err := b.Dataset(ctx, "results")
			if err != nil {
				t.Fatal(err)
			}
			held, err := dusk.DatasetFutures[int](d)
			if err != nil {
				t.Fatal(err)
			}
			a.Close()

			rc.restartScheduler()

			if !keep {
				// The data is still on the workers until b has heard from
				// the new scheduler: wait for that.
				waitUntil(t, ctx, "b hears its futures are lost", func() bool { return finishedAs(held, dusk.Lost) == len(held) })
			}
			for i, f := range held {
				v, err := f.Result(ctx)
				if !keep {
					var lost *dusk.LostError
					if !errors.As(err, &lost) {
						t.Fatalf("without a state directory, future %d of the dataset: %v, %v; want a LostError", i, v, err)
					}
					continue
				}
				if err != nil || v != i*10+1 {
					t.Fatalf("future %d of the dataset held through the death: %v, %v; want %d", i, v, err, i*10+1)
				}
			}
			c := connect()
			names, err := c.Datasets(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !keep {
				if len(names) != 0 {
					t.Fatalf("a scheduler without a state directory came back with datasets %v", names)
				}
			} else {
				if len(names) != 1 || names[0] != "results" {
					t.Fatalf("datasets after the death: %v", names)
				}
				d, err := c.Dataset(ctx, "results")
				if err != nil {
					t.Fatal(err)
				}
				got, err := dusk.DatasetFutures[int](d)
				if err != nil {
					t.Fatal(err)
				}
				vs, err := dusk.Gather(ctx, got)
				if err != nil || len(vs) != 4 || vs[0] != 1 || vs[3] != 31 {
					t.Fatalf("the dataset after the death: %v, %v", vs, err)
				}
				if s, err := dusk.NewQueue[string](c, "names", 0).Get(ctx); err != nil || s != "first" {
					t.Fatalf("the queued value: %q, %v", s, err)
				}
				f, err := dusk.NewQueue[*dusk.Future[int]](c, "work", 0).Get(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if v, err := f.Result(ctx); err != nil || v != 31 {
					t.Fatalf("the queued future: %v, %v", v, err)
				}
				if s, err := dusk.NewVariable[string](c, "config").Get(ctx); err != nil || s != "v1" {
					t.Fatalf("the variable: %q, %v", s, err)
				}
				if set, err := dusk.NewEvent(c, "ready").IsSet(ctx); err != nil || !set {
					t.Fatalf("the event: %v, %v", set, err)
				}
			}
			c.Close()
			b.Close()
			if left := rc.stop(); len(left) > 0 {
				t.Fatalf("left behind after the cluster stopped: %v", left)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// finishedAs counts the futures of fs in status st.
func finishedAs[T any](fs []*dusk.Future[T], st dusk.Status) int {
	n := 0
	for _, f := range fs {
		if f.Status() == st {
			n++
		}
	}
	return n
}
