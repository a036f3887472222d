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
from distributed import Client, LocalCluster, wait


def box(b):
    """The sum of each element's 3x3 neighbourhood within the block."""
    out = np.zeros_like(b)
    r, c = b.shape
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            out[max(0, -di):r - max(0, di), max(0, -dj):c - max(0, dj)] += \
                b[max(0, di):r - max(0, -di), max(0, dj):c - max(0, -dj)]
    return out


def blas_libraries():
    """The BLAS and LAPACK libraries this process has loaded (NumPy loads
    them at import): what Dask's dot runs on, and what its time depends on
    (reference BLAS is ten times slower than OpenBLAS here)."""
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1]
            name = path.rsplit("/", 1)[-1]
            if name.startswith("lib") and ("blas" in name or "lapack" in name):
                libs.add(path)
    return sorted(libs)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=20000)
    p.add_argument("--chunk", type=int, default=2000)
    p.add_argument("--m", type=int, default=8000)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--only", default="")
    p.add_argument("--outofcore", action="store_true")
    p.add_argument("--memory", default="1GiB")
    a = p.parse_args()
    if a.outofcore:
        return out_of_core(a)
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(cluster)
    for addr, libs in client.run(blas_libraries).items():
        print("dask worker %s: NumPy's BLAS %s" % (addr, ", ".join(libs) or "none found"), file=sys.stderr)
    n, ch, m = a.n, a.chunk, a.m

    def x():
        return da.random.random((n, n), chunks=(ch, ch))

    persisted = {}

    def xp():
        """x persisted before the run (not timed)."""
        return persisted["x"]

    work = {
        "elementwise-sum": lambda: ((x() + 1) * 2).sum(),
        "elementwise-sum-persisted": lambda: ((xp() + 1) * 2).sum(),
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
            if name == "elementwise-sum-persisted":
                # A new x each run: the same keys again would find the
                # last run's result still in memory.
                persisted["x"] = x().persist()
                wait(persisted["x"])
            t0 = time.perf_counter()
            value = float(make().compute())
            t = time.perf_counter() - t0
            persisted.clear()
            best = t if best is None else min(best, t)
        out[name] = {"seconds": best, "value": value}
        print(name, best, file=sys.stderr)
    client.close()
    cluster.close()
    print(json.dumps(out))


def out_of_core(a):
    """Persist an n x n random array through 2 workers of a.memory each,
    then time its sum and mean over axis 0."""
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit=a.memory, dashboard_address=None)
    client = Client(cluster)
    t0 = time.perf_counter()
    x = da.random.random((a.n, a.n), chunks=(a.chunk, a.chunk)).persist()
    s = float(x.sum().compute())
    t1 = time.perf_counter()
    m = float(x.mean(axis=0).sum().compute())
    t2 = time.perf_counter()
    n = a.n
    print("persist+sum %.1fs, mean(0) %.1fs; mean %.9f vs %.9f" % (t1 - t0, t2 - t1, s / n / n, m / n))
    client.close()
    cluster.close()


if __name__ == "__main__":
    main()
