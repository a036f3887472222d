package state

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dusk-go/dusk/graph"
)

// describe prints an instruction; messages for the scheduler start with
// "msg".
func describe(in Instruction) string {
	switch i := in.(type) {
	case *Execute:
		return fmt.Sprintf("execute %s thread=%d", i.Task.Key, i.Thread)
	case *CancelTask:
		return "cancel " + string(i.Key)
	case *FetchFrom:
		return fmt.Sprintf("fetch-from %s keys=(%s)", i.Peer, keyList(i.Keys))
	case *Drop:
		return fmt.Sprintf("drop keys=(%s)", keyList(i.Keys))
	case *Started:
		return fmt.Sprintf("msg started %s thread=%d", i.Key, i.Thread)
	case *Finished:
		s := fmt.Sprintf("msg finished %s nbytes=%d thread=%d", i.Key, i.NBytes, i.Thread)
		if i.Type != "" {
			s += " type=" + i.Type
		}
		return s
	case *Failed:
		return fmt.Sprintf("msg failed %s err=%q thread=%d", i.Key, i.Err, i.Thread)
	case *Added:
		parts := make([]string, len(i.Keys))
		for j, ks := range i.Keys {
			parts[j] = fmt.Sprintf("%s:%d", ks.Key, ks.NBytes)
		}
		return fmt.Sprintf("msg added keys=(%s)", strings.Join(parts, ", "))
	case *Missing:
		return fmt.Sprintf("msg missing %s of %s tried=(%s)", i.Key, i.Task, strings.Join(i.Tried, ", "))
	case *Rejected:
		return "msg rejected " + string(i.Key)
	case *StealReply:
		return fmt.Sprintf("msg steal-reply %s stolen=%t", i.Key, i.Stolen)
	}
	return fmt.Sprintf("unknown instruction %T", in)
}

// describeState prints the records of keys (all of them, and a summary,
// when keys is empty), one a line.
func (g *golden) describeState(keys []string) string {
	s := g.s
	all := len(keys) == 0
	if all {
		for k := range s.tasks {
			keys = append(keys, string(k))
		}
		slices.Sort(keys)
	}
	var b strings.Builder
	for _, k := range keys {
		t := s.tasks[graph.Key(k)]
		if t == nil {
			b.WriteString(k + ": released\n")
			continue
		}
		fmt.Fprintf(&b, "%s: %s", k, t.State)
		switch t.State {
		case Waiting:
			fmt.Fprintf(&b, " missing=%d", t.nMissing)
		case Executing, Cancelled:
			fmt.Fprintf(&b, " thread=%d", t.thread)
		case Memory:
			fmt.Fprintf(&b, " nbytes=%d", t.NBytes)
		case Flight:
			b.WriteString(" from=" + t.flight)
		}
		if t.State == Fetch || t.State == Flight {
			fmt.Fprintf(&b, " peers=(%s)", strings.Join(t.peers, ", "))
			if len(t.tried) > 0 {
				fmt.Fprintf(&b, " tried=(%s)", strings.Join(t.tried, ", "))
			}
			if t.Spec != nil {
				b.WriteString(" task")
			}
		}
		if len(t.dependents) > 0 {
			var ds []graph.Key
			for _, dt := range t.dependents {
				ds = append(ds, dt.Key)
			}
			fmt.Fprintf(&b, " dependents=(%s)", keyList(ds))
		}
		for _, f := range []struct {
			on   bool
			name string
		}{{t.freed, "freed"}, {t.acquire, "acquire"}, {t.rerun, "rerun"}} {
			if f.on {
				b.WriteString(" " + f.name)
			}
		}
		b.WriteByte('\n')
	}
	if all {
		fmt.Fprintf(&b, "executing=%d ready=%d in-flight=%d paused=%t\n", s.Executing(), s.NReady(), s.inFlight, s.paused)
	}
	return b.String()
}

func keyList(ks []graph.Key) string {
	parts := make([]string, len(ks))
	for i, k := range ks {
		parts[i] = string(k)
	}
	return strings.Join(parts, ", ")
}
