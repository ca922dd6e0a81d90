"""The floors: bare Flask apps that gunicorn serves with the same settings as tilearn ('floors:page()')."""

from __future__ import annotations

import os
import sqlite3

from flask import Flask, Response, redirect, request


def page() -> Flask:
    """Bare Flask returning BENCH_BODY_SIZE bytes of HTML for any GET."""
    body = b"<!DOCTYPE html>" + b"x" * (int(os.environ["BENCH_BODY_SIZE"]) - 15)
    app = Flask("page_floor")

    @app.get("/", defaults={"path": ""})
    @app.get("/<path:path>")
    def serve(path: str):
        return Response(body, mimetype="text/html")

    return app


def insert() -> Flask:
    """Bare Flask doing exactly one INSERT per POST (SQLite WAL + synchronous=FULL, or PostgreSQL)."""
    url = os.environ["BENCH_FLOOR_DATABASE"]
    app = Flask("insert_floor")
    connections = []  # one per worker process, opened after the fork

    def connect():
        if url.startswith("postgresql"):
            import psycopg

            return psycopg.connect(url, autocommit=True), "%s"
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "busy_timeout=30000"):
            connection.execute(f"PRAGMA {pragma}")
        return connection, "?"

    @app.post("/<path:target>")
    def write(target: str):
        if not connections:
            connections.append(connect())
        connection, mark = connections[0]
        sql = f"INSERT INTO bench_writes (target, token) VALUES ({mark}, {mark})"
        connection.execute(sql, (target, request.form.get("csrf_token", "")))
        return redirect("/next")

    return app
