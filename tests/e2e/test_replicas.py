"""Two replicas of the app, each with its own data folder, sharing one PostgreSQL store.

Needs ADMISSIONS_TEST_DATABASE_URL (a database this test may create schemas in); skips
without it, unless ADMISSIONS_REQUIRE_POSTGRESQL=1 (CI), where that is a failure.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
from urllib.parse import urlparse

import pytest
import sqlalchemy as sa

import store
from tests.e2e import conftest as harness
from tests.e2e.test_browser import (
    AS_OF,
    SAMPLES,
    assert_no_exception,
    metric,
    metric_number,
    pick_as_of,
    wait_for_run,
)

TEST_DATABASE_URL_ENV = "ADMISSIONS_TEST_DATABASE_URL"
REQUIRE_ENV = "ADMISSIONS_REQUIRE_POSTGRESQL"
FIGURES = ("Applicants", "Eligible")


@pytest.fixture
def shared_url():
    """A fresh schema of the test database, as the URL replicas are given; dropped after."""
    base = os.environ.get(TEST_DATABASE_URL_ENV, "").strip()
    if not base:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{REQUIRE_ENV}=1 but {TEST_DATABASE_URL_ENV} is not set")
        pytest.skip(f"PostgreSQL: set {TEST_DATABASE_URL_ENV} to run")
    admin = sa.create_engine(
        sa.make_url(base).set(drivername="postgresql+psycopg"), poolclass=sa.pool.NullPool
    )
    schema = f"e2e_{secrets.token_hex(6)}"
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    url = sa.make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def _figures(page, app, where: str) -> dict[str, int]:
    wait_for_run(page)
    assert_no_exception(page, app, where)
    return {label: metric_number(page, label) for label in FIGURES}


def _open(browser, base_url: str):
    context = browser.new_context(base_url=base_url, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    return context, page


@pytest.mark.e2e
def test_a_link_made_on_one_replica_opens_on_the_other_and_outlives_it(
    browser, tmp_path, shared_url
):
    env = {store.DATABASE_URL_ENV: shared_url}
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    with contextlib.ExitStack() as stack:
        serving_first = harness._serve(tmp_path / "a", "127.0.0.1", env)
        first = stack.enter_context(serving_first)
        second = stack.enter_context(harness._serve(tmp_path / "b", "127.0.0.1", env))

        context, page = _open(browser, first.url)
        page.goto("/")
        wait_for_run(page)
        page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
            [str(p) for p in SAMPLES]
        )
        metric(page, "Rows read").first.wait_for()
        wait_for_run(page)
        pick_as_of(page, AS_OF)
        page.wait_for_url(lambda url: "ds=" in urlparse(url).query)
        link = urlparse(page.url).query
        page.goto(f"/Eligibility?{link}")
        on_first = _figures(page, first, "Eligibility on the first replica")
        context.close()
        assert on_first["Applicants"] > 0

        context, page = _open(browser, second.url)
        page.goto(f"/Eligibility?{link}")
        assert _figures(page, second, "Eligibility on the second replica") == on_first
        context.close()

        serving_first.__exit__(None, None, None)  # the first replica stops
        assert not harness._is_healthy(f"{first.url}/_stcore/health")
        context, page = _open(browser, second.url)
        page.goto(f"/Eligibility?{link}")
        assert _figures(page, second, "the link after the first stopped") == on_first
        context.close()


@pytest.mark.e2e
def test_a_replica_killed_during_an_upload_leaves_no_half_written_dataset(
    browser, tmp_path, shared_url
):
    env = {store.DATABASE_URL_ENV: shared_url}
    for name in ("a", "b", "survivor", "victim"):
        (tmp_path / name).mkdir()
    with harness._serve(tmp_path / "survivor", "127.0.0.1", env) as survivor:
        with harness._serve(tmp_path / "victim", "127.0.0.1", env) as victim:
            context, page = _open(browser, victim.url)
            page.goto("/")
            wait_for_run(page)
            page.locator('[data-testid="stFileUploader"] input[type="file"]').first.set_input_files(
                [str(p) for p in SAMPLES]
            )
            page.locator('[data-testid="stApp"][data-test-script-state="running"]').wait_for()
            os.kill(victim.pid, signal.SIGKILL)
            context.close()
        # Whatever the kill interrupted: every dataset the others see is whole.
        seen = store.Store(tmp_path / "check", shared_url)
        for dataset in seen.list_datasets():
            files = seen.read_dataset_files(dataset.id)
            assert [name for name, _ in files] == [f.name for f in dataset.files] != []
        uploads = {e.object_id for e in seen.audit_log(action="upload")}
        assert uploads == {d.id for d in seen.list_datasets()}
        context, page = _open(browser, survivor.url)
        page.goto("/")
        wait_for_run(page)
        assert_no_exception(page, survivor, "Home on the surviving replica")
        context.close()
