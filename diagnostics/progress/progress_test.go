package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func fixedClock(b *Bars) {
	t0 := time.Unix(0, 0)
	b.start = t0
	b.now = func() time.Time { return t0.Add(1500 * time.Millisecond) }
}

func TestPlainLinesAtEachQuarterAndAtTheEnd(t *testing.T) {
	var buf bytes.Buffer
	b := NewPlain(&buf)
	fixedClock(b)
	b.Update([]Counts{{Prefix: "load", Total: 8}, {Prefix: "sum", Total: 1}})
	b.Update([]Counts{{Prefix: "load", Total: 8, Done: 2}, {Prefix: "sum", Total: 1}})
	b.Update([]Counts{{Prefix: "load", Total: 8, Done: 3}, {Prefix: "sum", Total: 1}}) // same quarter: nothing
	b.Update([]Counts{{Prefix: "load", Total: 8, Done: 7, Erred: 1}, {Prefix: "sum", Total: 1}})
	b.Finish([]Counts{{Prefix: "load", Total: 8, Done: 7, Erred: 1}, {Prefix: "sum", Total: 1, Done: 1}})
	want := `load                     2/8  25%
load                     8/8 100% (1 erred)
sum                      1/1 100%
8 of 9 tasks done in 1.5s, 1 erred
`
	if buf.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", buf.String(), want)
	}
}

func TestTerminalRedrawsInPlace(t *testing.T) {
	var buf bytes.Buffer
	b := NewPlain(&buf)
	b.tty = true
	b.width = 10
	fixedClock(b)
	b.Update([]Counts{{Prefix: "inc", Total: 4, Done: 1}})
	b.Update([]Counts{{Prefix: "inc", Total: 4, Done: 2}})
	b.Finish([]Counts{{Prefix: "inc", Total: 4, Done: 4}})
	s := buf.String()
	if !strings.Contains(s, "inc                      [##........] 1/4  25%") ||
		!strings.Contains(s, "\x1b[1A\r\x1b[Kinc                      [#####.....] 2/4  50%") ||
		!strings.HasSuffix(s, "[##########] 4/4 100%\n\r\x1b[K4 of 4 tasks done in 1.5s\n") {
		t.Errorf("terminal output: %q", s)
	}
}

func TestPipesAreNotTerminals(t *testing.T) {
	if IsTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is not a terminal")
	}
}
