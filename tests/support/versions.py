"""Which module version each gunicorn worker serves (tests/system and benchmarks/publish_latency.py).

gunicorn's access log names the worker that answered each request (``%(p)s``); every poll
carries its own ``?n=`` tag, so each answer can be matched to its worker.
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from tests.support.http import Browser

#: gunicorn arguments: an access log line per request, "<pid> n=<tag>", to stdout
ACCESS_LOG = ("--access-logfile", "-", "--access-logformat", "%(p)s %(q)s")
MODULE_ID = "calm-breathing"
TEXT = """---
id: calm-breathing
title: Calm breathing
level: aware
version: "{label}"
summary: A slow breath helps.
minutes: 1
framework: F
outcomes:
  - theme: staff-wellbeing
    text: Breathe slowly.
---
## Breathing {{#breathing}}

{body}
"""
_VERSION = re.compile(r'Version</dt><dd class="govuk-summary-list__value">([^<]*)</dd>')


def module_text(label: str, body: str = "Breathe in for four, out for six.") -> str:
    """A small valid module at this version label."""
    return TEXT.format(label=label, body=body)


@dataclass(frozen=True)
class Seen:
    """One answer: when its request was sent (time.monotonic), its tag, and the version the page showed."""

    sent: float
    tag: str
    version: str | None


def poll(browser: Browser, until: float, threads: int = 4, path: str = f"/learn/{MODULE_ID}") -> list[Seen]:
    """Ask for the module's page from several threads at once (so both workers answer) until ``until``."""
    seen: list[Seen] = []
    lock = threading.Lock()
    counter = iter(range(10**9))

    def run() -> None:
        while time.monotonic() < until:
            with lock:
                tag = f"{threading.get_ident()}-{next(counter)}"
            sent = time.monotonic()
            status, _headers, page = browser.request("GET", f"{path}?n={tag}")
            found = _VERSION.search(page) if status == 200 else None
            with lock:
                seen.append(Seen(sent, tag, found.group(1) if found else None))

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sorted(seen, key=lambda s: s.sent)


def workers_by_tag(access_log: Path) -> dict[str, str]:
    """The worker (process id) that answered each tagged request, from gunicorn's access log."""
    found = {}
    for line in access_log.read_text(errors="replace").splitlines():
        match = re.match(r"<?(\d+)>? n=(\S+)", line)
        if match:
            found[match.group(2)] = match.group(1)
    return found


def first_served(seen: list[Seen], workers: dict[str, str], label: str, since: float) -> dict[str, float]:
    """Per worker: seconds from ``since`` to its first answer with ``label`` (and only ``label`` after it)."""
    first: dict[str, float | None] = {}
    for item in seen:
        worker = workers.get(item.tag)
        if worker is not None:
            showing = item.version == label
            first[worker] = (first.get(worker) or item.sent - since) if showing else None
    return {worker: at for worker, at in first.items() if at is not None}
