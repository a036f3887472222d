package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"
)

// RequireEnv makes a missing browser fail the tests instead of skipping
// them; CI sets it.
const RequireEnv = "DUSK_REQUIRE_BROWSER"

// ScreenshotEnv names a directory where tests save screenshots of the
// pages they drive (docs/ uses them); unset, none are saved.
const ScreenshotEnv = "DUSK_SCREENSHOTS"

// names are the browser commands looked for, in order.
var names = []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"}

// Find returns the path of a Chromium on PATH, or "".
func Find() string {
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	return ""
}

// Browser is a running headless Chromium with one tab.
type Browser struct {
	Ctx context.Context // run chromedp actions in it

	mu     sync.Mutex // protects errors
	errors []string
}

// Start starts Chromium for t, or skips t when there is none and RequireEnv
// is unset (fails it when set). The browser ends with the test.
func Start(t *testing.T) *Browser {
	t.Helper()
	path := Find()
	if path == "" {
		msg := "no Chromium found (looked for " + strings.Join(names, ", ") + "); install it with: apt-get install -y chromium"
		if os.Getenv(RequireEnv) != "" {
			t.Fatal(msg + " (" + RequireEnv + " is set, so this fails instead of skipping)")
		}
		t.Skip(msg + "; set " + RequireEnv + "=1 to fail instead of skipping")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b := &Browser{Ctx: ctx}
	// chromedp enables the Runtime and Log domains: console calls,
	// uncaught exceptions and the browser's own errors (a failed request)
	// all arrive here.
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.record(m.String())
			}
		}
	}()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return b
}

func (b *Browser) record(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors = append(b.errors, s)
}

// Errors returns the console errors and uncaught exceptions seen so far.
func (b *Browser) Errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}

// Screenshot saves a full-page PNG as name in the ScreenshotEnv directory,
// if it is set.
func (b *Browser) Screenshot(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv(ScreenshotEnv)
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.Ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("saved %s/%s", dir, name)
}
