package io

import (
	"bufio"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// envJobClient makes the test binary a client that starts a write job
// beside the target it names, prints the job's directory, and waits to be
// killed: a client that dies mid-job.
const envJobClient = "DUSK_TEST_JOB_CLIENT"

func TestMain(m *testing.M) {
	if target := os.Getenv(envJobClient); target != "" {
		j, err := StartJob(target, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			os.Exit(3)
		}
		os.Stdout.WriteString(j.Dir + "\n")
		select {}
	}
	os.Exit(m.Run())
}

func oneRecord() arrow.RecordBatch {
	s := arrow.NewSchema([]arrow.Field{{Name: "x", Type: arrow.PrimitiveTypes.Int64, Nullable: true}}, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, s)
	defer b.Release()
	b.Field(0).(*array.Int64Builder).AppendValues([]int64{1, 2, 3}, nil)
	return b.NewRecordBatch()
}

// A write job whose client dies leaves nothing: the writing task that ends
// after it removes the job's directory and says why, and the next job
// beside the same target sweeps what is left; a live job is left alone.
func TestJobOfADeadClientIsRemoved(t *testing.T) {
	parent := t.TempDir()
	target := filepath.Join(parent, "out")
	client := func() (*exec.Cmd, string) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), envJobClient+"="+target)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		dir, err := bufio.NewReader(out).ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return cmd, dir[:len(dir)-1]
	}
	spec := func(dir string) WriteSpec { return WriteSpec{Dir: dir, Name: "part.0.parquet", RowGroup: 1 << 20} }
	rec := oneRecord()
	defer rec.Release()

	// While the client lives, parts are written.
	cmd, dir := client()
	if _, err := WriteParquetTask(context.Background(), rec, spec(dir)); err != nil {
		t.Fatalf("writing for a live client: %v", err)
	}
	// Killed, the next part's task removes the job.
	cmd.Process.Kill()
	cmd.Wait()
	_, err := WriteCSVTask(context.Background(), rec, WriteSpec{Dir: dir, Name: "part.1.csv"})
	if !errors.Is(err, ErrJobGone) {
		t.Fatalf("writing for a dead client: %v; want ErrJobGone", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the dead client's job directory is still there: %v", err)
	}
	// A job left with no task running is swept by the next one; a live
	// one is not.
	dead, deadDir := client()
	_, liveDir := client()
	dead.Process.Kill()
	dead.Wait()
	j, err := StartJob(target, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(deadDir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the dead job was not swept: %v", err)
	}
	if _, err := os.Stat(liveDir); err != nil {
		t.Errorf("the live job was swept: %v", err)
	}
	if err := j.Finish(target, false); err != nil {
		t.Fatal(err)
	}
	if es, _ := os.ReadDir(target); len(es) != 0 {
		t.Errorf("the finished job left %v in its target", es)
	}
}
