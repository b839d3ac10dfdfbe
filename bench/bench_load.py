"""Load benchmark: ours against pandas+openpyxl and a bare fastexcel read of the same export.

Then, whole processes with their imports: the headless report (`python -m analytics
report`, which reads in the worker as the app does) against a bare fastexcel read of the
same file at SCALING_ROWS, to show loading stays linear in rows. The workbooks are
generated once and cached under bench/out/ (git-ignored). `BENCH_LOAD_ROWS=2000,5000`
runs the scaling part on other sizes (a quick check that the benchmark works).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
ROWS = 100_000
SEED = 7
SCALING_ROWS = (10_000, 100_000, 300_000)
SCALING_ENV = "BENCH_LOAD_ROWS"
SCALING_REPEAT = 3
SCALING_TARGET = 1.2

HEADERS = [
    "Applicant ID",
    "First Name",
    "Last Name",
    "Email Address",
    "Intake",
    "Programme",
    "Country",
    "Applied On",
    "Highest Degree",
    "Accredited Institution",
    "Licence Number",
    "Licence Expiry",
    "Years in Aesthetics",
    "Speciality",
    "CME Hours",
    "Injectables Experience",
    "Ethics Training",
    "Certified On",
    "CE Hours",
    "Code of Conduct Signed",
]

_DEGREES = [
    "MD",
    "M.D.",
    "MBBS",
    "RN",
    "BSN",
    "Nurse Practitioner",
    "DDS",
    "BDS",
    "PA-C",
    "PharmD",
    "MBA",
    "Physician",
    "Dentistry",
    "Law",
    "Vet",
]
_SPECIALTIES = ["Dermatology", "Derm", "Plastic Surgery", "Plastics", "General Practice", ""]
_BOOLS = ["Yes", "No", "Y", "N", "TRUE", "false", "1", "0", True, False, "maybe"]
_INJECT = ["Botox 2 yrs", "Hyaluronic filler", "none", "", "Toxin and filler", "observed only"]
_COUNTRIES = ["UK", "Ireland", "USA", "Germany", "Spain", "UAE", "Australia"]
_FIRST = ["Ana", "Ben", "Chloe", "Dev", "Eva", "Finn", "Grace", "Hugo", "Isla", "Jon"]
_LAST = ["Smith", "Jones", "Patel", "Nguyen", "Garcia", "Kowalski", "O'Brien", "Ito"]


def export_path(rows: int = ROWS) -> Path:
    """The cached benchmark workbook, written on first use."""
    path = OUT / f"export_{rows}_v2.xlsx"
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        _write_export(path, rows)
    return path


def _write_export(path: Path, rows: int) -> None:
    import xlsxwriter

    rng = np.random.default_rng(SEED)
    tmp = path.with_suffix(".tmp.xlsx")
    wb = xlsxwriter.Workbook(str(tmp))
    ws = wb.add_worksheet("Applicants")
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ["Applicant export", "generated for benchmarking"])
    ws.write_row(2, 0, HEADERS)
    base = dt.date(2024, 1, 1)
    pick = rng.integers
    for i in range(rows):
        r = i + 3
        applied = base + dt.timedelta(days=int(pick(0, 600)))
        expiry = applied + dt.timedelta(days=int(pick(-200, 900)))
        row = [
            # A blank ID now and then (rejected), a repeat of an earlier one (duplicate).
            "" if i % 997 == 0 else f"A{(i if i % 40 else i // 2):07d}",
            _FIRST[i % len(_FIRST)],
            _LAST[(i * 7) % len(_LAST)],
            f"user{i}@example.org",
            f"2025-{1 + i % 4:02d}",
            "Cheek Filler Certificate",
            _COUNTRIES[i % len(_COUNTRIES)],
            None,
            _DEGREES[i % len(_DEGREES)],
            _BOOLS[i % len(_BOOLS)],
            f"{pick(0, 10**7):08d}",
            None,
            [1, 2.5, "3 yrs", "0.5 years", "", "-1"][i % 6],
            _SPECIALTIES[i % len(_SPECIALTIES)],
            [20, 32.5, "25 hrs", "1,200", "12h", "lots"][i % 6],
            _INJECT[i % len(_INJECT)],
            _BOOLS[(i * 3) % len(_BOOLS)],
            None,
            ["", 24, "30 hours"][i % 3] if i % 5 == 0 else "",
            _BOOLS[(i * 5) % len(_BOOLS)] if i % 5 == 0 else "",
        ]
        ws.write_row(r, 0, row)
        # Dates in three shapes: real date cells, day-first text, text months.
        if i % 3 == 0:
            ws.write_datetime(r, 7, dt.datetime.combine(applied, dt.time()), date_fmt)
        elif i % 3 == 1:
            ws.write_string(r, 7, applied.strftime("%d/%m/%Y"))
        else:
            ws.write_string(r, 7, applied.strftime("%d %b %Y"))
        ws.write_datetime(r, 11, dt.datetime.combine(expiry, dt.time()), date_fmt)
        if i % 5 == 0:
            ws.write_string(r, 17, (applied - dt.timedelta(days=700)).isoformat())
    wb.close()
    tmp.replace(path)


# ---- measuring ----------------------------------------------------------------------------
# Each contender runs in a fresh interpreter so peak RSS (ru_maxrss) is its own.

_CONTENDERS = {
    "ours": "from analytics import loading\n"
    "res = loading.load_exports([loading.Source.from_path(PATH)])\n"
    "frame = res.frame",
    "pandas_openpyxl": "import pandas as pd\n"
    "frame = pd.read_excel(PATH, engine='openpyxl', header=2)",
    "bare_fastexcel": "import fastexcel\n"
    "frame = fastexcel.read_excel(PATH).load_sheet(0, header_row=2).to_pandas()",
}

_CHILD = """
import json, resource, sys, time
PATH = sys.argv[1]
import pandas, pyarrow, fastexcel, openpyxl, numpy  # imports are not the load
import analytics.loading.loader
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
{code}
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": seconds, "peak_kb": peak - base,
                   "frame_bytes": int(frame.memory_usage(deep=True).sum()),
                   "rows": len(frame)}}))
"""


def measure(name: str, path: Path) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", _CHILD.format(code=_CONTENDERS[name]), str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def best_of(names: list[str], path: Path, repeat: int) -> dict[str, dict]:
    """Runs interleaved (a, b, a, b, ...) so a busy machine slows both alike; keeps the best."""
    best: dict[str, dict] = {}
    for _ in range(repeat):
        for name in names:
            result = measure(name, path)
            if name not in best or result["seconds"] < best[name]["seconds"]:
                best[name] = result
    return best


# ---- whole processes, imports included -------------------------------------------------

_BARE_PROCESS = (
    "import sys, fastexcel\n"
    "fastexcel.read_excel(sys.argv[1]).load_sheet(0, header_row=2).to_pandas()"
)


def _process_seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def report_seconds(path: Path) -> float:
    """The headless report on `path` as a whole process (imports, worker, rules, JSON)."""
    return _process_seconds(
        [sys.executable, "-m", "analytics", "report", str(path), "--format", "json"]
    )


def bare_seconds(path: Path) -> float:
    """A bare fastexcel read of `path` into pandas as a whole process."""
    return _process_seconds([sys.executable, "-c", _BARE_PROCESS, str(path)])


def scaling_sizes() -> tuple[int, ...]:
    given = os.environ.get(SCALING_ENV, "").strip()
    return tuple(int(n) for n in given.split(",")) if given else SCALING_ROWS


def scaling(sizes: tuple[int, ...]) -> None:
    """Report vs bare read per size, runs interleaved (median of SCALING_REPEAT each)."""
    print(f"headless report vs bare fastexcel, whole processes (median of {SCALING_REPEAT}):")
    for rows in sizes:
        path = export_path(rows)
        report, bare = [], []
        for _ in range(SCALING_REPEAT):
            report.append(report_seconds(path))
            bare.append(bare_seconds(path))
        ours, base = statistics.median(report), statistics.median(bare)
        ratio = ours / base
        print(
            f"  {rows:>9,} rows: report {ours:6.2f} s  bare fastexcel {base:6.2f} s  "
            f"ratio {ratio:5.2f}x (target <= {SCALING_TARGET}x: {_met(ratio, SCALING_TARGET)})"
        )


def main() -> None:
    sizes = scaling_sizes()
    if os.environ.get(SCALING_ENV):
        scaling(sizes)
        return
    start = time.perf_counter()
    path = export_path()
    print(
        f"export: {ROWS:,} rows x {len(HEADERS)} columns ({path.stat().st_size / 2**20:.1f} MB)"
        f", ready in {time.perf_counter() - start:.1f} s"
    )
    fast = best_of(["ours", "bare_fastexcel"], path, repeat=5)
    ours, bare = fast["ours"], fast["bare_fastexcel"]
    pandas_openpyxl = measure("pandas_openpyxl", path)
    mb = 2**20
    print(
        f"ours (load_exports, validated):   {ours['seconds']:6.2f} s  ({ours['rows']:,} kept rows)"
    )
    print(f"bare fastexcel (to_pandas):        {bare['seconds']:6.2f} s")
    print(f"pandas read_excel + openpyxl:      {pandas_openpyxl['seconds']:6.2f} s")
    speed = ours["seconds"] / bare["seconds"]
    print(f"ratio ours / bare fastexcel:       {speed:6.2f}x (target <= 1.3x: {_met(speed, 1.3)})")
    print(
        f"ratio pandas+openpyxl / ours:      {pandas_openpyxl['seconds'] / ours['seconds']:6.2f}x"
    )
    peak = ours["peak_kb"] * 1024
    ratio = peak / ours["frame_bytes"]
    print(f"ours peak RSS growth:              {peak / mb:6.0f} MB")
    print(f"bare fastexcel peak RSS growth:    {bare['peak_kb'] * 1024 / mb:6.0f} MB")
    print(f"loaded frame memory (deep):        {ours['frame_bytes'] / mb:6.0f} MB")
    print(f"ratio peak / frame:                {ratio:6.2f}x (target <= 3x: {_met(ratio, 3)})")
    scaling(sizes)


def _met(value: float, target: float) -> str:
    return "met" if value <= target else "NOT met"
