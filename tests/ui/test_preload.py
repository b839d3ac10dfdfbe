"""The sidebar's script that loads the browser's code for the next steps ahead (ui/preload.py).

What only a browser shows (the modules fetched while idle, not fetched again once a table
is drawn) is in tests/e2e/test_preload_browser.py."""

from __future__ import annotations

import json
import logging
import re

import pytest
import streamlit

from tests.pages.helpers import INTAKE, PAGES, app, seed_files
from ui import preload

FRONTEND = preload.STATIC_JS


def _batches(script: str) -> list[list[str]]:
    return json.loads(re.search(r"load\((\[.*\])\);", script).group(1))


@pytest.mark.parametrize("name", [n for batch in preload.BATCHES for n in batch])
def test_each_module_is_one_file_the_frontend_itself_imports_lazily(name):
    """The installed Streamlit has the module, and some module of its frontend imports it by
    that very file name beside itself (`import("./NAME.HASH.js")`), so the URL the script
    builds is the one the frontend's own lazy import resolves to. A release that renamed
    it fails here: mend BATCHES with the upgrade."""
    file = preload.module_file(name)
    assert file is not None, f"Streamlit {streamlit.__version__} has no single {name}.*.js"
    assert (FRONTEND / file).is_file()
    importers = [
        p.name for p in FRONTEND.glob("*.js") if f"import(`./{file}`)" in p.read_text("utf-8")
    ]
    assert importers, f"no frontend module imports ./{file} lazily"


def test_module_file_takes_the_one_file_of_that_exact_name(tmp_path):
    for file in ("DataFrame.ab-C_1.js", "DataFrameX.zz.js", "useDataFrame.q1.js", "Grid.x.css"):
        (tmp_path / file).write_text("", encoding="utf-8")
    assert preload.module_file("DataFrame", tmp_path) == "DataFrame.ab-C_1.js"
    assert preload.module_file("Grid", tmp_path) is None  # a stylesheet is not a module
    assert preload.module_file("Chart", tmp_path) is None
    (tmp_path / "DataFrame.other.js").write_text("", encoding="utf-8")
    assert preload.module_file("DataFrame", tmp_path) is None  # two: which one is unknown


def test_a_module_not_found_is_left_out_and_logged(monkeypatch, tmp_path, caplog):
    (tmp_path / "Table.h1.js").write_text("", encoding="utf-8")
    (tmp_path / "Chart.h2.js").write_text("", encoding="utf-8")
    monkeypatch.setattr(preload, "STATIC_JS", tmp_path)
    monkeypatch.setattr(preload, "BATCHES", (("Table", "Renamed"), ("Gone",), ("Chart",)))
    preload.script.cache_clear()
    try:
        with caplog.at_level(logging.WARNING, logger=preload.__name__):
            script = preload.script()
    finally:
        preload.script.cache_clear()
    assert _batches(script) == [["Table.h1.js"], ["Chart.h2.js"]]
    assert [r.getMessage() for r in caplog.records] == [
        "Streamlit's frontend module Renamed was not found: not preloaded",
        "Streamlit's frontend module Gone was not found: not preloaded",
    ]


def test_the_script_loads_the_upload_s_code_first_and_the_charts_last():
    batches = _batches(preload.script())
    first = [f.split(".")[0] for f in batches[0]]
    assert first == ["axios", "DataFrame", "TextInput", "DownloadButton"]
    assert batches[-1][-1].startswith("PlotlyChart.")


@pytest.mark.parametrize("script", PAGES)
def test_every_screen_ends_its_sidebar_with_the_script_once(script):
    at = seed_files(app(script), [("intake.csv", INTAKE)]).run()
    assert not at.exception
    found = [h for h in at.sidebar.get("html") if "admissionsPreloaded" in h.value]
    assert len(found) == 1
    assert at.sidebar.children[len(at.sidebar.children) - 1] is not None
    assert found[0].value == preload.script()
