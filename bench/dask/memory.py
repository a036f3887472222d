#!/usr/bin/env python3
"""The out-of-core workload of bench/memory on a Dask LocalCluster.

Workers persist DATA bytes of incompressible partitions and reduce them (a
CRC-32 per partition, then their sum), as the dusk side does. Prints one
JSON line: completed, correct, error, seconds, persist_seconds,
reduce_seconds, peak_rss (bytes per worker process), terminate, restarts.

Run by `go run ./bench/memory`; on its own:

    /usr/bin/python3 bench/dask/memory.py --data 2147483648
"""

import argparse
import json
import os
import threading
import time
import zlib

import numpy as np
import psutil
from dask.distributed import Client, LocalCluster, wait


def make(seed, size):
    return np.random.default_rng(seed).bytes(size)


def crc(b):
    return zlib.crc32(b)


def total(xs):
    return sum(xs)


class Watch(threading.Thread):
    """Samples the memory of this process's worker processes (children
    started by multiprocessing's spawn) every 20 ms."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak = {}  # pid -> peak RSS
        self.stopped = threading.Event()

    def run(self):
        me = psutil.Process()
        while not self.stopped.is_set():
            for p in me.children(recursive=True):
                try:
                    if "spawn_main" not in " ".join(p.cmdline()):
                        continue
                    rss = p.memory_info().rss
                except psutil.Error:
                    continue
                self.peak[p.pid] = max(self.peak.get(p.pid, 0), rss)
            time.sleep(0.02)

    def stop(self):
        self.stopped.set()
        self.join()
        return self.peak


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--memory-limit", type=int, default=1 << 30)
    ap.add_argument("--data", type=int, default=10 << 30)
    ap.add_argument("--partition", type=int, default=64 << 20)
    ap.add_argument("--local-directory", default=None)
    a = ap.parse_args()
    n = a.data // a.partition
    r = {"completed": False, "correct": False, "seconds": 0, "persist_seconds": 0,
         "reduce_seconds": 0, "peak_rss": [], "terminate": int(0.95 * a.memory_limit), "restarts": 0}
    cluster = LocalCluster(n_workers=a.workers, threads_per_worker=1, memory_limit=a.memory_limit,
                           local_directory=a.local_directory, dashboard_address=None)
    client = Client(cluster)
    watch = Watch()
    watch.start()
    start = time.time()
    try:
        parts = client.map(make, range(n), size=a.partition)
        wait(parts)
        for f in parts:
            if f.status != "finished":
                f.result()  # raises the task's error
        persisted = time.time()
        crcs = client.map(crc, parts)
        got = client.submit(total, crcs).result()
        done = time.time()
        r["completed"] = True
        r["seconds"] = done - start
        r["persist_seconds"] = persisted - start
        r["reduce_seconds"] = done - persisted
        want = sum(crc(make(i, a.partition)) for i in range(n))
        r["correct"] = got == want
        if not r["correct"]:
            r["error"] = "total %d is wrong" % got
    except Exception as e:  # KilledWorker and friends: the run failed
        r["seconds"] = time.time() - start
        r["error"] = "%s: %s" % (type(e).__name__, e)
    peaks = watch.stop()
    r["peak_rss"] = sorted(peaks.values(), reverse=True)[: a.workers]
    r["restarts"] = max(0, len(peaks) - a.workers)
    try:
        client.close()
        cluster.close()
    except Exception:
        pass
    print(json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
