"""The Dask side of bench/array: the same workloads on dask.array with a
LocalCluster of 2 single-threaded worker processes. Prints JSON: for each
workload, the best time of the runs and the value computed."""
import argparse
import json
import sys
import time

import numpy as np
import dask
import dask.array as da
from distributed import Client, LocalCluster


def box(b):
    """The sum of each element's 3x3 neighbourhood within the block."""
    out = np.zeros_like(b)
    r, c = b.shape
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            out[max(0, -di):r - max(0, di), max(0, -dj):c - max(0, dj)] += \
                b[max(0, di):r - max(0, -di), max(0, dj):c - max(0, -dj)]
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=20000)
    p.add_argument("--chunk", type=int, default=2000)
    p.add_argument("--m", type=int, default=8000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--only", default="")
    a = p.parse_args()
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    n, ch, m = a.n, a.chunk, a.m

    def x():
        return da.random.random((n, n), chunks=(ch, ch))

    work = {
        "elementwise-sum": lambda: ((x() + 1) * 2).sum(),
        "mean-axis0": lambda: x().mean(axis=0).sum(),
        "x-plus-xT": lambda: (lambda y: (y + y.T).sum())(x()),
        "rechunk-sum": lambda: x().rechunk((n, 200)).sum(),
        "slice-std": lambda: x()[::2, n // 2:].std(),
        "dot": lambda: da.dot(da.random.random((m, m), chunks=(ch, ch)), da.random.random((m, m), chunks=(ch, ch))).sum(),
        "map-overlap": lambda: x().map_overlap(box, depth=1, boundary="none").sum(),
    }
    only = [w for w in a.only.split(",") if w]
    out = {}
    for name, make in work.items():
        if only and name not in only:
            continue
        best, value = None, None
        for _ in range(a.repeat):
            t0 = time.perf_counter()
            value = float(make().compute())
            t = time.perf_counter() - t0
            best = t if best is None else min(best, t)
        out[name] = {"seconds": best, "value": value}
        print(name, best, file=sys.stderr)
    client.close()
    cluster.close()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
