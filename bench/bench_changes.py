"""Changes benchmark: compare two 100,000-row uploads, against loading one of them.

The old side is the loading benchmark's export (bench/bench_load.py, cached under bench/out/);
the new side is a copy of its loaded frame edited in memory the way a month changes a CRM:
CME hours topped up, licences renewed, certifications renewed, rows gone and rows added.
Both are loaded before the clock starts. `changes.compare` takes evaluated sides and reads
their per-person tables, so a comparison from loaded frames evaluates both sides, builds
both tables (cached on each Evaluation: a screen that showed them already paid) and
compares; each part is printed, and both the comparison alone and the whole from loaded
frames are set against the issue's target (under 10% of loading one export).

Run: `python -m bench changes` (or `python -m bench`, which runs every bench module).
"""

from __future__ import annotations

import gc
import time
from datetime import date

import numpy as np
import pandas as pd

from analytics import loading, rules
from analytics.reporting import changes
from analytics.rules import evaluation
from bench import bench_load

OLD_AS_OF = date(2025, 6, 1)
AS_OF = date(2025, 7, 1)
SEED = 5
SHARE_EDITED = 0.05  # of the rows: CME hours, licences and certifications each
SHARE_GONE = 0.02
SHARE_ADDED = 0.02
REPEATS = 3
TARGET = 0.10


def next_month(frame: pd.DataFrame, seed: int = SEED) -> pd.DataFrame:
    """A later upload of the same export: some values changed, some rows gone or added."""
    rng = np.random.default_rng(seed)
    n = len(frame)
    out = frame.copy()

    def some(share: float) -> np.ndarray:
        return rng.random(n) < share

    cme = out["cme_hours"].to_numpy(copy=True)
    topped = some(SHARE_EDITED)
    cme[topped] = np.nan_to_num(cme[topped]) + 15
    out["cme_hours"] = cme
    licence = out["license_expiry"].to_numpy(copy=True)
    licence[some(SHARE_EDITED)] += np.timedelta64(730, "D")
    out["license_expiry"] = licence
    renewed = out["certified_on"].notna().to_numpy() & some(SHARE_EDITED * 4)
    certified_on = out["certified_on"].to_numpy(copy=True)
    certified_on[renewed] += np.timedelta64(730, "D")
    out["certified_on"] = certified_on
    out = out.loc[~some(SHARE_GONE)]
    added = out.sample(frac=SHARE_ADDED, random_state=seed).copy()
    ids = [f"B{i:07d}" for i in range(len(added))]
    added["applicant_id"] = pd.array(ids, dtype=out["applicant_id"].dtype)
    return pd.concat([out, added], ignore_index=True)


def _timed(function, *args):
    gc.collect()
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def _evaluate_both(rule_set, old_frame, new_frame) -> tuple:
    return (
        evaluation.evaluate(old_frame, rule_set, OLD_AS_OF),
        evaluation.evaluate(new_frame, rule_set, AS_OF),
    )


def _tables(sides) -> None:
    for ev in sides:
        ev.applicants, ev.certified  # noqa: B018 - built on first access, then cached


def main() -> None:
    path = bench_load.export_path()
    rule_set = rules.load_rule_set("standard")
    source = loading.Source.from_path(path)
    old_frame = loading.load_exports([source]).frame
    new_frame = next_month(old_frame)
    best = dict.fromkeys(("load", "evaluate", "tables", "compare"), np.inf)
    for _ in range(REPEATS):  # in turns, so a busy machine slows every part alike
        seconds, _loaded = _timed(loading.load_exports, [source])
        best["load"] = min(best["load"], seconds)
        del _loaded
        seconds, sides = _timed(_evaluate_both, rule_set, old_frame, new_frame)
        best["evaluate"] = min(best["evaluate"], seconds)
        seconds, _ = _timed(_tables, sides)
        best["tables"] = min(best["tables"], seconds)
        seconds, result = _timed(changes.compare, *sides)
        best["compare"] = min(best["compare"], seconds)
    whole = best["evaluate"] + best["tables"] + best["compare"]
    counts = result.to_dict()
    print(
        f"sides: {len(old_frame):,} and {len(new_frame):,} kept rows; "
        f"{counts['applicants']['continuing']:,} applicants in both, "
        f"{len(result.people):,} people changed (best of {REPEATS})"
    )
    print(f"load one export (load_exports):    {best['load'] * 1000:8.0f} ms")
    print(f"evaluate both sides:               {best['evaluate'] * 1000:8.0f} ms")
    print(f"both sides' per-person tables:     {best['tables'] * 1000:8.0f} ms")
    print(f"compare (changes.compare):         {best['compare'] * 1000:8.0f} ms")
    print(f"comparison from loaded frames:     {whole * 1000:8.0f} ms  (the three above)")
    _ratio("compare / load", best["compare"] / best["load"])
    _ratio("from loaded frames / load", whole / best["load"])
    print(f"  of which the per-person tables:  {best['tables'] / whole * 100:7.1f}%")


def _ratio(label: str, ratio: float) -> None:
    verdict = "met" if ratio < TARGET else "NOT met"
    print(f"ratio {label + ':':<29}{ratio * 100:7.1f}%  (target < {TARGET:.0%}: {verdict})")
