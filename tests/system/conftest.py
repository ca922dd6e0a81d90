"""Real gunicorn servers for crash and scale-out tests (marked system: make test-quick skips them)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PASSWORD
from tests.support.http import Browser
from tilearn.config import PROJECT_ROOT

SYSTEM = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in tests/system is marked system."""
    for item in items:
        if SYSTEM in item.path.parents:
            item.add_marker(pytest.mark.system)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """One gunicorn master with its workers, in its own process group; stderr to log, stdout to .stdout."""

    def __init__(self, env: dict[str, str], workers: int, log: Path, args: tuple[str, ...] = ()) -> None:
        self.port = free_port()
        self.log = log
        self.stdout = log.with_suffix(".stdout")
        self._log_file = log.open("ab")
        self._stdout_file = self.stdout.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                *args,
                "tilearn:create_app()",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self._stdout_file,
            stderr=self._log_file,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        self._close_logs()
        raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}")

    def kill_hard(self) -> None:
        """kill -9 the whole process group: master and workers, no clean-up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self._close_logs()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        self._close_logs()

    def _close_logs(self) -> None:
        self._log_file.close()
        self._stdout_file.close()


class WriteLoad:
    """Browsers marking the sections of a long module read, a thread each, until the server goes away."""

    def __init__(self, server, email: str, module: str, sections: int, clients: int = 4) -> None:
        self.module = module
        self.sections = sections
        self.acknowledged: list[str] = []  # sections whose request was answered 302
        self.cut_off = 0  # requests sent whose reply never came whole: the server died mid-flight
        self._lock = threading.Lock()
        self._clients = []
        for _ in range(clients):
            browser = Browser(server.port)
            assert browser.sign_in(email, PASSWORD) == 302
            self._clients.append((browser, browser.token(f"/learn/{module}/part-0?note=continue")))
        self._threads = [threading.Thread(target=self._post, args=(n,)) for n in range(clients)]

    def _post(self, number: int) -> None:
        browser, token = self._clients[number]
        for i in range(number, self.sections, len(self._clients)):
            try:
                status, _h, _b = browser.request(
                    "POST", f"/learn/{self.module}/part-{i}/done", {"csrf_token": token}
                )
            except ConnectionRefusedError:
                return  # nothing listening: this request was never sent
            except (OSError, http.client.HTTPException):  # reset, IncompleteRead, RemoteDisconnected
                with self._lock:
                    self.cut_off += 1
                return
            if status == 302:
                with self._lock:
                    self.acknowledged.append(f"part-{i}")

    def start(self, until_acknowledged: int, timeout: float = 30) -> None:
        """Start every client and return once this many writes were acknowledged."""
        for thread in self._threads:
            thread.start()
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < until_acknowledged and time.monotonic() < deadline:
            time.sleep(0.01)

    def join(self, timeout: float = 60) -> None:
        for thread in self._threads:
            thread.join(timeout=timeout)
        assert not any(thread.is_alive() for thread in self._threads), "a client is still waiting"


@pytest.fixture
def start_server(database_url: str, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """Start gunicorn on this test's database: start_server(workers=2, args=(…), MODULES_DIRS=[…])."""
    servers: list[Server] = []

    def start(workers: int = 2, args: tuple[str, ...] = (), **config) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TILEARN_")}
        env.update(
            {
                "TILEARN_SECRET_KEY": "system-test-secret",
                "TILEARN_SQLALCHEMY_DATABASE_URI": database_url,
                "TILEARN_INSTANCE_PATH": str(tmp_path / "instance"),
                "TILEARN_CACHE_DIR": str(tmp_path / "cache"),
            }
        )
        for key, value in config.items():
            env[f"TILEARN_{key}"] = json.dumps(value) if not isinstance(value, str) else value
        server = Server(env, workers, tmp_path / f"gunicorn-{len(servers)}.log", args)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def assert_acknowledged_writes_kept(database_url: str, acknowledged: list[str]) -> set[str]:
    """After a kill: SQLite's integrity check passes and every section acknowledged with 2xx was saved.

    Returns the sections saved.
    """
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        seen = set(
            connection.execute(
                text("SELECT section_id FROM section_views WHERE module_id = 'long-module'")
            ).scalars()
        )
    engine.dispose()
    assert set(acknowledged) <= seen
    return seen
