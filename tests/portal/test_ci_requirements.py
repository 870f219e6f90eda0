"""In CI a test whose service is missing fails instead of skipping."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = "tests/portal/test_audit.py::test_database_refuses_raw_update_and_delete"


def run_on_sqlite(ci: str):
    env = {**os.environ, "CI": ci, "DATABASE_URL": "sqlite:///:memory:"}
    env.pop("DATABASE_OWNER_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", TARGET],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_missing_postgres_fails_in_ci_and_skips_elsewhere():
    in_ci = run_on_sqlite("true")
    assert in_ci.returncode == 1, in_ci.stdout[-2000:]
    assert "required service missing in CI" in in_ci.stdout
    elsewhere = run_on_sqlite("false")
    assert elsewhere.returncode == 0, elsewhere.stdout[-2000:]
    assert "2 skipped" in elsewhere.stdout
