package dashboard

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serve starts a dashboard of f on a free port and returns its URL. It
// polls every 10ms, to keep tests quick.
func serve(t testing.TB, f *fakeScheduler) (*Server, string) {
	return serveWith(t, f, Options{Interval: 10 * time.Millisecond})
}

func serveWith(t testing.TB, f *fakeScheduler, opts Options) (*Server, string) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := New(f, "tok", opts)
	s.Serve(l)
	t.Cleanup(func() { _ = s.Close() })
	return s, s.URL()
}

func get(t *testing.T, url string, auth bool) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if auth {
		req.Header.Set("Authorization", "Bearer tok")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestServerNeedsTheToken(t *testing.T) {
	_, url := serve(t, newFake(t, "w1"))
	for _, path := range []string{"", "app.js", "api/stream", "api/graph", "metrics", "debug/pprof/"} {
		if resp, _ := get(t, url+path, false); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("/%s without the token: %d", path, resp.StatusCode)
		}
	}
}

func TestServerServesPageMetricsAndProfiles(t *testing.T) {
	f := newFake(t, "w1")
	s, url := serve(t, f)
	f.run(f.submit(chain("m", 2), "m-b"), nil)
	s.Aggregator().Poll(context.Background())

	resp, body := get(t, url, true)
	if resp.StatusCode != 200 || !strings.Contains(body, "Task stream") || !strings.Contains(body, `src="app.js"`) {
		t.Fatalf("index: %d %.200s", resp.StatusCode, body)
	}
	for _, asset := range []string{"app.js", "app.css"} {
		if resp, body := get(t, url+asset, true); resp.StatusCode != 200 || len(body) < 100 {
			t.Errorf("%s: %d", asset, resp.StatusCode)
		}
	}
	if strings.Contains(body, "http://") || strings.Contains(body, "https://") {
		t.Error("the page refers to another site")
	}
	_, metrics := get(t, url+"metrics", true)
	for _, want := range []string{
		`dusk_scheduler_tasks{prefix="m",state="memory"} 1`,
		`dusk_scheduler_task_duration_seconds_count{prefix="m"} 2`,
		`dusk_worker_memory_bytes{kind="managed",worker="w1"}`,
		`dusk_scheduler_transfer_bytes_total 0`,
		`go_goroutines`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if resp, body := get(t, url+"debug/pprof/", true); resp.StatusCode != 200 || !strings.Contains(body, "goroutine") {
		t.Errorf("pprof index: %d", resp.StatusCode)
	}
	var v GraphView
	_, body = get(t, url+"api/graph", true)
	if err := json.Unmarshal([]byte(body), &v); err != nil || len(v.Nodes) != 2 {
		t.Errorf("graph: %v %.200s", err, body)
	}
}

func TestStreamStartsWithASnapshot(t *testing.T) {
	f := newFake(t, "w1", "w2")
	_, url := serve(t, f)
	req, _ := http.NewRequest("GET", url+"api/stream", nil)
	req.AddCookie(&http.Cookie{Name: "dusk_token", Value: "tok"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<24)
	var first Update
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			if err := json.Unmarshal([]byte(data), &first); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if !first.Reset || first.Scheduler != "scheduler-test" {
		t.Fatalf("first message: %+v", first)
	}
	// The aggregator reads the workers on its first poll; the page then
	// sees them, in the snapshot or in the next update.
	for len(first.Workers) < 2 && sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			if err := json.Unmarshal([]byte(data), &first); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(first.Workers) != 2 {
		t.Fatalf("workers never arrived: %v", sc.Err())
	}
}

func TestAdviceEndpoint(t *testing.T) {
	f := newFake(t, "w1")
	_, url := serve(t, f)
	if resp, body := get(t, url+"api/advice", true); resp.StatusCode != 200 || !strings.Contains(body, `"unavailable"`) {
		t.Errorf("without an advisor: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, url+"api/advice", false); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without the token: %d", resp.StatusCode)
	}
	var asked Source
	_, url = serveWith(t, f, Options{Interval: 10 * time.Millisecond, Advise: func(ctx context.Context, src Source) (any, error) {
		asked = src
		return []map[string]string{{"rule": "tiny-tasks"}}, nil
	}})
	if resp, body := get(t, url+"api/advice", true); resp.StatusCode != 200 || body != `{"findings":[{"rule":"tiny-tasks"}]}`+"\n" {
		t.Errorf("with an advisor: %d %q", resp.StatusCode, body)
	}
	if asked != Source(f) {
		t.Error("the advisor was not given the dashboard's scheduler")
	}
	_, url = serveWith(t, f, Options{Advise: func(context.Context, Source) (any, error) { return nil, context.DeadlineExceeded }})
	if resp, body := get(t, url+"api/advice", true); resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "deadline") {
		t.Errorf("a failing advisor: %d %q", resp.StatusCode, body)
	}
}

// A key's story comes from the event ring, with the cause of each step;
// the endpoint wants the token and a key.
func TestStoryEndpoint(t *testing.T) {
	f := newFake(t, "w1")
	f.run(f.submit(chain("story", 2), "story-b"), nil)
	_, url := serve(t, f)
	resp, body := get(t, url+"api/story?key=story-b", true)
	if resp.StatusCode != 200 {
		t.Fatalf("story: %d %s", resp.StatusCode, body)
	}
	var got struct {
		Key   string
		Story []StoryStep
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	var path []string
	for _, s := range got.Story {
		if s.Cause == 0 || s.Stimulus == "" {
			t.Errorf("a step without its cause: %+v", s)
		}
		path = append(path, s.From+">"+s.To)
	}
	if want := "released>waiting waiting>processing processing>memory"; strings.Join(path, " ") != want {
		t.Errorf("story of story-b: %v, want %s", path, want)
	}
	if last := got.Story[len(got.Story)-1]; last.Stimulus != "task-finished" || last.Worker != "w1" {
		t.Errorf("the last step: %+v, want task-finished on w1", last)
	}
	if resp, _ := get(t, url+"api/story?key=story-b", false); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("without the token: %d", resp.StatusCode)
	}
	if resp, _ := get(t, url+"api/story", true); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("without a key: %d", resp.StatusCode)
	}
}
