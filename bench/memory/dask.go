package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
)

// daskOutOfCore runs bench/dask/memory.py with the same workload on a
// Dask LocalCluster, and reads the JSON it prints.
func daskOutOfCore(ctx context.Context, o options) outOfCoreResult {
	ctx, cancel := context.WithTimeout(ctx, o.daskTimeout)
	defer cancel()
	dir, err := os.MkdirTemp(o.dir, "dask-bench-memory-")
	if err != nil {
		return outOfCoreResult{Error: err.Error()}
	}
	defer os.RemoveAll(dir)
	cmd := exec.CommandContext(ctx, o.python, script(),
		"--workers", strconv.Itoa(o.workers), "--memory-limit", strconv.FormatInt(o.limit, 10),
		"--data", strconv.FormatInt(o.data, 10), "--partition", strconv.FormatInt(o.partition, 10),
		"--local-directory", dir)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	var r outOfCoreResult
	if jerr := json.Unmarshal(lastLine(stdout.Bytes()), &r); jerr != nil {
		r = outOfCoreResult{}
		msg := "no result"
		if err != nil {
			msg = err.Error()
		}
		if ctx.Err() != nil {
			msg = fmt.Sprintf("did not finish within %s", o.daskTimeout)
		}
		r.Error = msg + ": " + tail(stderr.String(), 400)
	}
	return r
}

// script is the path of bench/dask/memory.py, found from this source
// file's place.
func script() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "bench/dask/memory.py"
	}
	return filepath.Join(filepath.Dir(file), "..", "dask", "memory.py")
}

func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}
