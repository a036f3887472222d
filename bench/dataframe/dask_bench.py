"""The Dask DataFrame side of bench/dataframe: the same workloads on the
same CSV files, on a LocalCluster of worker processes. Prints one JSON line
per workload: {"workload", "seconds", "check", "note"}.

Debian's python3-dask (2022.12) has no Parquet engine here (neither pyarrow
nor fastparquet is packaged), so the Parquet workloads are reported as not
run, and its peer-to-peer shuffle (which needs pyarrow) cannot be used:
the shuffles below are Dask's task shuffle (shuffle="tasks").

    /usr/bin/python3 bench/dataframe/dask_bench.py --csv 'data/csv/*.csv'
"""

import argparse
import glob
import json
import os
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", required=True)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--dim-csv", required=True)
    ap.add_argument("--ts-csv", required=True)
    args = ap.parse_args()

    import dask
    import dask.dataframe as dd
    from dask.distributed import Client, LocalCluster, wait

    dask.config.set({"distributed.worker.daemon": False})
    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=args.threads,
                           processes=True, dashboard_address=None)
    client = Client(cluster)
    files = sorted(glob.glob(args.csv))

    pids = [os.getpid()] + list(client.run(os.getpid).values())

    def cpu_seconds():
        # utime + stime of this process and the workers, from /proc.
        total = 0.0
        for pid in pids:
            try:
                with open("/proc/%d/stat" % pid) as f:
                    fs = f.read().rsplit(")", 1)[1].split()
                total += (int(fs[11]) + int(fs[12])) / os.sysconf("SC_CLK_TCK")
            except OSError:
                pass
        return total

    def emit(name, seconds, check, note="", cpu=0.0):
        print(json.dumps({"workload": name, "seconds": seconds, "cpu_seconds": cpu, "check": check, "note": note}), flush=True)

    def scheduler_tasks():
        return client.run_on_scheduler(lambda dask_scheduler: len(dask_scheduler.tasks))

    def settle(baseline):
        # Wait until the scheduler has forgotten the previous run's keys:
        # a repeat of the same graph would otherwise find its result still
        # in memory (the client releases it asynchronously) and take no time.
        for _ in range(400):
            if scheduler_tasks() <= baseline:
                return
            time.sleep(0.05)

    def timed(name, f):
        best, best_cpu, check = None, 0.0, ""
        baseline = scheduler_tasks()
        for _ in range(args.repeat):
            settle(baseline)
            c0 = cpu_seconds()
            t = time.perf_counter()
            check = f()
            s = time.perf_counter() - t
            if best is None or s < best:
                best, best_cpu = s, cpu_seconds() - c0
        emit(name, best, check, cpu=best_cpu)

    def group_k(ddf):
        def run():
            r = ddf.groupby("k").agg({"x": ["sum", "mean"], "y": "max"}).compute()
            return "%d groups, sum(x)=%.4f, mean(x)+max(y)=%.4f" % (
                len(r), r[("x", "sum")].sum(), r[("x", "mean")].sum() + r[("y", "max")].sum())
        return run

    timed("read CSV + group by k (sum x, mean x, max y)", group_k(dd.read_csv(files, blocksize="64MB")))
    emit("read Parquet + group by k", 0, "", "no engine")

    mem = dd.read_csv(files, blocksize="64MB").persist()
    wait(mem)
    timed("in memory: group by k", group_k(mem))

    def group_id():
        r = mem.groupby("id").x.sum().compute()
        return "%d groups, sum=%.4f" % (len(r), r.sum())
    timed("in memory: group by id, sum x", group_id)

    def set_index():
        p = mem.set_index("id", shuffle="tasks").persist()
        wait(p)
        n = p.npartitions
        del p
        return "%d partitions" % n
    timed("in memory: SetIndex / sort on id", set_index)

    n = mem.npartitions
    left = mem.partitions[: n // 2]
    right = mem.partitions[n // 2: n // 2 + n // 10]

    def hash_merge():
        p = dd.merge(left, right, on=["id", "k"], shuffle="tasks").persist()
        wait(p)
        rows = len(p)
        del p
        return "%d rows" % rows
    timed("in memory: hash merge 10M x 2M on (id, k)", hash_merge)

    small = mem.partitions[n // 2].head(10000, npartitions=1)

    def broadcast_merge():
        p = dd.merge(left, small, on=["id", "k"]).persist()
        wait(p)
        rows = len(p)
        del p
        return "%d rows" % rows
    timed("in memory: broadcast merge 10M x 10k on (id, k)", broadcast_merge)
    emit("in memory: write Parquet (snappy)", 0, "", "no engine")

    # The planner's workloads. Without a Parquet engine, the merge reads
    # the CSV copies of the same rows (no predicate pushdown in this Dask).
    dim_files = sorted(glob.glob(args.dim_csv))

    def merge_filter():
        facts = dd.read_csv(files, blocksize="64MB")
        dim = dd.read_csv(dim_files)
        m = facts.merge(dim, on="id")
        r = m[(m.cat == "c3") & (m.x > 0.9)][["id", "x", "w"]].compute()
        return "%d rows, sum(x*w)=%.4f" % (len(r), (r.x * r.w).sum())
    timed("Parquet: merge with dim, filter, project", merge_filter)

    def set_index_group():
        r = mem.set_index("id", shuffle="tasks").groupby("id").x.sum().compute()
        return "%d groups, sum=%.4f" % (len(r), r.sum())
    timed("in memory: SetIndex on id, then group by id", set_index_group)

    by_k = mem.assign(b=mem.id % 10).categorize(columns=["k"])

    def pivot():
        r = dd.pivot_table(by_k, index="b", columns="k", values="x", aggfunc="sum").compute()
        return "%d rows x %d columns, total=%.4f" % (len(r), len(r.columns) + 1, r.sum().sum())
    timed("in memory: pivot table (id % 10 by k, sum x)", pivot)

    ts_files = sorted(glob.glob(args.ts_csv))

    def rolling():
        ts = dd.read_csv(ts_files, parse_dates=["timestamp"]).set_index("timestamp", sorted=True)
        r = ts.x.rolling(60, min_periods=1).mean().compute()
        return "%d rows, sum of means=%.4f" % (len(r), r.sum())
    timed("Parquet time series: rolling mean of 60 rows", rolling)

    client.close()
    cluster.close()


if __name__ == "__main__":
    sys.exit(main())
