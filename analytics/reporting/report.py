"""The headless report (DOMAIN §6): one dict for JSON, and a plain-text rendering of it."""

from __future__ import annotations

import itertools
import json
import math
from json.encoder import encode_basestring_ascii as _quote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics.reporting import renewals, summary
from analytics.rules.evaluation import AGEING_BUCKETS, Evaluation

TEXT_ISSUES_LISTED = 10
TEXT_COMBINATIONS_LISTED = 5


class EncodedIssues:
    """The report's issues, each already the JSON text `json.dumps` gives the issue's dict
    (see `build_report`'s `issues_as_json`), kept as Arrow text: `joined` writes them out
    without a Python string per issue (184,000 of them at 300,000 rows)."""

    def __init__(self, texts: list[pa.Array]):
        self._texts = [text for text in texts if len(text)]

    def __len__(self) -> int:
        return sum(len(text) for text in self._texts)

    def __iter__(self):
        for text in self._texts:
            yield from text.to_pylist()

    def __getitem__(self, position: int) -> str:
        """The issue at `position` (negative counts from the end)."""
        if position < 0:
            position += len(self)
        for text in self._texts:
            if 0 <= position < len(text):
                return text[position].as_py()
            position -= len(text)
        raise IndexError("issue index out of range")

    def joined(self, separator: str) -> str:
        """The texts one after the other, `separator` between each two."""
        chunks = []
        for text in self._texts:
            text = text.cast(pa.large_string())
            chunks += text.chunks if isinstance(text, pa.ChunkedArray) else [text]
        texts = pa.chunked_array(chunks, pa.large_string()).combine_chunks()
        one_list = pa.LargeListArray.from_arrays(pa.array([0, len(texts)], pa.int64()), texts)
        return pc.binary_join(one_list, pa.scalar(separator, pa.large_string()))[0].as_py()


def render(load_result, ev: Evaluation, output_format: str) -> str:
    """The report as `python -m analytics report` prints it: "text" or "json"."""
    if output_format == "text":
        return render_text(build_report(load_result, ev))
    return json_lines(build_report(load_result, ev, issues_as_json=True))


def json_lines(result: dict) -> str:
    """`result` as JSON indented by two, except that each entry of a list of objects (the
    issues: one per unreadable cell, rejected row or duplicate) is one compact line.
    Python's encoder is pure Python when asked to indent (0.8 s for the 184,000 issues of
    the 300,000-row benchmark export); an entry at a time it is its C encoder (0.4 s), and
    a file of one issue per line reads and greps better than seven lines per issue."""
    encode = json.JSONEncoder().encode
    parts = []
    for key, value in result.items():
        if isinstance(value, EncodedIssues) and len(value):
            text = "[\n    " + value.joined(",\n    ") + "\n  ]"
        elif isinstance(value, EncodedIssues):
            text = "[]"
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            text = "[\n    " + ",\n    ".join(map(encode, value)) + "\n  ]"
        else:  # JSON text holds no raw line breaks: each one here is the indentation's
            text = json.dumps(value, indent=2).replace("\n", "\n  ")
        parts.append(f"  {encode(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}\n" if parts else "{}\n"


def build_report(load_result, ev: Evaluation, issues_as_json: bool = False) -> dict:
    """Everything DOMAIN §6 lists, plus rule labels, the funnel, failing combinations and
    the renewal backlog by month; every value is a plain JSON type. With `issues_as_json`
    the issues are `EncodedIssues`: JSON text built column by column (the 184,000 issues
    of the 300,000-row benchmark export take 0.2 s that way, against 1.2 s as dicts that
    are then encoded one by one)."""
    rejected = _frame(load_result, "rejected")
    duplicates = _frame(load_result, "duplicates")
    report = {
        "as_of": ev.as_of.isoformat(),
        "rule_set": ev.rule_set.name,
        "rule_set_label": ev.rule_set.label,
        "files": [
            {"file": s.file, "sheet": s.sheet, "header_row": _plain(s.header_row)}
            for s in getattr(load_result, "sources", [])
        ],
        "rows_read": int(load_result.rows_read),
        "rows_rejected": len(rejected),
        "rows_duplicate": len(duplicates),
        "certified": len(ev.certified_index),
        **summary.overview(ev),
        "gaps": {
            row.rule_id: {
                "fail": row.fail,
                "missing": row.missing,
                "label": row.label,
                "severity": row.severity,
            }
            for row in summary.gaps(ev).itertuples()
        },
        "by_cohort": {
            row.cohort: {
                "applicants": row.applicants,
                "eligible": row.eligible,
                "incomplete": row.incomplete,
                "ineligible": row.ineligible,
                "near_miss": row.near_miss,
                "eligibility_rate": row.eligibility_rate,
            }
            for row in summary.eligibility_by(ev, "cohort").itertuples()
        },
        "failing_combinations": [
            {"rules": list(row.rules), "applicants": row.applicants}
            for row in summary.failing_combinations(ev, top=10).itertuples()
        ],
        "funnel": [
            {"rule_id": row.rule_id, "label": row.label, "remaining": row.remaining}
            for row in summary.funnel(ev).itertuples()
        ],
        "renewals": {
            **renewals.summary(ev),
            "by_month": renewals.backlog_by_month(ev).to_dict("records"),
            "rules": {rr.rule.id: rr.rule.label for rr in ev.renewal.values()},
        },
    }
    report = _plain(report)
    if issues_as_json:  # a frame's columns go to JSON text without Python values between
        groups = _issue_columns(load_result, rejected, duplicates, _json_texts)
        report["issues"] = EncodedIssues([_encoded(group) for group in groups])
    else:
        groups = _issue_columns(load_result, rejected, duplicates)  # plain values already
        report["issues"] = [issue for group in groups for issue in _records(group)]
    return report


def _frame(load_result, name: str) -> pd.DataFrame:
    frame = getattr(load_result, name, None)
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame()


_ISSUE_KEYS = ("file", "sheet", "row", "column", "value", "problem")


def _issue_columns(
    load_result, rejected: pd.DataFrame, duplicates: pd.DataFrame, column=None
) -> list[dict[str, list | pa.Array]]:
    """Unreadable cells, then rejected rows, then duplicates: each row's place and why, as
    three groups of columns (an export can have tens of thousands of problem cells).
    `column(frame, name)` gives a column taken as it is from a frame (plain values,
    `_values`, unless told); the columns made here are plain values."""
    column = column or _values
    problems = _frame(load_result, "problems")
    groups = [{k: column(problems, k) for k in _ISSUE_KEYS}]
    n = len(rejected)
    reasons = _values(rejected, "reason")
    groups.append(
        {
            "file": column(rejected, "file"),
            "sheet": column(rejected, "sheet"),
            "row": column(rejected, "row"),
            "column": ["applicant_id"] * n,
            "value": [""] * n,
            "problem": [f"row not analysed: {r or 'no applicant_id'}" for r in reasons],
        }
    )
    kept = zip(
        _values(duplicates, "kept_row"),
        _values(duplicates, "kept_file"),
        _values(duplicates, "kept_sheet"),
        strict=True,
    )
    groups.append(
        {
            "file": column(duplicates, "file"),
            "sheet": column(duplicates, "sheet"),
            "row": column(duplicates, "row"),
            "column": ["applicant_id"] * len(duplicates),
            "value": column(duplicates, "applicant_id"),
            "problem": [
                f"duplicate applicant_id: row {row} of {file} / {sheet} was kept instead"
                for row, file, sheet in kept
            ],
        }
    )
    return groups


def _encoded(columns: dict[str, list | pa.Array]) -> pa.Array:
    """`json.dumps` of each record of `columns`, built a column at a time and joined by
    Arrow: "{", then each key's text and its column's JSON texts, then "}"."""
    if not len(next(iter(columns.values()), [])):
        return pa.array([], pa.string())
    pieces: list = []
    for position, (key, values) in enumerate(columns.items()):
        pieces.append(("{" if position == 0 else ", ") + f"{json.dumps(key)}: ")
        pieces.append(_json_column(values))
    pieces.append("}")
    return pc.binary_join_element_wise(*pieces, "")


def _json_column(values: list | pa.Array) -> pa.Array:
    """Each plain value (str, int, float, bool, None) as json.dumps writes it. A column of
    texts is encoded once per distinct text (the same file, sheet and problem recur on
    every line); whole numbers are cast; anything else goes value by value. An Arrow
    array is JSON text already (`_json_texts`)."""
    if isinstance(values, pa.Array):
        return values
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind == "integer" and None not in values:  # ints only, no bool
        return pc.cast(pa.array(values, pa.int64()), pa.string())
    if kind in ("string", "empty"):
        codes, distinct = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
        if np.count_nonzero(codes < 0) == values.count(None):  # the blanks are all None
            return _by_code(codes, [_quote(text) for text in distinct])
    return pa.array([_json_scalar(value) for value in values], pa.string())


def _by_code(codes: np.ndarray, texts: list[str]) -> pa.Array:
    """Per row, the JSON text of its code's value (`texts`, one per code), `null` where the
    code is -1 (a blank)."""
    table = pa.array([*texts, "null"], pa.string())
    return table.take(np.where(codes < 0, len(texts), codes))


def _json_texts(frame: pd.DataFrame, name: str) -> list | pa.Array:
    """A frame's column as the JSON text of each value (`null` for a blank), straight from
    its codes or Arrow text: each distinct text is encoded once. The 180,000 problem cells
    of the 300,000-row benchmark export took 0.13 s more as Python values first. Other
    columns go as plain values (`_values`)."""
    if name not in frame.columns:
        return _values(frame, name)
    column = frame[name]
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu":
        return pc.cast(pa.array(column.to_numpy()), pa.string())
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy()
        distinct = column.cat.categories
    elif isinstance(column.dtype, pd.StringDtype):
        codes, distinct = pd.factorize(column, use_na_sentinel=True)
    else:
        return _values(frame, name)
    return _by_code(codes, [_json_scalar(_plain(value)) for value in distinct])


def _json_scalar(value) -> str:
    kind = type(value)
    if kind is str:
        return _quote(value)
    if kind is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    return json.dumps(value)


def _values(frame: pd.DataFrame, name: str) -> list:
    """A column as plain Python values (None for blanks), or Nones when it is absent."""
    if name not in frame.columns:
        return [None] * len(frame)
    column = frame[name]
    if column.dtype.kind in "iu":
        return column.tolist()
    if isinstance(column.dtype, pd.StringDtype):  # texts and blanks only
        return column.astype(object).where(column.notna(), None).tolist()
    if isinstance(column.dtype, pd.CategoricalDtype):  # each category once, then by code
        categories = column.cat.categories.tolist()
        lookup = np.empty(len(categories) + 1, dtype=object)  # code -1 (blank): None, last
        lookup[:-1] = [_plain(v) for v in categories]
        return lookup[column.cat.codes.to_numpy()].tolist()
    if column.dtype == object:
        values = column.astype(object).where(column.notna(), None).tolist()
        return [v if v is None or isinstance(v, str) else _plain(v) for v in values]
    return [_plain(v) for v in column.tolist()]


def _records(columns: dict[str, list]) -> list[dict]:
    keys = list(columns)
    return [dict(zip(keys, values, strict=True)) for values in zip(*columns.values(), strict=True)]


def _plain(value):
    """numpy / pandas scalars -> int, float, str, None, recursively."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, bool):
        return value
    if hasattr(value, "item") and not isinstance(value, str):  # numpy scalar
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, int | float | str | bool):
        return value
    return str(value)


# --- text ---------------------------------------------------------------------------------


def _n(value: int) -> str:
    return f"{value:,}"


def _pct(value: float) -> str:
    return f"{value * 100:.1f}%"


def _where(sources: list[dict]) -> str:
    """One file and the sheets read from it: "book.xlsx (sheets Applicants, Register)"."""
    file = str(sources[0]["file"])
    if file.lower().endswith((".csv", ".txt")):
        return file
    sheets = ", ".join(str(s["sheet"]) for s in sources)
    return f"{file} (sheet{'s' if len(sources) > 1 else ''} {sheets})"


def render_text(report: dict) -> str:
    """A summary a programme director can paste into an email (no personal data)."""
    out: list[str] = []
    add = out.append
    add(f"Admissions report: {report['rule_set_label']} rules, as of {report['as_of']}")
    files = report.get("files") or []
    if files:
        by_file = itertools.groupby(files, key=lambda f: f["file"])  # sheets of a file are adjacent
        add("Files: " + "; ".join(_where(list(sheets)) for _, sheets in by_file))
    add(
        f"Rows read: {_n(report['rows_read'])} (applicants {_n(report['applicants'])}, "
        f"certified {_n(report['renewals']['certified'])}, "
        f"not analysed for lack of an applicant ID {_n(report['rows_rejected'])}, "
        f"duplicates {_n(report['rows_duplicate'])})"
    )
    add("")
    add("APPLICANTS")
    applicants = report["applicants"]
    if applicants == 0:
        add("  No applicants in these files.")
    else:
        add(f"  {_n(applicants)} applicants")
        add(f"  Eligible:   {_n(report['eligible'])} ({_pct(report['eligibility_rate'])})")
        add(f"  Incomplete: {_n(report['incomplete'])} (a requirement cannot be checked)")
        add(
            f"  Ineligible: {_n(report['ineligible'])}, of whom {_n(report['near_miss'])} "
            "miss just one requirement"
        )
        add("")
        add("By cohort")
        width = max(len("Cohort"), *(len(c) for c in report["by_cohort"]))
        add(f"  {'Cohort':<{width}}  Applicants  Eligible    Rate")
        for cohort, row in report["by_cohort"].items():
            add(
                f"  {cohort:<{width}}  {_n(row['applicants']):>10}  {_n(row['eligible']):>8}"
                f"  {_pct(row['eligibility_rate']):>6}"
            )
        add("")
        add("What holds applicants back")
        gaps = report["gaps"]
        width = max(len(g["label"]) for g in gaps.values())
        add(f"  {'Requirement':<{width}}  {'':8}  Not met  Not given")
        for g in sorted(gaps.values(), key=lambda g: g["severity"] != "required"):
            add(
                f"  {g['label']:<{width}}  {g['severity']:8}  {_n(g['fail']):>7}"
                f"  {_n(g['missing']):>9}"
            )
        combos = report.get("failing_combinations") or []
        if combos:
            add("")
            add("Most common combinations of unmet requirements")
            for combo in combos[:TEXT_COMBINATIONS_LISTED]:
                labels = " + ".join(gaps[r]["label"] for r in combo["rules"])
                add(f"  {_n(combo['applicants']):>7}  {labels}")
    add("")
    add("RENEWALS")
    ren = report["renewals"]
    if ren["certified"] == 0:
        add("  No certified practitioners in these files.")
    else:
        add(
            f"  {_n(ren['certified'])} certified: {_n(ren['current'])} current, "
            f"{_n(ren['due'])} due within the renewal window, {_n(ren['overdue'])} overdue"
        )
        add(
            f"  Backlog {_n(ren['backlog'])}: {_n(ren['ready'])} ready to renew, "
            f"{_n(ren['blocked'])} blocked"
        )
        if ren["overdue"]:
            ages = ", ".join(f"{b} days: {_n(ren['overdue_aging'][b])}" for b in AGEING_BUCKETS)
            add(f"  Overdue by {ages}")
        blocking = [(r, c) for r, c in ren["blocked_by"].items() if c]
        if blocking:
            add("  What blocks renewals (failing or not given):")
            for rule_id, count in blocking:
                add(f"    {ren['rules'].get(rule_id, rule_id)}: {_n(count)}")
    issues = report.get("issues") or []
    add("")
    if not issues:
        add("DATA ISSUES: none")
    else:
        add(f"DATA ISSUES: {_n(len(issues))} (cells that could not be read, rows not analysed)")
        for issue in issues[:TEXT_ISSUES_LISTED]:
            add(
                f"  {issue['file']} / {issue['sheet']} / row {issue['row']} / "
                f"{issue['column']}: {issue['problem']}"
            )
        if len(issues) > TEXT_ISSUES_LISTED:
            add(f"  ... and {_n(len(issues) - TEXT_ISSUES_LISTED)} more (see --format json)")
    return "\n".join(out) + "\n"
