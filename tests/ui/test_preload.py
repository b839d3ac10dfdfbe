"""The sidebar's script that loads the browser's code for the next steps ahead (ui/preload.py).

What only a browser shows (the modules fetched while idle, not fetched again once a table
is drawn, the script's element taking no room) is in tests/e2e/test_preload_browser.py."""

from __future__ import annotations

import json
import logging
import re

import pytest
import streamlit

from tests.pages.helpers import INTAKE, PAGES, app, seed_files
from ui import page, preload

FRONTEND = preload.STATIC / "js"
NAMES = [name for batch in preload.BATCHES for name in batch]


def _batches(script: str) -> list[list[list[str]]]:
    return json.loads(re.search(r"load\((\[.*\])\);", script).group(1))


def _lazy_imports() -> str:
    """Every frontend module's text, where the lazy imports and their stylesheets are named."""
    return "\n".join(p.read_text("utf-8") for p in FRONTEND.glob("*.js"))


@pytest.mark.parametrize("name", NAMES)
def test_each_module_is_one_file_the_frontend_itself_imports_lazily(name):
    """The installed Streamlit has the module, and some module of its frontend imports it by
    that very file name beside itself (`import("./NAME.HASH.js")`), so the URL the script
    builds is the one the frontend's own lazy import resolves to. A release that renamed
    it fails here: mend BATCHES with the upgrade."""
    file = preload.static_file(name)
    assert file is not None, f"Streamlit {streamlit.__version__} has no single {name}.*.js"
    assert f"import(`./{file}`)" in _lazy_imports(), f"no frontend module imports ./{file}"


def test_a_module_s_stylesheet_is_linked_where_the_frontend_would_fetch_it():
    """DataFrame's stylesheet, which the frontend loads with it from ../css/ beside the
    modules, is in the script's first batch under that name."""
    sheet = preload.static_file("DataFrame", "css")
    assert sheet is not None and (preload.STATIC / "css" / sheet).is_file()
    assert f"../css/{sheet}" in _lazy_imports()
    first_modules, first_sheets = _batches(preload.script())[0]
    assert sheet in first_sheets
    assert preload.static_file("DataFrame") in first_modules


def test_static_file_takes_the_one_file_of_that_exact_name(tmp_path):
    for file in ("DataFrame.ab-C_1.js", "DataFrameX.zz.js", "useDataFrame.q1.js", "Grid.x.css"):
        (tmp_path / file).write_text("", encoding="utf-8")
    assert preload.static_file("DataFrame", folder=tmp_path) == "DataFrame.ab-C_1.js"
    assert preload.static_file("Grid", folder=tmp_path) is None  # a stylesheet, not a module
    assert preload.static_file("Grid", "css", tmp_path) == "Grid.x.css"
    assert preload.static_file("Chart", folder=tmp_path) is None
    (tmp_path / "DataFrame.other.js").write_text("", encoding="utf-8")
    assert preload.static_file("DataFrame", folder=tmp_path) is None  # two: which is unknown


def test_a_module_not_found_is_left_out_and_logged(monkeypatch, tmp_path, caplog):
    (tmp_path / "js").mkdir()
    (tmp_path / "css").mkdir()
    for file in ("js/Table.h1.js", "css/Table.h3.css", "js/Chart.h2.js"):
        (tmp_path / file).write_text("", encoding="utf-8")
    monkeypatch.setattr(preload, "STATIC", tmp_path)
    monkeypatch.setattr(preload, "BATCHES", (("Table", "Renamed"), ("Gone",), ("Chart",)))
    preload.script.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger=preload.__name__):
            script = preload.script()
    finally:
        preload.script.cache_clear()
    assert _batches(script) == [[["Table.h1.js"], ["Table.h3.css"]], [["Chart.h2.js"], []]]
    assert [r.getMessage() for r in caplog.records] == [
        "Streamlit's frontend module Renamed was not found: not preloaded",
        "Streamlit's frontend module Gone was not found: not preloaded",
    ]


def test_the_upload_s_table_comes_before_the_charts():
    stems = [[f.split(".")[0] for f in modules] for modules, _ in _batches(preload.script())]
    table = next(i for i, batch in enumerate(stems) if "DataFrame" in batch)
    chart = next(i for i, batch in enumerate(stems) if "PlotlyChart" in batch)
    assert table < chart
    assert stems[chart][-1] == "PlotlyChart"  # the largest, last


@pytest.mark.parametrize("script", PAGES)
def test_every_screen_s_sidebar_carries_the_script_once_in_its_hidden_container(script):
    at = seed_files(app(script), [("intake.csv", INTAKE)]).run()
    assert not at.exception
    found = [h for h in at.sidebar.get("html") if "admissionsPreloaded" in h.value]
    assert len(found) == 1
    (holder,) = [b for b in at.sidebar if getattr(b, "key", None) == page.SCRIPTS_KEY]
    assert preload.script() in [h.value for h in holder.get("html")]
    styles = [h.value for h in at.html if "@media print" in h.value]
    assert re.search(rf"\.st-key-{page.SCRIPTS_KEY},[^{{]*\{{\s*display:\s*none;", styles[0])
