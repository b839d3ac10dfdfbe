"""Reading in a worker: what the child process costs, and CSV memory before and after.

1. The 100,000-row export (bench_load's) read in-process and through the worker,
   interleaved, best of 5: the worker's overhead (target <= 0.2 s), and the fixed cost of
   one round trip on a two-row file.
2. A 22.9 MB CSV of 2,000,000 tiny rows, each contender in a fresh interpreter (peak RSS
   growth after imports): the CSV reader before this change (every row a Python list,
   rebuilt here for comparison) and now, against the loaded frame (target <= 3x); and the
   CLI's whole report through the worker: the peak of the CLI process itself (its reader
   child runs the load measured above; the issue measured 1.28 GB for both in one).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from bench import bench_load

ROOT = bench_load.ROOT
REPEAT = 5
CSV_ROWS = 2_000_000
SMALL = b"Applicant ID,Full Name,Email\n1,Ana,a@x\n"


def csv_path():
    """IDs and one degree, cohort left blank: 22.9 MB, written once under bench/out/."""
    path = bench_load.OUT / f"tiny_rows_{CSV_ROWS}.csv"
    if not path.exists():
        bench_load.OUT.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8", newline="") as out:
            out.write("Applicant ID,Cohort,Degree\n")
            out.writelines(f"{i},,MD\n" for i in range(CSV_ROWS))
        tmp.replace(path)
    return path


# ---- 1. in-process against the worker ------------------------------------------------------

_TIMING = """
import json, socket, sys, threading, time
from multiprocessing.connection import Connection
from analytics import loading
from analytics.loading import worker


def transfer(result):
    # The result's way back from a child: pickled, through a socket, unpickled.
    ours, theirs = (Connection(s.detach()) for s in socket.socketpair())
    start = time.perf_counter()
    sender = threading.Thread(target=worker.send_result, args=(theirs, result))
    sender.start()
    worker.receive_result(ours, ours.recv()[1])
    sender.join()
    return time.perf_counter() - start


def main():
    source = loading.Source.from_path(sys.argv[1])
    small = loading.Source("small.csv", {small!r})
    worker.warm_up()
    worker.load_exports([small])  # the fork server's start is not an upload's cost
    result = loading.load_exports([source])
    best = {{"inproc": 1e9, "worker": 1e9, "small_inproc": 1e9, "small_worker": 1e9,
             "transfer": min(transfer(result) for _ in range({repeat}))}}
    for _ in range({repeat}):
        for name, read, src in (
            ("inproc", loading.load_exports, source),
            ("worker", worker.load_exports, source),
            ("small_inproc", loading.load_exports, small),
            ("small_worker", worker.load_exports, small),
        ):
            start = time.perf_counter()
            read([src])
            best[name] = min(best[name], time.perf_counter() - start)
    print(json.dumps(best))


if __name__ == "__main__":
    main()
"""


def timings() -> dict:
    code = _TIMING.format(small=SMALL, repeat=REPEAT)
    path = str(bench_load.export_path())
    out = subprocess.run(
        [sys.executable, "-c", code, path], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---- 2. CSV memory ---------------------------------------------------------------------------

_BEFORE = """
import csv, io
import pandas as pd
from analytics.loading import reading

def rows_as_lists(file, data):  # the CSV reader as it was: every row a Python list
    text = bytes(reading.utf8_text(data)).decode("utf-8")
    delimiter, _ = reading.sniff_delimiter(text)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    width = max((len(r) for r in rows), default=0)
    rows = [row if len(row) == width else row + [None] * (width - len(row)) for row in rows]
    frame = pd.DataFrame(rows, columns=range(width), dtype=object).astype(reading._TEXT)
    frame.index = pd.RangeIndex(1, len(frame) + 1)
    return reading.drop_blank(frame)

reading._read_csv = rows_as_lists
"""

_MEMORY = """
import json, resource, sys, time
PATH = sys.argv[1]
import pandas, pyarrow, fastexcel, openpyxl, numpy  # imports are not the load
from analytics import loading
from analytics.loading import reading
{setup}
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
data = open(PATH, "rb").read()
cells = reading._read_csv("tiny.csv", data)
read_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
read_seconds = time.perf_counter() - start
cells_bytes = int(cells.memory_usage(deep=True).sum())
del cells, data
res = loading.load_exports([loading.Source.from_path(PATH)])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"read_seconds": read_seconds, "read_peak_kb": read_peak - base,
                   "cells_bytes": cells_bytes, "seconds": seconds, "peak_kb": peak - base,
                   "frame_bytes": int(res.frame.memory_usage(deep=True).sum())}}))
"""

_CLI = """
import json, os, resource, sys, time
from analytics.__main__ import main

if __name__ == "__main__":
    sys.stdout = open(os.devnull, "w")
    start = time.perf_counter()
    code = main(["report", sys.argv[1]])
    seconds = time.perf_counter() - start
    print(json.dumps({"code": code, "seconds": seconds,
                      "self_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}),
          file=sys.stderr)
"""


def _child(code: str, path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], cwd=ROOT, capture_output=True, text=True
    )
    lines = (out.stdout + out.stderr).strip().splitlines()
    return json.loads(lines[-1])


def main() -> None:
    mb = 2**20
    best = timings()
    overhead = best["worker"] - best["inproc"]
    print(f"100k export in-process:            {best['inproc']:6.2f} s (best of {REPEAT})")
    print(f"100k export through the worker:    {best['worker']:6.2f} s")
    print(f"worker overhead at 100k rows:      {overhead:6.2f} s (target 0.2 s: {_met(overhead)})")
    small = best["small_worker"] - best["small_inproc"]
    print(
        f"two-row CSV in-process / worker:   {best['small_inproc']:6.3f} /"
        f" {best['small_worker']:.3f} s"
    )
    print(f"worker overhead, one round trip:   {small:6.3f} s")
    print(f"100k result back to the caller:    {best['transfer']:6.3f} s (pickle, socket)")
    parts = max(small, 0) + best["transfer"]
    print(f"overhead from the parts:           {parts:6.3f} s (target 0.2 s: {_met(parts)})")

    path = csv_path()
    print(f"CSV: {CSV_ROWS:,} tiny rows ({path.stat().st_size / 1e6:.1f} MB, decimal)")
    before = _child(_MEMORY.format(setup=_BEFORE), path)
    now = _child(_MEMORY.format(setup=""), path)
    for label, run in (("before (rows as lists)", before), ("now (Arrow CSV reader)", now)):
        read_peak, peak = run["read_peak_kb"] / 1024, run["peak_kb"] / 1024
        print(
            f"  {label:24s} read {run['read_seconds']:5.1f} s, peak {read_peak:5.0f} MB for"
            f" {run['cells_bytes'] / mb:3.0f} MB of cells; whole load peak {peak:5.0f} MB ="
            f" {peak * mb / run['frame_bytes']:.1f}x the frame ({run['frame_bytes'] / mb:.0f} MB)"
        )
    ratio = now["peak_kb"] * 1024 / now["frame_bytes"]
    print(f"  load peak / frame now:             {ratio:5.2f}x (target <= 3x: {_met(ratio, 3)})")
    cli = _child(_CLI, path)
    print(
        f"  CLI report (exit {cli['code']}) {cli['seconds']:.1f} s: the CLI process's peak RSS"
        f" {cli['self_kb'] / 1024:.0f} MB"
    )


def _met(value: float, target: float = 0.2) -> str:
    return "met" if value <= target else "NOT met"


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"({time.perf_counter() - started:.0f} s)")
