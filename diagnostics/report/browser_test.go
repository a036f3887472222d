package report_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/diagnostics/browsertest"
)

// slow stretches the work when screenshots are taken, so that the
// picture shows a few seconds and several memory samples.
var slow = func() time.Duration {
	if os.Getenv(browsertest.ScreenshotEnv) != "" {
		return 6
	}
	return 1
}()

// work burns CPU for a while, so that the profile has samples of it.
func work(n int) int {
	x := n
	deadline := time.Now().Add(slow * time.Duration(5+n%5) * time.Millisecond)
	for time.Now().Before(deadline) {
		for i := range 1000 {
			x = x*31 + i
		}
	}
	return x & 0xff
}

var (
	fParse = dusk.Register("reporttest.parse", func(n int) []byte { work(n); return make([]byte, (n%4+1)<<18) })
	fScore = dusk.Register("reporttest.score", func(b []byte) int { return work(len(b)) })
	fSum   = dusk.Register("reporttest.sum", func(xs []int) int {
		s := 0
		for _, x := range xs {
			s += x
		}
		return s
	})
)

func TestMain(m *testing.M) {
	dusk.Main()
	os.Exit(m.Run())
}

// TestReportInABrowser writes a report of a real computation and opens it
// from disk in headless Chromium: it draws, offline, without errors.
func TestReportInABrowser(t *testing.T) {
	b := browsertest.Start(t)
	ctx, cancel := context.WithTimeout(b.Ctx, 3*time.Minute)
	defer cancel()
	c, err := dusk.Connect(ctx, "", dusk.LocalWorkers(2), dusk.LocalThreads(2), dusk.LocalMemoryLimit(1<<30),
		dusk.Logger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	path := filepath.Join(t.TempDir(), "report.html")
	err = c.PerformanceReport(ctx, path, func() error {
		var scores []*dusk.Delayed[int]
		for i := range 80 {
			scores = append(scores, dusk.Call[int](fScore, dusk.Call[[]byte](fParse, i)))
		}
		_, err := dusk.Compute(ctx, c, dusk.Call[int](fSum, scores), dusk.Optimize(false))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+path)); err != nil {
		t.Fatal(err)
	}
	if n := js[int](t, ctx, `window.__duskReport.summary.tasks`); n != 161 {
		t.Errorf("the page shows %d tasks, want 161", n)
	}
	if n := js[int](t, ctx, `document.querySelectorAll('#prefixes tr').length`); n != 4 {
		t.Errorf("%d rows in the prefix table, want a header and 3", n)
	}
	if w := js[int](t, ctx, `document.getElementById('stream').height`); w < 50 {
		t.Errorf("the task stream is %d pixels high", w)
	}
	if n := js[int](t, ctx, `document.querySelectorAll('#memory canvas').length`); n != 2 {
		t.Errorf("%d memory charts, want one per worker", n)
	}
	if n := js[int](t, ctx, `performance.getEntriesByType('resource').length`); n != 0 {
		t.Errorf("the report loaded %d resources; it must need none", n)
	}
	// The advisor's findings, or its note that it has none, are drawn.
	if n, drawn := js[int](t, ctx, `window.__duskReport.findings.length`), js[int](t, ctx, `document.querySelectorAll('#findings .finding, #findings .note').length`); drawn != max(n, 1) {
		t.Errorf("%d findings, %d drawn", n, drawn)
	}
	// A key's story from the recorded transitions, each with its cause.
	key := js[string](t, ctx, `window.__duskReport.transitions.find(s => s.to === 'memory').key`)
	if err := chromedp.Do(ctx, chromedp.SendKeys("#story-key", key), chromedp.Click("#story-ask")); err != nil {
		t.Fatal(err)
	}
	if ok := js[bool](t, ctx, `[...document.querySelectorAll('#story tr')].some(r => r.cells[2].textContent === 'memory' && r.cells[5].textContent === 'task-finished' && r.cells[4].textContent !== '0')`); !ok {
		t.Errorf("the story of %s shows no move to memory caused by task-finished: %s", key, js[string](t, ctx, `document.getElementById('story').textContent`))
	}
	b.Screenshot(t, "report.png")
	if errs := b.Errors(); len(errs) > 0 {
		t.Errorf("console errors: %q", errs)
	}
}

func js[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}
