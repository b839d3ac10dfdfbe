"""Every figure of the headless report on fixed exports equals the record written before the
foundations rewrite (bench/report_figures.py says how the record was made)."""

import json

from bench import report_figures


def test_report_figures_equal_the_record():
    expected = json.loads(report_figures.RECORD.read_text(encoding="utf-8"))
    actual = report_figures.figures()
    assert sorted(actual) == sorted(expected)
    assert report_figures.differences(expected, actual) == []
