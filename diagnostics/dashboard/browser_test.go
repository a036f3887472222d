package dashboard_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/diagnostics/browsertest"
)

// slow stretches the tasks when screenshots are taken, so that the task
// stream of the picture shows a few seconds of work.
var slow = func() time.Duration {
	if os.Getenv(browsertest.ScreenshotEnv) != "" {
		return 8
	}
	return 1
}()

var (
	// gate holds back the task "wait" until the test lets it go (one
	// token per run, so that -count=N works), so that the page can be
	// checked while a computation runs.
	gate = make(chan struct{}, 1)

	fLoad = dusk.Register("dashtest.load", func(i int) []int {
		time.Sleep(slow * time.Duration(20+i%7*5) * time.Millisecond)
		return make([]int, 1000+i)
	})
	fClean = dusk.Register("dashtest.clean", func(xs []int) int {
		time.Sleep(slow * 15 * time.Millisecond)
		return len(xs)
	})
	fTotal = dusk.Register("dashtest.total", func(xs []int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	})
	fWait = dusk.Register("dashtest.wait", func(ctx context.Context, x int) (int, error) {
		select {
		case <-gate:
			return x, nil
		case <-ctx.Done():
			return 0, ctx.Err()
		}
	})
)

func TestMain(m *testing.M) {
	dusk.Main()
	os.Exit(m.Run())
}

// js runs a JavaScript expression in the page and returns its value.
func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition in the page until it holds.
func waitFor(t *testing.T, ctx context.Context, what, cond string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		t.Fatalf("waiting until %s (%s): %v", what, cond, err)
	}
}

// TestDashboardInABrowser opens a local cluster's dashboard in headless
// Chromium while a computation runs.
func TestDashboardInABrowser(t *testing.T) {
	b := browsertest.Start(t)
	ctx, cancel := context.WithTimeout(b.Ctx, 3*time.Minute)
	defer cancel()
	c, err := dusk.Connect(ctx, "", dusk.LocalWorkers(2), dusk.LocalThreads(2),
		dusk.Logger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	if err := chromedp.Do(ctx, chromedp.Navigate(c.Dashboard())); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the page shows both workers", `document.querySelectorAll('#workers tbody tr').length === 2`)
	if got := js[string](t, ctx, `document.querySelector('#workers tbody tr td').textContent`); got == "" {
		t.Error("the workers table has no address")
	}
	if got := js[string](t, ctx, `location.search`); got != "" {
		t.Errorf("the token stayed in the address: %q", got)
	}

	// A computation: loads, cleans, a total; and one task held back.
	var cleaned []*dusk.Delayed[int]
	for i := range 60 {
		cleaned = append(cleaned, dusk.Call[int](fClean, dusk.Call[[]int](fLoad, i)))
	}
	total, err := dusk.Persist(ctx, c, dusk.Call[int](fTotal, cleaned), dusk.Optimize(false))
	if err != nil {
		t.Fatal(err)
	}
	held, err := dusk.Submit[int](ctx, c, fWait, 7)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the task stream fills", `window.__dusk.bars.filter(b => b.k === 'task').length >= 30`)
	if held.Status() != dusk.Pending {
		t.Fatalf("the held task finished early: %v", held.Status())
	}
	waitFor(t, ctx, "progress shows the loads", `!!document.querySelector('#progress .row[data-prefix="dashtest.load"]')`)
	if _, err := total.Result(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the total is in memory", `(window.__dusk.bars.some(b => b.p === 'dashtest.total'))`)
	if err := chromedp.Do(ctx, chromedp.Click("#graph-toggle")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the graph view draws", `/tasks\./.test(document.getElementById('graph-note').textContent)`)
	// The advisor answers: findings, or that the guide has nothing to say.
	if err := chromedp.Do(ctx, chromedp.Click("#advice-ask")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the advisor answers", `/findings, the most severe first|Nothing the optimization guide warns about/.test(document.getElementById('advice-note').textContent)`)
	// A key's story: its transitions with their causes.
	if err := chromedp.Do(ctx, chromedp.SendKeys("#story-key", string(total.Key())), chromedp.Click("#story-ask")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the story of the total shows", `/transitions of/.test(document.getElementById('story-note').textContent) && [...document.querySelectorAll('#story tbody tr')].some(r => r.cells[2].textContent === 'memory' && r.cells[5].textContent === 'task-finished')`)
	b.Screenshot(t, "dashboard.png")

	gate <- struct{}{}
	if _, err := held.Result(ctx); err != nil {
		t.Fatal(err)
	}
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
}
