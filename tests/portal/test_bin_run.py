"""The README's first command, run for real: `bin/run` on a copy of the project starts the
web server, a worker and beat on the embedded defaults, prints the portal's mail in its own
terminal with links to the port it serves on, and Ctrl-C stops all three."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".git", ".venv", "var", "db.sqlite3", "staticfiles", "node_modules", "__pycache__"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _copy_project(target: Path) -> Path:
    shutil.copytree(ROOT, target, ignore=lambda _dir, names: [n for n in names if n in SKIP])
    (target / ".venv").symlink_to(ROOT / ".venv")
    return target


class _Output:
    """Collects what the process prints, so a test can wait for a line."""

    def __init__(self, stream):
        self.text = ""
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._reader.start()

    def _read(self, stream):
        for line in iter(stream.readline, ""):
            with self._lock:
                self.text += line

    def read_to_the_end(self, limit: float = 60) -> None:
        """Wait until every process that held the output has closed it: what a process printed
        just before it ended may still be in the pipe when `wait()` returns."""
        self._reader.join(limit)

    def wait_for(self, pattern: str, process: subprocess.Popen, limit: float = 600) -> re.Match:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            with self._lock:
                found = re.search(pattern, self.text)
            if found:
                return found
            if process.poll() is not None:
                break
            time.sleep(0.25)
        pytest.fail(f"bin/run never printed {pattern!r}; it printed:\n{self.text[-4000:]}")


def test_bin_run_serves_the_demo_prints_mail_with_its_port_and_stops_cleanly(tmp_path):
    project = _copy_project(tmp_path / "portal")
    port = _free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "CELERY_", "DJANGO_", "EMAIL_", "SITE_URL"))
    }
    env.update(PORT=str(port), PYTHONUNBUFFERED="1")
    process = subprocess.Popen(
        ["bin/run"],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    output = _Output(process.stdout)
    try:
        output.wait_for(rf"The portal runs at http://127\.0\.0\.1:{port}/", process)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=60) as client:
            form = None
            while form is None and process.poll() is None:
                try:
                    form = client.get("/accounts/password/reset/")
                except httpx.TransportError:
                    time.sleep(1)
            assert form is not None and form.status_code == 200, output.text[-4000:]
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
            answer = client.post(
                "/accounts/password/reset/",
                data={"csrfmiddlewaretoken": token, "email": "hanako@example.jp"},
                headers={"Referer": f"{base}/accounts/password/reset/"},
            )
            assert answer.status_code in (200, 302)
        # The worker sends it from the outbox and the console backend prints it here.
        link = output.wait_for(rf"{re.escape(base)}/accounts/password/reset/\S+/", process)
        assert link.group(0).startswith(f"http://127.0.0.1:{port}/")
        pids = {
            name: int((project / "var" / "run" / f"{name}.pid").read_text())
            for name in ("web", "worker", "beat")
        }
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
    output.read_to_the_end()
    assert "stopped." in output.text
    for name, pid in pids.items():
        for _ in range(40):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.25)
        else:
            pytest.fail(f"bin/run left its {name} running (pid {pid})")
    assert not (project / "var" / "run" / "web.pid").exists()
