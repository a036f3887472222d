#!/usr/bin/python3
"""The Dask side of dusk's core benchmark (bench/core).

Runs the same workloads as bench/core on a distributed.LocalCluster of 2
single-threaded worker processes and prints one JSON object on stdout.
Progress goes to stderr.

    /usr/bin/python3 bench/dask/core.py [--quick] [--saturation default|inf]

Workloads (each timed from the first submit to the result in hand, after a
warm-up run; the median of --reps runs is reported):

  map          client.map(inc, range(n)) + client.gather
  tree         a tree sum, fan-in 8, over n leaves (inc tasks), built with
               client.submit(sum, [8 futures]) level by level
  tree_delayed the same tree built with dask.delayed, run with client.compute
  merge        one delayed sum over n - 1 independent delayed inc tasks,
               run with client.compute
  chain        x = client.submit(inc, x), n times, then x.result()
  chain_delayed the same chain built with dask.delayed, run with
               client.compute (Dask's delayed optimization only culls; it
               does not fuse linear chains)
"""

import argparse
import json
import logging
import os
import statistics
import sys
import time


def inc(x):
    return x + 1


def add_all(xs):
    return sum(xs)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def tree_levels(n_leaves, fan_in):
    """Number of tasks in a tree sum: leaves plus every level of sums."""
    total, width = n_leaves, n_leaves
    while width > 1:
        width = (width + fan_in - 1) // fan_in
        total += width
    return total


def run_map(client, n):
    futs = client.map(inc, range(n), pure=False)
    res = client.gather(futs)
    assert res[-1] == n, res[-1]
    del futs, res


def run_tree(client, n, fan_in):
    level = client.map(inc, range(n), pure=False)
    while len(level) > 1:
        level = [
            client.submit(add_all, level[i:i + fan_in], pure=False)
            for i in range(0, len(level), fan_in)
        ]
    got = level[0].result()
    assert got == n * (n + 1) // 2, got


def run_tree_delayed(client, n, fan_in):
    import dask

    d_inc = dask.delayed(inc, pure=False)
    d_sum = dask.delayed(add_all, pure=False)
    level = [d_inc(i) for i in range(n)]
    while len(level) > 1:
        level = [d_sum(level[i:i + fan_in]) for i in range(0, len(level), fan_in)]
    got = client.compute(level[0]).result()
    assert got == n * (n + 1) // 2, got


def run_merge(client, n):
    import dask

    d_inc = dask.delayed(inc, pure=False)
    d_sum = dask.delayed(add_all, pure=False)
    got = client.compute(d_sum([d_inc(i) for i in range(n)])).result()
    assert got == n * (n + 1) // 2, got


def run_chain(client, n):
    x = client.submit(inc, 0, pure=False)
    for _ in range(n - 1):
        x = client.submit(inc, x, pure=False)
    got = x.result()
    assert got == n, got


def run_chain_delayed(client, n):
    import dask

    d_inc = dask.delayed(inc, pure=False)
    x = d_inc(0)
    for _ in range(n - 1):
        x = d_inc(x)
    got = client.compute(x).result()
    assert got == n, got


def settle(client, timeout=30):
    """Wait until the scheduler has forgotten the previous run's tasks."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        n = client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))
        if n == 0:
            return
        time.sleep(0.05)
    log("warning: scheduler still holds tasks after", timeout, "s")


def measure(client, name, fn, reps, warmup):
    for _ in range(warmup):
        fn()
        settle(client)
    runs = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
        settle(client)
    med = statistics.median(runs)
    log(f"dask {name}: median {med:.3f}s over {len(runs)} runs")
    return runs, med


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer tasks, one repetition, no warm-up")
    ap.add_argument("--saturation", default="default", help='"default" or a number ("inf")')
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--map", type=int, default=20000, dest="n_map")
    ap.add_argument("--tree", type=int, default=20000, dest="n_tree")
    ap.add_argument("--fan-in", type=int, default=8)
    ap.add_argument("--chain", type=int, default=1000, dest="n_chain")
    ap.add_argument("--merge", type=int, default=25000, dest="n_merge")
    ap.add_argument("--only", default="", help="comma-separated workloads to run")
    args = ap.parse_args()
    if args.quick:
        args.n_map, args.n_tree, args.n_merge, args.n_chain, args.reps = 2000, 2000, 2000, 100, 1
    warmup = 0 if args.quick else 1

    import dask
    import distributed
    from distributed import Client, LocalCluster

    # Keep the cluster's log out of the way (it goes to stderr anyway).
    logging.getLogger("distributed").setLevel(logging.ERROR)

    cfg = {}
    if args.saturation != "default":
        cfg["distributed.scheduler.worker-saturation"] = float(args.saturation)

    out = {
        "dask_version": dask.__version__,
        "distributed_version": distributed.__version__,
        "python": sys.version.split()[0],
        "saturation": args.saturation,
        "quick": args.quick,
        "reps": args.reps,
        "warmup": warmup,
        "workloads": {},
    }
    only = set(filter(None, args.only.split(",")))
    with dask.config.set(cfg):
        out["worker_saturation"] = str(dask.config.get("distributed.scheduler.worker-saturation"))
        t0 = time.perf_counter()
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                          dashboard_address=None) as cluster, Client(cluster) as client:
            out["cluster_start_s"] = time.perf_counter() - t0
            sat = client.run_on_scheduler(lambda dask_scheduler: str(dask_scheduler.WORKER_SATURATION))
            out["scheduler_worker_saturation"] = sat
            log(f"dask {distributed.__version__}: LocalCluster 2 processes x 1 thread, worker-saturation={sat}")
            fan = args.fan_in
            workloads = [
                ("map", args.n_map, lambda: run_map(client, args.n_map)),
                ("tree", tree_levels(args.n_tree, fan), lambda: run_tree(client, args.n_tree, fan)),
                ("tree_delayed", tree_levels(args.n_tree, fan), lambda: run_tree_delayed(client, args.n_tree, fan)),
                ("merge", args.n_merge, lambda: run_merge(client, args.n_merge - 1)),
                ("chain", args.n_chain, lambda: run_chain(client, args.n_chain)),
                ("chain_delayed", args.n_chain, lambda: run_chain_delayed(client, args.n_chain)),
            ]
            for name, ntasks, fn in workloads:
                if only and name not in only:
                    continue
                try:
                    runs, med = measure(client, name, fn, args.reps, warmup)
                    out["workloads"][name] = {"tasks": ntasks, "runs_s": runs, "median_s": med}
                except Exception as e:  # report, keep going
                    log(f"dask {name} failed: {e!r}")
                    out["workloads"][name] = {"tasks": ntasks, "error": repr(e)}
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
