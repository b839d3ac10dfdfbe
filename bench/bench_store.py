"""Store upload and open-link times for the 100k export, on SQLite and PostgreSQL.

`python -m bench.bench_store [ROWS]`. Upload: `create_dataset` of the export's bytes (a
fresh store each time, so the bytes are really written). Open link: what a replica does
for a pasted link, `get_dataset` and `read_dataset_files`, on a store opened anew.
PostgreSQL runs when ADMISSIONS_TEST_DATABASE_URL names a database (a fresh schema,
dropped afterwards); the ratio is PostgreSQL / SQLite.
"""

from __future__ import annotations

import os
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

import store
from bench import bench_load

TEST_DATABASE_URL_ENV = "ADMISSIONS_TEST_DATABASE_URL"
REPEAT = 5


def _fresh_schema(base: str) -> tuple[str, Callable[[], None]]:
    admin = sa.create_engine(
        sa.make_url(base).set(drivername="postgresql+psycopg"), poolclass=sa.pool.NullPool
    )
    schema = f"bench_{secrets.token_hex(6)}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()

    url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), drop


def measure(data: bytes, name: str, url: str | None) -> dict[str, float]:
    """Median seconds of one upload and of opening its link, over REPEAT fresh stores."""
    uploads, opens = [], []
    for _ in range(REPEAT):
        drop = None
        if url is not None:
            run_url, drop = _fresh_schema(url)
        else:
            run_url = None
        with tempfile.TemporaryDirectory() as folder:
            uploader = store.Store(Path(folder) / "a", run_url)
            start = time.perf_counter()
            ds = uploader.create_dataset([(name, data)], owner="bench")
            uploads.append(time.perf_counter() - start)
            uploader.close()
            reader = store.Store(Path(folder) / "a" if url is None else Path(folder) / "b", run_url)
            start = time.perf_counter()
            reader.get_dataset(ds.id)
            files = reader.read_dataset_files(ds.id)
            opens.append(time.perf_counter() - start)
            assert files[0][1] == data
            reader.close()
        if drop is not None:
            drop()
    return {"upload": statistics.median(uploads), "open": statistics.median(opens)}


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else bench_load.ROWS
    path = bench_load.export_path(rows)
    data = path.read_bytes()
    print(f"export: {rows:,} rows ({len(data) / 2**20:.1f} MB), median of {REPEAT} runs")
    results = {"SQLite": measure(data, path.name, None)}
    url = os.environ.get(TEST_DATABASE_URL_ENV, "").strip()
    if url:
        results["PostgreSQL"] = measure(data, path.name, url)
    for engine, figures in results.items():
        print(
            f"{engine:<11} upload {figures['upload'] * 1000:8.1f} ms   "
            f"open link {figures['open'] * 1000:8.1f} ms"
        )
    if "PostgreSQL" not in results:
        print(f"PostgreSQL: not run (set {TEST_DATABASE_URL_ENV})")
        return
    pg, lite = results["PostgreSQL"], results["SQLite"]
    print(
        f"ratio PostgreSQL / SQLite: upload {pg['upload'] / lite['upload']:.2f}x, "
        f"open link {pg['open'] / lite['open']:.2f}x"
    )


if __name__ == "__main__":
    main()
