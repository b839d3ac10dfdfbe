"""Report figures, kept: `python -m analytics report` on fixed exports, compared with a record.

The record (tests/data/report_figures.json) was written by the code as it stood before the
foundations rewrite; every later change must leave each figure exactly as it is. Run
`python -m bench.report_figures` to compare (exit 1 and the first differences when any
figure moved) or `--write` to record anew (only when a behaviour change is intended and
explained in its commit). tests/analytics/test_report_figures.py runs the comparison.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path

from analytics import rules

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples"
EXPORTS = ROOT / "tests" / "data" / "exports"
RECORD = ROOT / "tests" / "data" / "report_figures.json"

# name -> exports read together
INPUTS = {
    "samples": sorted(SAMPLES.glob("*.xlsx")) + sorted(SAMPLES.glob("*.csv")),
    "spring": [SAMPLES / "applicants_2026_spring.xlsx"],
    "autumn_csv": [SAMPLES / "applicants_2026_autumn.csv"],
    "register": [SAMPLES / "certification_register.xlsx"],
    "crm_2000": [EXPORTS / "crm_2000.xlsx"],
    "crm_2000_csv": [EXPORTS / "crm_2000.csv"],
    "crm_and_samples": [EXPORTS / "crm_2000.xlsx", *sorted(SAMPLES.glob("*.xlsx"))],
}
RULE_SETS = rules.BUILT_IN
AS_OF = ("2026-11-25", "2027-06-30")
FORMATS = ("json", "text")


def _run(argv: list[str]) -> dict:
    from analytics.__main__ import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return {"exit": code, "stdout": out.getvalue(), "stderr": err.getvalue()}


def figures() -> dict[str, dict]:
    """Every configuration's exit code and output, keyed by a readable name."""
    results = {}
    for name, paths in INPUTS.items():
        for rule_set in RULE_SETS:
            for as_of in AS_OF:
                for fmt in FORMATS:
                    argv = ["report", *map(str, paths), "--rules", rule_set]
                    argv += ["--as-of", as_of, "--format", fmt]
                    result = _run(argv)
                    if fmt == "json" and result["exit"] == 0:
                        result["stdout"] = json.loads(result["stdout"])
                    results[f"{name} {rule_set} {as_of} {fmt}"] = result
    return results


def differences(expected: dict, actual: dict, limit: int = 20) -> list[str]:
    found = []

    def walk(a, b, where):
        if len(found) >= limit:
            return
        if isinstance(a, dict) and isinstance(b, dict):
            for key in sorted(set(a) | set(b), key=str):
                if key not in a or key not in b:
                    found.append(f"{where}.{key}: only in {'record' if key in a else 'now'}")
                else:
                    walk(a[key], b[key], f"{where}.{key}")
        elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b, strict=True)):
                walk(x, y, f"{where}[{i}]")
        elif a != b:
            found.append(f"{where}: record {a!r:.200} now {b!r:.200}")

    walk(expected, actual, "")
    return found


def main(argv: list[str]) -> int:
    actual = figures()
    if "--write" in argv:
        text = json.dumps(actual, sort_keys=True, separators=(",", ":"))
        RECORD.write_text(text + "\n", encoding="utf-8")
        print(f"recorded {len(actual)} configurations")
        return 0
    expected = json.loads(RECORD.read_text(encoding="utf-8"))
    found = differences(expected, actual)
    print(f"{len(actual)} configurations compared: {len(found) or 'no'} differences")
    for line in found:
        print("  " + line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
