"""Writes this folder's store with the store code as it was before schema versions.

The code is taken from git at `BEFORE_VERSIONS`, not from the working tree, so running
this again still writes a store as the unversioned app did (with new random ids and
times, which tests/store/test_store_migrations.py would then need copied in).
Run from the project root: python tests/data/store_v0/make_fixture.py
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BEFORE_VERSIONS = "6f5ec060e4a5cf4683c5d80977c47eca22306ce1"
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def load_old_store():
    source = subprocess.run(
        ["git", "show", f"{BEFORE_VERSIONS}:store/repository.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "old_repository.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("old_repository", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["old_repository"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    old = load_old_store()
    for path in (HERE / old.DB_NAME, HERE / old.BLOB_DIR):
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    s = old.Store(HERE)
    ds = s.create_dataset(
        [
            ("spring.csv", b"applicant id,cohort\nA1,2025-spring\n"),
            ("autumn.csv", b"applicant id,cohort\nB1,2025-autumn\n"),
        ],
        owner="ana",
        options={"sheet": None, "mapping": {"ref no": "applicant_id"}},
        label="Intake 2025",
    )
    rules = s.put_rule_set("custom", '[rule_set]\nname = "custom"\n', owner="ana")
    view = s.save_view(
        "Spring intake",
        dataset_id=ds.id,
        rule_set=rules.id,
        owner="ben",
        filters={"cohort": ["2025-spring"]},
        as_of="2025-06-30",
        page="Eligibility",
    )
    s.record("ben", "export", ds.id, "xlsx report")
    print(ds, rules, view, *s.audit_log(), sep="\n")


if __name__ == "__main__":
    main()
