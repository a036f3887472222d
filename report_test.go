package dusk_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"testing"

	"github.com/dusk-go/dusk"
	"github.com/dusk-go/dusk/diagnostics/report"
)

// TestPerformanceReport records a real computation on a local cluster.
func TestPerformanceReport(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	path := filepath.Join(t.TempDir(), "report.html")
	var got int
	err := c.PerformanceReport(ctx, path, func() error {
		xs := make([]*dusk.Delayed[int], 20)
		for i := range xs {
			xs[i] = dusk.Call[int](fDouble, dusk.Call[int](fInc, i))
		}
		var err error
		got, err = dusk.Compute(ctx, c, dusk.Call[int](fSum, xs), dusk.Optimize(false))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != 2*(190+20) {
		t.Fatalf("result %d", got)
	}
	d := readReportJSON(t, filepath.Join(filepath.Dir(path), "report.json"))
	runs := map[string]int{}
	for _, p := range d.Prefixes {
		runs[p.Name] = p.Runs
	}
	if runs["it.inc"] != 20 || runs["it.double"] != 20 || runs["it.sum"] != 1 {
		t.Errorf("runs by prefix = %v", runs)
	}
	if d.Summary.Tasks != 41 || d.Summary.Workers != 2 || d.Summary.Threads != 4 || !strings.Contains(d.Summary.Caller, "report_test.go:") ||
		d.Summary.Versions["dusk"] != dusk.Version {
		t.Errorf("summary = %+v", d.Summary)
	}
	tasks := 0
	for _, b := range d.Stream {
		if b.Kind == "task" {
			tasks++
		}
	}
	if tasks != 41 {
		t.Errorf("%d task bars in the task stream, want 41", tasks)
	}
	// The in-process workers share one process: one profile, one note.
	if len(d.Profile.Notes) == 0 && d.Profile.Seconds == 0 {
		t.Errorf("no profile and no reason why: %+v", d.Profile)
	}
	page, _ := os.ReadFile(path)
	if strings.Contains(string(page), "<script src") || !strings.Contains(string(page), "it.double") {
		t.Error("report.html is not self-contained or lacks the data")
	}
}

// TestLocalClusterServesADashboard checks the link Dashboard returns.
func TestLocalClusterServesADashboard(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	link := c.Dashboard()
	if !strings.HasPrefix(link, "http://127.0.0.1:") || !strings.Contains(link, "?token=") {
		t.Fatalf("dashboard link %q", link)
	}
	base, _, _ := strings.Cut(link, "?")
	resp, err := http.Get(base + "api/snapshot")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without the token: %d", resp.StatusCode)
	}
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar}
	resp, err = hc.Get(link) // sets the cookie, redirects to the page
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "Task stream") {
		t.Fatalf("page: %d", resp.StatusCode)
	}
	waitUntil(t, ctx, "the dashboard lists both workers", func() bool {
		resp, err := hc.Get(base + "api/snapshot")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var s struct{ Workers []struct{ Address string } }
		return json.NewDecoder(resp.Body).Decode(&s) == nil && len(s.Workers) == 2
	})
	// The advisor answers on the dashboard, about the cluster's recent past.
	xs := make([]int, 1100)
	for i := range xs {
		xs[i] = i
	}
	fs, err := dusk.Map[int](ctx, c, fInc, xs)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dusk.Gather(ctx, fs); err != nil {
		t.Fatal(err)
	}
	// An automatic fix that acted is on the dashboard too: a large
	// literal, auto-scattered.
	g, err := dusk.Submit[int](ctx, c, fLookup, bigTable(200_000), 3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := g.Result(ctx); err != nil {
		t.Fatal(err)
	}
	resp, err = hc.Get(base + "api/advice")
	if err != nil {
		t.Fatal(err)
	}
	var advice struct{ Findings []dusk.Finding }
	err = json.NewDecoder(resp.Body).Decode(&advice)
	resp.Body.Close()
	if err != nil || !slices.ContainsFunc(advice.Findings, func(f dusk.Finding) bool {
		return f.Rule == "tiny-tasks" && strings.Contains(f.Message, "tasks of it.inc")
	}) {
		t.Errorf("the dashboard's advice: %+v, %v", advice.Findings, err)
	}
	if !slices.ContainsFunc(advice.Findings, func(f dusk.Finding) bool {
		return f.Rule == "auto-scatter" && f.Severity == "fixed" && strings.Contains(f.Message, "placed on the workers once")
	}) {
		t.Errorf("the dashboard does not show the auto-scatter that acted: %+v", advice.Findings)
	}
	off := newCluster(t, ctx, dusk.LocalDashboard("off"))
	if off.Dashboard() != "" {
		t.Errorf("LocalDashboard(off) still serves %q", off.Dashboard())
	}
}

// TestReportAdvises runs the guide's "too many tiny tasks" mistake under a
// performance report: the advisor's finding is in report.json and the page.
func TestReportAdvises(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	path := filepath.Join(t.TempDir(), "report.html")
	err := c.PerformanceReport(ctx, path, func() error {
		xs := make([]int, 1500)
		for i := range xs {
			xs[i] = i
		}
		fs, err := dusk.Map[int](ctx, c, fInc, xs)
		if err != nil {
			return err
		}
		_, err = dusk.Gather(ctx, fs)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	d := readReportJSON(t, filepath.Join(filepath.Dir(path), "report.json"))
	var tiny *report.Finding
	for i, f := range d.Findings {
		if f.Rule == "tiny-tasks" {
			tiny = &d.Findings[i]
		}
	}
	if tiny == nil || !strings.Contains(tiny.Message, "1500 tasks of it.inc") {
		t.Fatalf("no tiny-tasks finding about it.inc: %+v", d.Findings)
	}
	if page, _ := os.ReadFile(path); !strings.Contains(string(page), "tiny-tasks") {
		t.Error("report.html lacks the finding")
	}
}

// readReportJSON reads the report.json a PerformanceReport wrote.
func readReportJSON(t *testing.T, path string) report.Data {
	t.Helper()
	var d report.Data
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return d
}

var fTaskLabel = dusk.Register("it.label", func(ctx context.Context, x int) string {
	v, _ := pprof.Label(ctx, "task")
	return v
})

// TestReportLabelsEveryWorkersTasks checks that, while a report records,
// tasks on every worker carry their prefix as profile label, including
// in-process workers whose own profile request is refused because another
// worker of the process already profiles it.
func TestReportLabelsEveryWorkersTasks(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	c := newCluster(t, ctx)
	ws, err := c.Workers(ctx)
	if err != nil || len(ws) != 2 {
		t.Fatalf("workers %v, %v", ws, err)
	}
	labels := map[string]string{}
	err = c.PerformanceReport(ctx, filepath.Join(t.TempDir(), "report.html"), func() error {
		for i, w := range ws {
			f, err := dusk.Submit[string](ctx, c, fTaskLabel.With(dusk.Workers(w.Address)), i)
			if err != nil {
				return err
			}
			if labels[w.Address], err = f.Result(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if labels[w.Address] != "it.label" {
			t.Errorf("a task on %s ran with profile label %q, want it.label", w.Address, labels[w.Address])
		}
	}
}
