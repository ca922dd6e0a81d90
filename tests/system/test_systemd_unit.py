"""deploy/tilearn.service brings the site back after kill -9 of the gunicorn master, losing no write.

No systemd runs here (nor in CI), so Service below does what systemd does with the unit, reading
Type, ExecStart, RuntimeDirectory, KillMode, KillSignal, TimeoutStopSec, Restart and RestartSec
from the shipped file, so that changing one changes what is tested:

- start: make the RuntimeDirectory, run ExecStart in a group of its own and wait for the main
  process to send READY=1 on the notify socket (Type=notify, NotifyAccess=main);
- when the main process dies: KillSignal to the processes KillMode names (control-group: every
  process left in the group), SIGKILL to what is left after TimeoutStopSec, remove the
  RuntimeDirectory, then start again after RestartSec if Restart says so.

The group is a real cgroup v2 where this machine lets us make one (as root, here), from which no
process can leave, and it is emptied with cgroup.kill as systemd does. Elsewhere it is the
master's session, found in /proc: gunicorn's workers stay in it, but a process that called
setsid would escape, which a cgroup does not allow.

What this cannot prove: that systemd itself runs the unit (`systemd-analyze verify` checks that
it reads it without complaint, where installed); that User=tilearn and the hardening settings let
tilearn run, which needs a real systemd; and the paths. ExecStart runs with this checkout's
virtual environment, a free port, 2 workers and the test's database, where the unit says
/opt/tilearn/.venv, 127.0.0.1:8000, 4 workers and the EnvironmentFile.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import select
import shlex
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, skip_or_fail, write_module
from tests.support.http import Browser
from tests.system.conftest import WriteLoad, assert_acknowledged_writes_kept, free_port
from tilearn.config import PROJECT_ROOT

UNIT = PROJECT_ROOT / "deploy" / "tilearn.service"
SECTIONS = 400
RESTARTING = {"always", "on-failure", "on-abnormal", "on-abort"}  # Restart= values that restart after SIGKILL


def read_unit(path: Path) -> dict[str, dict[str, list[str]]]:
    """{section: {key: [every value, in order]}}, without comments, continued lines joined."""
    sections: dict[str, dict[str, list[str]]] = {}
    settings: dict[str, list[str]] = {}
    pending = ""
    for raw in path.read_text().splitlines():
        line = pending + raw.strip()
        if not pending and (not line or line[0] in "#;"):
            continue
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        pending = ""
        if line.startswith("["):
            settings = sections.setdefault(line.strip("[]"), {})
        else:
            key, _, value = line.partition("=")
            settings.setdefault(key.strip(), []).append(value.strip())
    return sections


def seconds(span: str) -> float:
    """A systemd time span such as 15, 15s, 500ms or 1min, in seconds."""
    match = re.fullmatch(r"([\d.]+)\s*(ms|s|sec|min)?", span)
    assert match, f"a time span these tests do not read: {span!r}"
    return float(match[1]) * {"ms": 0.001, "min": 60}.get(match[2] or "s", 1)


def signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


class ControlGroup:
    """A cgroup v2 of its own, as systemd gives each service: no process can leave it."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def make(cls) -> ControlGroup | None:
        """A new child of this process's cgroup, or None where this machine does not allow one."""
        mounts = [line.split() for line in Path("/proc/self/mounts").read_text().splitlines()]
        mount = next((fields[1] for fields in mounts if fields[2] == "cgroup2"), None)
        lines = Path("/proc/self/cgroup").read_text().splitlines()
        own = next((line[3:] for line in lines if line.startswith("0::")), None)
        if mount is None or own is None:
            return None
        path = Path(mount) / own.lstrip("/") / f"tilearn-test-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            path.mkdir()
        except OSError:
            return None
        group = cls(path)
        if subprocess.run(group.wrap(["true"]), capture_output=True).returncode != 0:
            path.rmdir()
            return None
        return group

    def wrap(self, argv: list[str]) -> list[str]:
        """argv, run from inside the group: a shell joins it, then becomes argv (same pid)."""
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.path / "cgroup.procs"), *argv]

    def started(self, pid: int) -> None:
        """Nothing to note: the process joined the group itself."""

    def pids(self) -> list[int]:
        return [int(pid) for pid in (self.path / "cgroup.procs").read_text().split()]

    def kill(self) -> None:
        """SIGKILL every process in the group at once (cgroup.kill, Linux 5.14 and later)."""
        if (self.path / "cgroup.kill").exists():
            (self.path / "cgroup.kill").write_text("1")
        else:
            signal_all(self.pids(), signal.SIGKILL)

    def remove(self) -> None:
        self.kill()
        deadline = time.monotonic() + 10
        while self.pids() and time.monotonic() < deadline:
            time.sleep(0.05)
        self.path.rmdir()


class Session:
    """Where no cgroup can be made: the processes of the sessions the masters lead, found in /proc."""

    def __init__(self) -> None:
        self.sessions: set[int] = set()

    def wrap(self, argv: list[str]) -> list[str]:
        return argv

    def started(self, pid: int) -> None:
        self.sessions.add(pid)  # started with start_new_session: the master leads a session of its own

    def pids(self) -> list[int]:
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # gone meanwhile
            state, _ppid, _group, session = stat[stat.rindex(")") + 2 :].split()[:4]
            if int(session) in self.sessions and state != "Z":
                found.append(int(entry.name))
        return found

    def kill(self) -> None:
        signal_all(self.pids(), signal.SIGKILL)

    def remove(self) -> None:
        self.kill()


class ExecStartFailed(RuntimeError):
    """The main process exited before it said it was ready."""


class NotifySocket:
    """The socket systemd gives a Type=notify service in NOTIFY_SOCKET; it learns who sent what."""

    def __init__(self) -> None:
        self.address = f"@tilearn-test-{os.getpid()}-{secrets.token_hex(4)}"  # abstract: no path limit
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.socket.bind("\0" + self.address[1:])
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)

    def wait_ready(self, process: subprocess.Popen, timeout: float = 60) -> None:
        """Until process itself sends READY=1 (NotifyAccess=main ignores anyone else)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise ExecStartFailed(f"ExecStart exited with {process.returncode}")
            if not select.select([self.socket], [], [], 0.1)[0]:
                continue
            data, ancillary, _flags, _address = self.socket.recvmsg(4096, socket.CMSG_SPACE(12))
            sender = next(
                (
                    struct.unpack("3i", payload)[0]
                    for level, kind, payload in ancillary
                    if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS
                ),
                None,
            )
            if sender == process.pid and "READY=1" in data.decode().splitlines():
                return
        raise TimeoutError("ExecStart never said READY=1")

    def close(self) -> None:
        self.socket.close()


class Service:
    """What systemd does with deploy/tilearn.service, as far as these tests need (see the module doc)."""

    def __init__(self, unit: Path, tmp_path: Path, env: dict[str, str]) -> None:
        service = read_unit(unit)["Service"]
        self.settings = {key: values[-1] for key, values in service.items()}
        assert self.settings["Type"] == "notify", "Service waits for READY=1 as systemd does for Type=notify"
        self.port = free_port()
        self.runtime_dir = tmp_path / "run" / self.settings["RuntimeDirectory"]
        self.paths = {  # where the unit's paths are in this test, longest first
            f"/run/{self.settings['RuntimeDirectory']}": str(self.runtime_dir),
            "/opt/tilearn/instance": str(tmp_path / "instance"),
            "/opt/tilearn/.venv/bin/": str(Path(sys.executable).parent) + "/",
            "/opt/tilearn": str(PROJECT_ROOT),
        }
        self.argv = [self.here(arg) for arg in shlex.split(self.settings["ExecStart"])]
        self.set_option("--bind", f"127.0.0.1:{self.port}")
        self.set_option("--workers", "2")  # the machine running the tests is shared
        self.pid_file = Path(self.option("--pid"))
        assert not [arg for arg in self.argv if arg.startswith(("/opt/", "/run/"))], self.argv
        self.cwd = self.here(self.settings["WorkingDirectory"])
        self.notify = NotifySocket()
        self.env = dict(env, NOTIFY_SOCKET=self.notify.address)
        for assignments in service.get("Environment", []):
            for assignment in shlex.split(assignments):
                name, _, value = assignment.partition("=")
                self.env[name] = self.here(value)
        self.group = ControlGroup.make() or Session()
        self.log = tmp_path / "gunicorn.log"
        self._log_file = self.log.open("ab")
        self.processes: list[subprocess.Popen] = []
        self.main: subprocess.Popen | None = None

    def here(self, path: str) -> str:
        for old, new in self.paths.items():
            if path.startswith(old):
                return new + path[len(old) :]
        return path

    def option(self, name: str) -> str:
        for i, arg in enumerate(self.argv):
            if arg == name:
                return self.argv[i + 1]
            if arg.startswith(name + "="):
                return arg.partition("=")[2]
        raise AssertionError(f"ExecStart has no {name}")

    def set_option(self, name: str, value: str) -> None:
        self.option(name)
        for i, arg in enumerate(self.argv):
            if arg == name:
                self.argv[i + 1] = value
            elif arg.startswith(name + "="):
                self.argv[i] = f"{name}={value}"

    def start(self) -> None:
        """systemctl start: a new RuntimeDirectory, then ExecStart, ready once it says so."""
        self.runtime_dir.mkdir(parents=True)
        self.main = self.exec_start()

    def exec_start(self) -> subprocess.Popen:
        """Run ExecStart in the group and wait for READY=1; ExecStartFailed if it exits first."""
        process = subprocess.Popen(
            self.group.wrap(self.argv),
            cwd=self.cwd,
            env=self.env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        self.group.started(process.pid)
        self.notify.wait_ready(process)
        return process

    def main_process_died(self) -> None:
        """The main process exited on a signal: stop what is left of the service, then restart."""
        self.main.wait(timeout=10)  # systemd is its parent, and reaps it
        self.stop_remaining()
        shutil.rmtree(self.runtime_dir)
        if self.settings.get("Restart", "no") in RESTARTING:
            time.sleep(seconds(self.settings.get("RestartSec", "100ms")))
            self.start()

    def stop_remaining(self) -> None:
        """KillSignal to the processes KillMode names, SIGKILL to those left after TimeoutStopSec."""
        mode = self.settings.get("KillMode", "control-group")
        term = signal.Signals[self.settings.get("KillSignal", "SIGTERM")]

        def targets() -> list[int]:
            if mode in ("control-group", "mixed"):
                return self.group.pids()
            if mode == "process" and self.main.poll() is None:
                return [self.main.pid]
            return []

        if mode == "control-group":
            signal_all(self.group.pids(), term)
        elif mode in ("mixed", "process") and self.main.poll() is None:
            os.kill(self.main.pid, term)
        else:
            assert mode in ("control-group", "mixed", "process", "none"), f"KillMode={mode}"
        deadline = time.monotonic() + seconds(self.settings.get("TimeoutStopSec", "90"))
        while targets() and time.monotonic() < deadline:
            time.sleep(0.05)
        if targets():
            if mode == "process":
                os.kill(self.main.pid, signal.SIGKILL)
            else:
                self.group.kill()
        deadline = time.monotonic() + 10
        while targets() and time.monotonic() < deadline:
            time.sleep(0.05)

    def close(self) -> None:
        self.group.remove()
        for process in self.processes:
            process.wait(timeout=10)
        self.notify.close()
        self._log_file.close()


@pytest.fixture
def service(database_url: str, tmp_path: Path) -> Iterator[Service]:
    """The unit on this test's database and tmp_path/mods, not started yet."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TILEARN_") and k != "DATABASE_URL"}
    env.update(  # what the EnvironmentFile holds in production
        {
            "TILEARN_SECRET_KEY": "system-test-secret",
            "DATABASE_URL": database_url,
            "TILEARN_MODULES_DIRS": json.dumps([str(tmp_path / "mods")]),
        }
    )
    service = Service(UNIT, tmp_path, env)
    yield service
    service.close()


def start_a_slow_request(port: int) -> socket.socket:
    """A request whose headers never finish arriving: the worker that takes it waits for the rest.

    It stands for any request a worker is still busy with when its master dies (a client on a
    slow line, a long export): such a worker outlives its master as long as the request lasts.
    """
    connection = socket.create_connection(("127.0.0.1", port), timeout=60)
    connection.sendall(b"POST /sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: applica")
    return connection


def no_reply(connection: socket.socket) -> bool:
    """Whether the server closed this connection without a byte of reply (then close it here too)."""
    try:
        return connection.recv(1) == b""
    except ConnectionResetError:
        return True
    finally:
        connection.close()


def test_without_stopping_the_group_orphaned_workers_keep_the_port_and_a_new_master_fails(service):
    """The defect the unit is for: a restart that leaves the workers of a killed master running.

    That is a restart by hand, or under KillMode=process or none. The new master cannot bind the
    port ("Connection in use" five times, then it exits), and once the orphans stop nothing listens.
    """
    service.start()
    slow = start_a_slow_request(service.port)
    assert Browser(service.port).request("GET", "/healthz")[0] == 200  # so a worker has taken the slow one
    os.kill(service.main.pid, signal.SIGKILL)
    service.main.wait(timeout=10)
    assert service.group.pids(), "the workers outlive their master"

    with pytest.raises(ExecStartFailed):
        service.exec_start()
    assert "Connection in use" in service.log.read_text()  # gunicorn 23 tries five times, a second apart

    slow.close()  # the orphans stop in their own time: after their request, or when they next look up
    deadline = time.monotonic() + 30
    while service.group.pids() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not service.group.pids()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", service.port), timeout=5).close()


def test_kill_9_of_the_master_the_unit_restarts_the_site_and_loses_no_acknowledged_write(
    service, make_user, database_url, tmp_path
):
    assert service.settings["KillMode"] == "control-group" and service.settings["Restart"] == "always"
    body = "".join(f"## Part {i} {{#part-{i}}}\n\nText {i}.\n\n" for i in range(SECTIONS))
    write_module(tmp_path / "mods" / "long-module", body=body)
    learner = make_user()
    service.start()
    assert service.pid_file.read_text().strip() == str(service.main.pid)
    slow = start_a_slow_request(service.port)  # taken by a worker before any of the load's requests
    load = WriteLoad(service, learner.email, "long-module", SECTIONS)
    load.start(until_acknowledged=40)

    killed = service.main.pid
    os.kill(killed, signal.SIGKILL)  # the master only, as the OOM killer or an operator might
    service.main.wait(timeout=10)
    orphans = service.group.pids()
    assert orphans, "the workers outlive their master"
    socket.create_connection(("127.0.0.1", service.port), timeout=5).close()  # and still hold the port

    service.main_process_died()
    assert service.main.pid != killed and not set(orphans) & set(service.group.pids())
    assert service.pid_file.read_text().strip() == str(service.main.pid)
    load.join()
    assert no_reply(slow), "the slow request is cut off too"
    assert 40 <= len(load.acknowledged) < SECTIONS, "the kill should land mid-load"
    assert load.cut_off >= 1, "the kill should cut at least one request off mid-flight"

    seen = assert_acknowledged_writes_kept(database_url, load.acknowledged)

    browser = Browser(service.port)  # the restarted site
    assert browser.sign_in(learner.email, PASSWORD) == 302
    status, _headers, page = browser.request("GET", "/learn/long-module")
    assert status == 200 and f"{len(seen)} of {SECTIONS} sections read" in page


def test_systemd_reads_the_unit_without_complaint():
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        skip_or_fail("systemd-analyze is not installed (Debian: apt-get install systemd)")
    result = subprocess.run([analyze, "verify", str(UNIT)], capture_output=True, text=True)
    gunicorn = shlex.split(read_unit(UNIT)["Service"]["ExecStart"][-1])[0]
    complaints = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and f"Command {gunicorn} is not executable" not in line  # not installed here
    ]
    assert complaints == []
