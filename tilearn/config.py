"""Default settings. instance/config.py and TILEARN_* environment variables override them."""

from __future__ import annotations

import os
from datetime import timedelta
from importlib.resources import files
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: True when tilearn runs from a checkout (`make run`, an editable install); False for an installed wheel.
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "modules").is_dir()
#: The modules shipped inside a wheel: setup.py copies modules/ there when the wheel is built.
SHIPPED_MODULES = Path(str(files("tilearn") / "content"))


#: The built-in support contacts: national UK lines only. Each organisation adds its own (employee
#: assistance programme, occupational health, wellbeing team) on the admin settings page.
NATIONAL_SUPPORT_CONTACTS: list[dict[str, str]] = [
    {"name": "Samaritans", "detail": "116 123, free, any time, day or night"},
    {"name": "Shout", "detail": "text SHOUT to 85258, free, any time"},
    {
        "name": "NHS 111",
        "detail": "in England and Wales call 111; in Scotland call NHS 24 on 111; "
        "in Northern Ireland contact your GP or out-of-hours service",
    },
]


def default_modules_dirs(instance_path: str) -> list[str]:
    """modules/ in a checkout; for an installed wheel, <instance>/modules and then the shipped modules."""
    if IN_CHECKOUT:
        return [str(PROJECT_ROOT / "modules")]
    return [os.path.join(instance_path, "modules"), str(SHIPPED_MODULES)]


class Defaults:
    """Safe defaults: secure cookies, CSRF on, SQLite in instance/."""

    #: Required outside development; `make run` writes one into instance/config.py.
    SECRET_KEY: str | None = None
    #: Relative SQLite paths live in instance/. Set TILEARN_DATABASE_URL for PostgreSQL.
    SQLALCHEMY_DATABASE_URI = "sqlite:///tilearn.sqlite"
    #: hide_parameters: a database error's message (logged with the error) never shows the values written,
    #: which may be a reflection, answers or a password hash.
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    #: Folders of modules; None means default_modules_dirs() (modules/ in a checkout, else see there).
    MODULES_DIRS: list[str] | None = None
    #: "west-midlands", "hampshire" or a path to a level scheme YAML file
    LEVEL_SCHEME = "west-midlands"
    #: The organisation's own words that need a content note, added to the checker's list
    #: (docs/authoring.md); a trailing * allows any ending, e.g. ["knife crime", "stalk*"].
    SENSITIVE_WORDS_EXTRA: list[str] = []
    #: Rendered modules are cached here by content hash, so a restart is warm.
    CACHE_DIR: str | None = None
    #: Each worker asks the database at most this often (seconds) whether a module was published,
    #: rolled back, retired or restored, and reloads its library when one was.
    LIBRARY_CHECK_SECONDS = 1.0
    ORGANISATION_NAME = "Demo Council"
    #: National lines only; the admin settings page asks for the organisation's own to be added first.
    SUPPORT_CONTACTS = [dict(contact) for contact in NATIONAL_SUPPORT_CONTACTS]
    #: Months after a person's account is disabled (they left) before `flask people apply-retention`
    #: erases them, keeping their completion records anonymised; 0 keeps them until an admin erases.
    RETENTION_MONTHS_AFTER_LEAVING = 24
    #: Days a learner's pauses are kept; their newest pause is always kept. 0 keeps every pause.
    RETENTION_DAYS_FOR_PAUSES = 90
    #: Where "Exit this page" goes: a neutral site that loads quickly.
    EXIT_URL = "https://www.bbc.co.uk/weather"
    #: Host names the site answers to; any other Host header gets 400.
    TRUSTED_HOSTS = ["localhost", "127.0.0.1"]
    #: How many reverse proxies (load balancer, nginx) sit in front; 0 when none.
    PROXIES = 0
    #: Level of tilearn's own log lines on stderr (security events are INFO).
    LOG_LEVEL = "INFO"
    #: Send Strict-Transport-Security. Switch off only when the site is served over plain HTTP
    #: (for example behind a test proxy without TLS): browsers remember HSTS for a year.
    HSTS = True
    MAX_CONTENT_LENGTH = 256 * 1024
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "tilearn_session"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=8)
    REMEMBER_COOKIE_NAME = "tilearn_remember"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    #: A learner may read one section for hours; a CSRF token lasts as long as the session.
    WTF_CSRF_TIME_LIMIT = None
    #: Failed sign-ins allowed per account and per address within the window.
    LOGIN_LIMIT_PER_ACCOUNT = 5
    LOGIN_LIMIT_PER_ADDRESS = 20
    LOGIN_LIMIT_WINDOW = timedelta(minutes=15)
    #: Outgoing e-mail, used for set-password links. Set MAIL_SERVER (with MAIL_PORT, MAIL_USERNAME,
    #: MAIL_PASSWORD, MAIL_USE_TLS or MAIL_USE_SSL) to send them by SMTP. Without it nothing is
    #: e-mailed and admins hand the links over themselves; with TILEARN_ENV=development e-mails are
    #: printed to the console instead. MAIL_BACKEND ("smtp", "console", "file", "locmem") overrides.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USE_TLS = True
    MAIL_BACKEND: str | None = None
    #: The From address of e-mails the site sends, e.g. "Learning <learning@example.org>".
    MAIL_DEFAULT_SENDER: str | None = None
    #: Seconds to wait for the mail server before giving up (the link is shown to the admin anyway).
    MAIL_TIMEOUT = 10
